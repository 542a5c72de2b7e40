import fc from 'fast-check';

/** The subset of JSON Schema 2020-12 that `z.toJSONSchema` emits for our request bodies. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  default?: unknown;
}

/**
 * Values a field's schema cannot express (a refinement checks them on the server): without them almost every
 * generated body would stop at 400 and the fuzz would never reach the routes' rules.
 */
export type FieldHints = Record<string, fc.Arbitrary<unknown>>;

/** Strings that break naive handling: control characters, RTL, emoji, combining marks, lone surrogates. */
export const awkwardString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u0645\u0631\u062d\u0628\u0627',
    '👩‍👩‍👧‍👦',
    'e\u0301\u0301\u0301',
    '\ud800',
    '%00',
    '../..',
    '<script>',
  ),
);

/** Arbitrary of values that satisfy `schema` (as far as JSON Schema says), with `hints` for named fields. */
export function validValue(schema: JsonSchema, hints: FieldHints = {}, field?: string): fc.Arbitrary<unknown> {
  if (field && hints[field]) return hints[field];
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, hints, field)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(schema.items ?? {}, hints), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object':
      return objectOf(schema, hints);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const max = Math.min(schema.maxLength ?? 40, 40);
  const min = Math.min(schema.minLength ?? 0, max);
  const examples = typeof schema.example === 'string' ? [fc.constant(schema.example)] : [];
  if (schema.format === 'email')
    return fc.oneof(
      ...examples,
      fc.constant('user@example.com'),
      fc.emailAddress().filter((e) => e.length <= 254),
    );
  if (schema.format === 'uri')
    return fc.oneof(
      fc.constantFrom('https://example.com/done', 'http://localhost:9/cb', 'https://example.invalid/hook'),
      fc.webUrl({ withQueryParameters: true }).filter((u) => u.length <= (schema.maxLength ?? 2048)),
    );
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  return fc.oneof(...examples, fc.string({ minLength: min, maxLength: max }));
}

function objectOf(schema: JsonSchema, hints: FieldHints): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  const fixed =
    names.length > 0
      ? fc.record(Object.fromEntries(names.map((n) => [n, validValue(props[n]!, hints, n)])), {
          requiredKeys: schema.required ?? [],
        })
      : fc.constant({});
  if (typeof schema.additionalProperties !== 'object') return fixed as fc.Arbitrary<Record<string, unknown>>;
  const keys = schema.propertyNames ? stringOf(schema.propertyNames) : fc.string({ maxLength: 10 });
  return fc
    .tuple(fixed, fc.dictionary(keys, validValue(schema.additionalProperties, hints), { maxKeys: 4 }))
    .map(([a, b]) => ({ ...b, ...a }));
}

/** One way of breaking a valid body; the fuzz counts how often each was sent. */
export type Mutation =
  | 'wrong_type_body'
  | 'missing_field'
  | 'extra_field'
  | 'wrong_field_type'
  | 'huge_string'
  | 'awkward_unicode';

/** Arbitrary of invalid mutations of bodies valid against `schema`. */
export function mutatedValue(
  schema: JsonSchema,
  hints: FieldHints = {},
): fc.Arbitrary<{ mutation: Mutation; value: unknown }> {
  const props = Object.keys(schema.properties ?? {});
  const field = props.length ? fc.constantFrom(...props) : fc.constant('field');
  const wrong = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
    fc.string({ maxLength: 5 }),
  );
  const base = validValue(schema, hints) as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    fc.record({
      mutation: fc.constant<Mutation>('wrong_type_body'),
      value: fc.oneof(wrong, fc.constant([]), fc.constant('')),
    }),
    fc.tuple(base, field).map(([v, f]) => {
      const { [f]: _dropped, ...rest } = v;
      return { mutation: 'missing_field' as const, value: rest };
    }),
    fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })).map(([v, k, x]) => ({
      mutation: 'extra_field' as const,
      value: { ...v, [props.includes(k) ? `${k}_x` : k]: x },
    })),
    fc
      .tuple(base, field, wrong)
      .map(([v, f, x]) => ({ mutation: 'wrong_field_type' as const, value: { ...v, [f]: x } })),
    fc.tuple(base, field, fc.integer({ min: 1_000, max: 80_000 })).map(([v, f, n]) => ({
      mutation: 'huge_string' as const,
      value: { ...v, [f]: 'é'.repeat(n) },
    })),
    fc
      .tuple(base, field, awkwardString)
      .map(([v, f, s]) => ({ mutation: 'awkward_unicode' as const, value: { ...v, [f]: s } })),
  );
}
