import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import * as z from 'zod';
import { encodeFrameSequence, FRAME_SEQUENCE_CONTENT_TYPE } from '../../functions/domain/frame-sequence';
import { TERMINAL_STATUSES } from '../../functions/domain/model';
import { uploadBytesPath } from '../../functions/http/routes';
import {
  awkwardString,
  type FieldHints,
  type JsonSchema,
  type Mutation,
  mutatedValue,
  validValue,
} from './json-schema-arbitrary';

/**
 * Property-based fuzz of the integrator and applicant APIs from their OpenAPI documents (as the server serves
 * them): request bodies are generated from the documents' request schemas (valid, or mutated), credentials,
 * headers and path parameters from pools of real and broken values. Every response must have a documented
 * status and a body valid against the documented schema; no 5xx, no request past its timeout; and the state
 * invariants hold (a terminal verification never changes, a token opens only its own session, one org never
 * sees another's verification).
 */

interface OperationDoc {
  operationId: string;
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
export interface ApiDocument {
  paths: Record<string, Record<string, OperationDoc>>;
}

export interface FuzzTarget {
  baseUrl: string;
  /** Keys of the fuzzed org (test and live, bound to its default flow), of another org, and a revoked one. */
  keys: { test: string; live: string; otherOrg: string; revoked: string };
  /** Where generated webhook URLs may point (a local receiver). */
  receiverUrl: string;
  /** Small valid images per content type, and the consent text version the server expects. */
  images: Record<'image/jpeg' | 'image/png' | 'image/webp', Buffer>;
  consentTextVersion: string;
  timeoutMs: number;
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  byOperation: Record<string, number>;
  byMutation: Record<string, number>;
  violations: string[];
  verifications: string[];
}

type Cred = 'test' | 'live' | 'otherOrg' | 'revoked' | 'garbage' | 'missing';
type TokenCred = 'own' | 'other' | 'garbage' | 'malformed' | 'missing' | 'lowercase';
type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; mutation?: Mutation; contentType: string }
  | { kind: 'raw'; text: string; contentType: string | null; what: string };

/** One generated request; `pick` values choose from the pools of live ids when the request is sent. */
interface Recipe {
  op: string;
  pick: number;
  otherPick: number;
  cred: Cred;
  token: TokenCred;
  param: { kind: 'known' } | { kind: 'foreign' } | { kind: 'raw'; text: string };
  body: Body;
  idempotency: { kind: 'none' } | { kind: 'fresh' } | { kind: 'reuse' } | { kind: 'bad'; value: string };
  bytes: { kind: 'image'; type: 'image/jpeg' | 'image/png' | 'image/webp' } | { kind: 'junk'; data: Uint8Array };
  bytesType: 'slot' | 'other' | 'missing';
}
/** A multi-request path that reaches deep states (decisions) that random requests rarely reach. */
interface Journey {
  journey: 'live_submit' | 'test_simulate';
  pick: number;
}
type Step = Recipe | Journey;

const INTEGRATOR_OPS = [
  'createVerification',
  'getVerification',
  'simulateVerification',
  'redactVerification',
  'createWebhook',
  'listWebhooks',
  'deleteWebhook',
] as const;
const APPLICANT_OPS = [
  'getSession',
  'postConsent',
  'createUpload',
  'putUploadBytes',
  'completeUpload',
  'createLivenessSession',
  'submitAttempt',
  'simulateAttempt',
] as const;

interface Tracked {
  id: string;
  token: string;
  mode: 'test' | 'live';
  /** Created with the other organisation's key. */
  otherOrg: boolean;
  captures: Array<{ id: string; contentType: string }>;
  /** The decision record once seen terminal: it must never change after. */
  terminal: string | null;
}

export class ContractFuzzer {
  private readonly ops = new Map<string, { path: string; method: string; doc: OperationDoc }>();
  private readonly verifications: Tracked[] = [];
  private readonly byToken = new Map<string, Tracked>();
  private readonly webhooks: string[] = [];
  private readonly idempotencyKeys: string[] = [];
  private readonly validators = new WeakMap<object, z.ZodType>();
  readonly report: FuzzReport = {
    requests: 0,
    byStatus: {},
    byOperation: {},
    byMutation: {},
    violations: [],
    verifications: [],
  };

  constructor(
    private readonly target: FuzzTarget,
    documents: ApiDocument[],
  ) {
    for (const doc of documents)
      for (const [path, item] of Object.entries(doc.paths))
        for (const [method, op] of Object.entries(item))
          this.ops.set(op.operationId, { path, method: method.toUpperCase(), doc: op });
    for (const id of [...INTEGRATOR_OPS, ...APPLICANT_OPS])
      if (!this.ops.has(id)) throw new Error(`operation ${id} is not in the OpenAPI documents`);
  }

  /** Arbitrary of one step: mostly single requests of every fuzzed operation, sometimes a journey. */
  step(): fc.Arbitrary<Step> {
    const recipes = [...INTEGRATOR_OPS, ...APPLICANT_OPS].map((op) => ({
      weight: op === 'createVerification' ? 6 : op === 'putUploadBytes' || op === 'completeUpload' ? 4 : 3,
      arbitrary: this.recipe(op),
    }));
    const journey = fc.record({
      journey: fc.constantFrom<Journey['journey']>('live_submit', 'test_simulate'),
      pick: fc.nat(),
    });
    return fc.oneof(...recipes, { weight: 2, arbitrary: journey });
  }

  private recipe(op: string): fc.Arbitrary<Recipe> {
    const doc = this.ops.get(op)!.doc;
    const schema = doc.requestBody?.content['application/json']?.schema;
    const hints: FieldHints = {
      textVersion: fc.oneof(
        { weight: 9, arbitrary: fc.constant(this.target.consentTextVersion) },
        fc.string({ maxLength: 40 }),
      ),
      locale: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('en', 'fr-CA', 'ar', 'EN-gb') }, awkwardString),
      url: fc.oneof({ weight: 4, arbitrary: fc.constant(this.target.receiverUrl) }, fc.webUrl()),
      flowId: fc.option(fc.string({ maxLength: 64 })),
    };
    const jsonContentType = fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      fc.constantFrom('application/json; charset=utf-8', 'application/merge-patch+json', 'APPLICATION/JSON'),
    );
    const raw: fc.Arbitrary<Body> = fc.oneof(
      fc.record({
        kind: fc.constant('raw' as const),
        text: fc.constantFrom('{', '{"a":', 'null', '[]', '"text"', '1e999', '{"__proto__":{"x":1}}', 'ÿ\u0000'),
        contentType: fc.constant('application/json'),
        what: fc.constant('malformed_json'),
      }),
      fc.record({
        kind: fc.constant('raw' as const),
        text: fc.constant('{}'),
        contentType: fc.constantFrom(
          null,
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/jsonp',
        ),
        what: fc.constant('wrong_content_type'),
      }),
      fc.integer({ min: 64 * 1024 + 1, max: 80 * 1024 }).map((n) => ({
        kind: 'raw' as const,
        text: JSON.stringify({ pad: 'x'.repeat(n) }),
        contentType: 'application/json',
        what: 'body_over_64kb',
      })),
    );
    const body: fc.Arbitrary<Body> = schema
      ? fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .tuple(validValue(schema, hints), jsonContentType)
              .map(([value, contentType]) => ({ kind: 'json' as const, value, contentType })),
          },
          {
            weight: 3,
            arbitrary: fc.tuple(mutatedValue(schema, hints), jsonContentType).map(([m, contentType]) => ({
              kind: 'json' as const,
              value: m.value,
              mutation: m.mutation,
              contentType,
            })),
          },
          { weight: 1, arbitrary: raw },
        )
      : this.ops.get(op)!.method === 'POST'
        ? fc.oneof({ weight: 8, arbitrary: fc.constant<Body>({ kind: 'none' }) }, raw)
        : fc.constant<Body>({ kind: 'none' });
    return fc.record({
      op: fc.constant(op),
      pick: fc.nat(),
      otherPick: fc.nat(),
      cred: fc.oneof(
        { weight: 6, arbitrary: fc.constant<Cred>('test') },
        { weight: 3, arbitrary: fc.constant<Cred>('live') },
        fc.constantFrom<Cred>('otherOrg', 'revoked', 'garbage', 'missing'),
      ),
      token: fc.oneof(
        { weight: 12, arbitrary: fc.constant<TokenCred>('own') },
        fc.constantFrom<TokenCred>('other', 'garbage', 'malformed', 'missing', 'lowercase'),
      ),
      param: fc.oneof(
        { weight: 8, arbitrary: fc.constant({ kind: 'known' as const }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'foreign' as const }) },
        {
          weight: 2,
          arbitrary: fc
            .oneof(
              awkwardString.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '\ufffd'))),
              fc.constantFrom('%E0%A4%A', '%zz', '%', '%C0%AF', '%00', 'vrf_%2F..%2F', 'a'.repeat(3000), '..'),
            )
            .map((text) => ({ kind: 'raw' as const, text })),
        },
      ),
      body,
      idempotency: fc.oneof(
        { weight: 5, arbitrary: fc.constant({ kind: 'none' as const }) },
        { weight: 3, arbitrary: fc.constant({ kind: 'fresh' as const }) },
        { weight: 2, arbitrary: fc.constant({ kind: 'reuse' as const }) },
        fc
          .oneof(
            fc.constantFrom('', ' ', 'k'.repeat(300), '\u00ff\u00e9\u00e8'),
            fc.string({ unit: fc.constantFrom(...'abc-_.!~*\u00a0\u00e9'.split('')), maxLength: 80 }),
          )
          .map((value) => ({ kind: 'bad' as const, value })),
      ),
      bytes: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.record({
            kind: fc.constant('image' as const),
            type: fc.constantFrom('image/jpeg' as const, 'image/png' as const, 'image/webp' as const),
          }),
        },
        fc.record({ kind: fc.constant('junk' as const), data: fc.uint8Array({ maxLength: 300 }) }),
      ),
      bytesType: fc.oneof(
        { weight: 6, arbitrary: fc.constant('slot' as const) },
        fc.constantFrom('other' as const, 'missing' as const),
      ),
    });
  }

  /** Runs one step; violations go to the report. */
  async run(step: Step): Promise<void> {
    if ('journey' in step) return this.journey(step);
    await this.send(step);
  }

  private pickVerification(pick: number, mode?: 'test' | 'live'): Tracked | undefined {
    const pool = mode ? this.verifications.filter((v) => v.mode === mode) : this.verifications;
    return pool.length ? pool[pick % pool.length] : undefined;
  }

  private async journey(j: Journey): Promise<void> {
    const mode = j.journey === 'live_submit' ? 'live' : 'test';
    const created = await this.call('createVerification', this.path('createVerification'), {
      apiKey: this.target.keys[mode],
      body: { kind: 'json', value: { locale: 'en' }, contentType: 'application/json' },
    });
    const v = created?.status === 201 ? this.byToken.get(created.json.data.clientToken) : undefined;
    if (!v) return;
    const auth = `Bearer ${v.token}`;
    await this.call('postConsent', this.path('postConsent'), {
      auth,
      body: {
        kind: 'json',
        value: { accepted: true, textVersion: this.target.consentTextVersion, locale: 'en' },
        contentType: 'application/json',
      },
    });
    if (mode === 'test') {
      const decision = (['approved', 'declined', 'review'] as const)[j.pick % 3];
      await this.call('simulateAttempt', this.path('simulateAttempt'), {
        auth,
        body: { kind: 'json', value: { decision }, contentType: 'application/json' },
      });
      return;
    }
    const session = await this.call('getSession', this.path('getSession'), { auth });
    const prompts: number = session?.json?.data?.challenge?.prompts?.length ?? 0;
    const png = { data: this.target.images['image/png'], contentType: 'image/png' };
    const wanted: Array<[string, number, { data: Buffer; contentType: string }]> = [
      ['document_front', 0, png],
      ['selfie', 0, png],
      ...Array.from({ length: prompts }, (_, i): [string, number, typeof png] => ['liveness_frame', i, png]),
    ];
    if (prompts > 0) wanted.push(['liveness_sequence', 0, this.recording()]);
    for (const [kind, index, bytes] of wanted) {
      const slot = await this.call('createUpload', this.path('createUpload'), {
        auth,
        body: {
          kind: 'json',
          value: { kind, index, contentType: bytes.contentType },
          contentType: 'application/json',
        },
      });
      if (slot?.status !== 201) return;
      const captureId: string = slot.json.data.captureId;
      await this.call('putUploadBytes', uploadBytesPath(captureId), {
        auth,
        method: 'PUT',
        rawBytes: bytes,
      });
      await this.call('completeUpload', this.path('completeUpload', { captureId }), { auth });
    }
    // Two submits at once: one wins, the other is refused (one decision per attempt).
    await Promise.all([
      this.call('submitAttempt', this.path('submitAttempt'), {
        auth,
        body: { kind: 'json', value: {}, contentType: 'application/json' },
      }),
      this.call('submitAttempt', this.path('submitAttempt'), { auth, body: { kind: 'none' } }),
    ]);
  }

  /** The head-turn recording a journey uploads: a frame-sequence container of the small JPEG, 5 fps. */
  private recording(): { data: Buffer; contentType: string } {
    const frames = [0, 200, 400].map((t) => ({ bytes: this.target.images['image/jpeg'], t }));
    return { data: Buffer.from(encodeFrameSequence(frames)), contentType: FRAME_SEQUENCE_CONTENT_TYPE };
  }

  private path(op: string, params: Record<string, string> = {}): string {
    return this.ops.get(op)!.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  }

  private async send(r: Recipe): Promise<void> {
    const op = this.ops.get(r.op)!;
    const isApplicant = (APPLICANT_OPS as readonly string[]).includes(r.op);
    const mine = this.pickVerification(r.pick);
    const other = this.pickVerification(r.otherPick);
    // Credentials.
    let apiKey: string | undefined;
    let auth: string | undefined;
    let tokenOwner: Tracked | undefined;
    if (isApplicant) {
      const holder = r.token === 'other' ? other : mine;
      if (r.token === 'own' || r.token === 'other' || r.token === 'lowercase') {
        if (holder) {
          auth = `${r.token === 'lowercase' ? 'bearer' : 'Bearer'} ${holder.token}`;
          tokenOwner = holder;
        }
      } else if (r.token === 'garbage') auth = `Bearer ${randomToken(r.pick)}`;
      else if (r.token === 'malformed')
        auth = [
          `Basic ${holder?.token ?? 'x'}`,
          `Bearer`,
          `Bearer ${'A'.repeat(300)}`,
          `Bearer ${holder?.token ?? ''}!`,
          `${holder?.token ?? ''}`,
        ][r.pick % 5];
    } else if (r.cred !== 'missing') {
      apiKey = r.cred === 'garbage' ? `kyc_test_${randomToken(r.pick)}` : this.target.keys[r.cred];
    }
    // Path parameters.
    const known: Record<string, string> = {
      id: r.op.includes('ebhook')
        ? (this.webhooks[r.pick % Math.max(1, this.webhooks.length)] ?? 'whe_none')
        : (mine?.id ?? 'vrf_none'),
      captureId: tokenOwner?.captures[r.pick % Math.max(1, tokenOwner.captures.length)]?.id ?? 'cap_none',
    };
    if (r.param.kind === 'foreign') {
      known.id = r.op.includes('ebhook') ? 'whe_0000000000000000' : `vrf_${randomToken(r.otherPick).slice(0, 20)}`;
      known.captureId = other?.captures[0]?.id ?? 'cap_zzzz';
    }
    let path = this.path(r.op, known);
    if (r.param.kind === 'raw') {
      const text = r.param.text;
      path = op.path.replace(/\{(\w+)\}/g, () => text);
    }
    // Body and headers.
    const headers: Record<string, string> = {};
    if (r.op === 'createVerification' && r.idempotency.kind !== 'none') {
      const key =
        r.idempotency.kind === 'fresh'
          ? randomUUID()
          : r.idempotency.kind === 'reuse'
            ? (this.idempotencyKeys[r.pick % Math.max(1, this.idempotencyKeys.length)] ?? randomUUID())
            : r.idempotency.value;
      if (r.idempotency.kind === 'fresh') this.idempotencyKeys.push(key);
      headers['Idempotency-Key'] = key;
    }
    if (!isApplicant && r.pick % 20 === 7) headers.Origin = 'https://evil.example';
    let rawBytes: { data: Buffer | Uint8Array; contentType: string | null } | undefined;
    if (r.op === 'putUploadBytes') {
      const capture = tokenOwner?.captures.find((c) => c.id === known.captureId);
      const type = r.bytes.kind === 'image' ? r.bytes.type : 'image/jpeg';
      rawBytes = {
        data: r.bytes.kind === 'image' ? this.target.images[r.bytes.type] : r.bytes.data,
        contentType: r.bytesType === 'missing' ? null : r.bytesType === 'slot' ? (capture?.contentType ?? type) : type,
      };
    }
    if (r.body.kind === 'json' && r.body.mutation) bump(this.report.byMutation, r.body.mutation);
    if (r.body.kind === 'raw') bump(this.report.byMutation, r.body.what);
    if (r.param.kind === 'raw' && op.path.includes('{')) bump(this.report.byMutation, 'raw_path_param');
    if (isApplicant && r.token !== 'own') bump(this.report.byMutation, `token_${r.token}`);
    if (!isApplicant && r.cred !== 'test' && r.cred !== 'live') bump(this.report.byMutation, `key_${r.cred}`);
    if (headers['Idempotency-Key'] !== undefined) bump(this.report.byMutation, `idempotency_${r.idempotency.kind}`);
    await this.call(r.op, path, { apiKey, auth, headers, body: r.body, rawBytes, tokenOwner, method: op.method });
  }

  /** Sends one request and checks the response against the document and the invariants. */
  private async call(
    opId: string,
    path: string,
    o: {
      apiKey?: string | undefined;
      auth?: string | undefined;
      headers?: Record<string, string>;
      body?: Body;
      rawBytes?: { data: Buffer | Uint8Array; contentType: string | null } | undefined;
      tokenOwner?: Tracked | undefined;
      method?: string;
    },
  ): Promise<{ status: number; json: any } | null> {
    const op = this.ops.get(opId)!;
    const headers: Record<string, string> = { ...o.headers };
    if (o.apiKey !== undefined) headers['X-Api-Key'] = o.apiKey;
    if (o.auth !== undefined) headers.Authorization = o.auth;
    let body: string | Uint8Array | undefined;
    if (o.rawBytes) {
      body = new Uint8Array(o.rawBytes.data);
      if (o.rawBytes.contentType) headers['Content-Type'] = o.rawBytes.contentType;
    } else if (o.body?.kind === 'json') {
      body = JSON.stringify(o.body.value);
      headers['Content-Type'] = o.body.contentType;
    } else if (o.body?.kind === 'raw') {
      body = o.body.text;
      headers['Content-Type'] = o.body.contentType ?? '';
      if (o.body.contentType === null) delete headers['Content-Type'];
    }
    const owner = o.tokenOwner ?? (o.auth ? this.byToken.get(o.auth.replace(/^bearer\s+/i, '')) : undefined);
    const label = `${o.method ?? op.method} ${path.length > 120 ? `${path.slice(0, 120)}...` : path} (${opId})`;
    this.report.requests++;
    bump(this.report.byOperation, opId);
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.target.baseUrl}${path}`, {
        method: o.method ?? op.method,
        headers,
        body: body as BodyInit | undefined,
        signal: AbortSignal.timeout(this.target.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const hang = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      bump(this.report.byStatus, hang ? 'hang' : 'network_error');
      this.violation(`${label}: ${hang ? `no response within ${this.target.timeoutMs} ms` : String(err)}`);
      return null;
    }
    bump(this.report.byStatus, String(res.status));
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    const sent =
      o.body?.kind === 'json' ? JSON.stringify(o.body.value).slice(0, 300) : o.body?.kind === 'raw' ? o.body.what : '';
    const where = `${label} -> ${res.status} ${text.slice(0, 300)}${sent ? ` | sent ${sent}` : ''}`;
    if (res.status >= 500) this.violation(`5xx: ${where}`);
    const documented = op.doc.responses[String(res.status)];
    if (!documented) this.violation(`undocumented status: ${where}`);
    else {
      const schema = documented.content?.['application/json']?.schema;
      if (!schema) {
        if (text !== '') this.violation(`body on a response documented without one: ${where}`);
      } else if (!/^application\/json/.test(res.headers.get('content-type') ?? '') || json === undefined) {
        this.violation(`not JSON: ${where}`);
      } else {
        const parsed = this.validator(schema).safeParse(json);
        if (!parsed.success)
          this.violation(
            `body does not match the documented schema (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}): ${where}`,
          );
      }
    }
    if (res.ok) this.observe(opId, json, owner, where, o.apiKey, o.body?.kind === 'json' ? o.body.value : undefined);
    return { status: res.status, json };
  }

  /** Learns ids from successful responses and checks the invariants they reveal. */
  private observe(
    opId: string,
    json: any,
    owner: Tracked | undefined,
    where: string,
    apiKey: string | undefined,
    sent: unknown,
  ): void {
    const data = json?.data;
    if (opId === 'createVerification') {
      if (this.byToken.has(data.clientToken)) return; // an idempotent replay
      const v: Tracked = {
        id: data.id,
        token: data.clientToken,
        mode: apiKey === this.target.keys.live ? 'live' : 'test',
        otherOrg: apiKey === this.target.keys.otherOrg,
        captures: [],
        terminal: null,
      };
      this.verifications.push(v);
      this.byToken.set(v.token, v);
      this.report.verifications.push(v.id);
      return;
    }
    if (opId === 'createWebhook') this.webhooks.push(data.id);
    const read = data?.verificationId ? this.verifications.find((v) => v.id === data.verificationId) : undefined;
    if (read && apiKey !== undefined && read.otherOrg !== (apiKey === this.target.keys.otherOrg))
      this.violation(`a key read another organisation's verification: ${where}`);
    if ((APPLICANT_OPS as readonly string[]).includes(opId)) {
      if (!owner) {
        this.violation(`a request without a valid token succeeded: ${where}`);
        return;
      }
      if (data?.verificationId && data.verificationId !== owner.id)
        this.violation(`a token opened another verification's session (${owner.id}): ${where}`);
      if (opId === 'createUpload')
        owner.captures.push({
          id: data.captureId,
          contentType: String((sent as { contentType?: unknown }).contentType),
        });
      if (opId === 'completeUpload' && !owner.captures.some((c) => c.id === data.captureId))
        this.violation(`a token completed another verification's capture: ${where}`);
    }
    const view = data?.verificationId ? data : null;
    if (!view) return;
    const tracked = this.verifications.find((v) => v.id === view.verificationId);
    if (!tracked) return;
    if ((TERMINAL_STATUSES as readonly string[]).includes(view.status)) {
      const record = JSON.stringify([view.status, view.decision, view.declineType, [...view.reasonCodes].sort()]);
      if (tracked.terminal !== null && tracked.terminal !== record)
        this.violation(`a terminal verification changed from ${tracked.terminal} to ${record}: ${where}`);
      tracked.terminal ??= record;
    } else if (tracked.terminal !== null) {
      this.violation(`a terminal verification became ${view.status}: ${where}`);
    }
  }

  /** The document's JSON Schema read back as a validator (cached per schema object). */
  private validator(schema: Record<string, unknown>): z.ZodType {
    let v = this.validators.get(schema);
    if (!v) {
      v = z.fromJSONSchema(schema);
      this.validators.set(schema, v);
    }
    return v;
  }

  private violation(message: string): void {
    this.report.violations.push(message);
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** A well-formed token that opens nothing (deterministic per pick). */
function randomToken(seed: number): string {
  return `Zz${seed.toString(36)}${'q'.repeat(30)}`.slice(0, 43);
}
