/**
 * Configuration from the environment, shared by the two runtime loaders (`functions/local/config.ts`,
 * `functions/aws/config.ts`): the defaults both runtimes share, in one table, and one zod parser per kind of
 * variable, so that both loaders parse alike and fail alike (every bad variable named, at start).
 */
import * as z from 'zod';
import { MAX_IMAGE_PIXELS } from '../domain/image-sniff';
import type { AppConfig } from './deps';

type SharedDefaults = Pick<
  AppConfig,
  | 'webhookRetryDelaysMs'
  | 'webhookTimeoutMs'
  | 'idempotencyTtlSeconds'
  | 'uploadTtlSeconds'
  | 'maxUploadBytes'
  | 'maxUploadPixels'
>;

/** The settings both runtimes default alike (docs/configuration.md). */
export const CONFIG_DEFAULTS: Readonly<SharedDefaults> = Object.freeze({
  /** Production retry schedule: 1 min, 5 min, 30 min (then dead-lettered). */
  webhookRetryDelaysMs: Object.freeze([60_000, 300_000, 1_800_000]) as number[],
  webhookTimeoutMs: 8_000,
  idempotencyTtlSeconds: 24 * 3600,
  uploadTtlSeconds: 900,
  maxUploadBytes: 10 * 1024 * 1024,
  maxUploadPixels: MAX_IMAGE_PIXELS,
});

/** Unset and empty are the same: the variable takes its default. */
function optional<T extends z.ZodType<unknown, string>>(parser: T) {
  return z.preprocess((raw) => (raw === '' ? undefined : raw), parser.optional());
}

function commaSeparated(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const nonNegativeInt = z.string().trim().regex(/^\d+$/, 'must be a non-negative integer').transform(Number);

/** Parsers of environment variables, one per kind. Each reads the raw string (or undefined) of one variable. */
export const envVar = {
  /** A non-empty string, trimmed. */
  required: () => z.string().trim().min(1),

  /** A string, trimmed; unset or empty is `fallback`. */
  text: (fallback: string) => optional(z.string().trim()).transform((v) => v ?? fallback),

  /** A string, trimmed; unset or empty is undefined. */
  optionalText: () => optional(z.string().trim()),

  /** A non-negative integer; unset or empty is `fallback`. */
  int: (fallback: number) => optional(nonNegativeInt).transform((v) => v ?? fallback),

  /** An http(s) URL, without its trailing slashes. */
  url: () => z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),

  /** An http(s) URL, without its trailing slashes; unset or empty is undefined. */
  optionalUrl: () => optional(z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''))),

  /** A comma-separated list of strings (empty items dropped); unset is the empty list. */
  list: () => z.string().optional().transform(commaSeparated),

  /** A comma-separated list of milliseconds; unset or empty is `fallback`. */
  millisList: (fallback: readonly number[]) =>
    z
      .string()
      .optional()
      .transform(commaSeparated)
      .pipe(z.array(z.string().regex(/^\d+$/, 'must be comma-separated milliseconds').transform(Number)))
      .transform((ms) => (ms.length > 0 ? ms : [...fallback])),

  /** One of `values`; unset or empty is `fallback`. */
  choice: <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number]) =>
    optional(z.enum(values, { error: `must be one of ${values.join(', ')}` })).transform((v) => v ?? fallback),

  /** A switch, `1`/`true` or `0`/`false`; unset or empty is `fallback`. */
  flag: (fallback: boolean) =>
    optional(z.enum(['0', '1', 'false', 'true'], { error: 'must be 0 or 1' })).transform((v) =>
      v === undefined ? fallback : v === '1' || v === 'true',
    ),
};

/**
 * Parses the environment with a schema of named variables.
 * @throws Error naming every missing or invalid variable, e.g. `invalid local environment: PORT: must be ...`
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv,
  runtime: string,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid ${runtime} environment: ${problems}`);
  }
  return parsed.data;
}
