import * as z from 'zod/mini';
import {
  APPLICANT_BASE,
  APPLICANT_STEPS,
  DECISIONS,
  DECLINE_TYPES,
  DOCUMENT_TYPES,
  HEAD_PROMPTS,
  LIVENESS_MODES,
  MODES,
  TERMINAL_STATUSES as TERMINAL_STATUS_LIST,
  VERIFICATION_STATUSES,
  type ApplicantSimulateBody,
  type CaptureKind,
  type Fits,
  type LivenessSessionView,
  type SessionView,
} from '../../functions/http/applicant-contract';

/**
 * Client of the applicant API (docs/applicant-api.md). Same origin as the page; every call carries the
 * verification's client token as a Bearer token. Responses are parsed with zod: the page trusts nothing
 * it did not check.
 */

const promptSchema = z.enum(HEAD_PROMPTS);
const documentTypeSchema = z.enum(DOCUMENT_TYPES);

const sessionSchema = z.object({
  verificationId: z.string(),
  status: z.enum(VERIFICATION_STATUSES),
  mode: z.enum(MODES),
  locale: z.nullish(z.string()),
  expiresAt: z.string(),
  returnUrl: z.nullish(z.string()),
  steps: z.array(z.enum(APPLICANT_STEPS)),
  document: z.nullish(
    z.object({
      types: z.array(documentTypeSchema),
      issuingCountries: z.optional(z.array(z.string())),
      needsBack: z.record(z.string(), z.boolean()),
    }),
  ),
  consent: z.object({ given: z.boolean(), textVersion: z.string() }),
  challenge: z.nullish(z.object({ prompts: z.array(promptSchema), minTurnDegrees: z.optional(z.number()) })),
  /** `face_liveness`: a Rekognition Face Liveness session replaces the head-turn challenge (AWS only). */
  liveness: z.nullish(z.object({ mode: z.enum(LIVENESS_MODES) })),
  attempts: z.object({ used: z.number(), max: z.number(), left: z.number() }),
  lastAttempt: z.nullish(
    z.object({
      decision: z.nullish(z.enum(DECISIONS)),
      declineType: z.nullish(z.enum(DECLINE_TYPES)),
      reasonCodes: z.array(z.string()),
    }),
  ),
  decision: z.nullish(z.enum(DECISIONS)),
  declineType: z.nullish(z.enum(DECLINE_TYPES)),
  reasonCodes: z.array(z.string()),
});

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.optional(z.string()),
    details: z.optional(z.array(z.object({ field: z.optional(z.string()), issue: z.optional(z.string()) }))),
  }),
});

const uploadSlotSchema = z.object({
  captureId: z.string(),
  upload: z.object({
    url: z.string(),
    method: z.enum(['PUT', 'POST']),
    fields: z.optional(z.record(z.string(), z.string())),
    maxBytes: z.number(),
    contentTypes: z.array(z.string()),
    expiresAt: z.optional(z.string()),
  }),
});

const livenessSessionSchema = z.object({ sessionId: z.string(), region: z.string(), identityPoolId: z.string() });

export type Session = z.infer<typeof sessionSchema>;
/**
 * A Rekognition Face Liveness session opened for this attempt, where to stream it, and the server's clock
 * minus this device's (from the response's Date header).
 */
export type LivenessSession = z.infer<typeof livenessSessionSchema> & { clockOffsetMs: number };
export type HeadPrompt = z.infer<typeof promptSchema>;
export type DocumentType = z.infer<typeof documentTypeSchema>;
export type { CaptureKind };
/** A test-mode outcome: the server's simulate body, with the decline type required exactly for a decline. */
export type SimulatedOutcome =
  | { decision: Exclude<(typeof DECISIONS)[number], 'declined'> }
  | { decision: 'declined'; declineType: (typeof DECLINE_TYPES)[number] };

/** Compile-time links to the server's contract: what the server sends parses here, what the page sends the server accepts. */
export type ServerContractFits = [
  Fits<z.input<typeof sessionSchema>, SessionView>,
  Fits<z.input<typeof livenessSessionSchema>, LivenessSessionView>,
  Fits<ApplicantSimulateBody, SimulatedOutcome>,
];

export interface ErrorDetail {
  field?: string | undefined;
  issue?: string | undefined;
}

/** An HTTP error from the API, or a network failure (status 0, code `network_error`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(`${status} ${code}`);
    this.name = 'ApiError';
  }
}

const BASE = APPLICANT_BASE;

/** Statuses after which nothing changes any more. */
export const TERMINAL_STATUSES: ReadonlySet<Session['status']> = new Set(TERMINAL_STATUS_LIST);

/** Applicant API bound to one client token. */
export class ApplicantApi {
  constructor(private readonly token: string) {}

  /** Reads the session (steps, prompts, status, decision). */
  async getSession(): Promise<Session> {
    return this.call('GET', '/session', undefined, (body) => sessionSchema.parse(dataOf(body)));
  }

  /** Records the applicant's consent choice; `accepted: false` ends the verification. */
  async consent(accepted: boolean, textVersion: string, locale: string): Promise<Session> {
    return this.call('POST', '/consent', { accepted, textVersion, locale }, (body) =>
      sessionSchema.parse(dataOf(body)),
    );
  }

  /** Requests an upload slot, sends the bytes, confirms; returns the capture id. */
  async upload(kind: CaptureKind, index: number, image: Blob): Promise<string> {
    const contentType = image.type || 'image/jpeg';
    const slot = await this.call('POST', '/uploads', { kind, index, contentType }, (body) =>
      uploadSlotSchema.parse(dataOf(body)),
    );
    const { upload } = slot;
    let response: Response;
    try {
      if (upload.method === 'PUT') {
        response = await fetch(upload.url, {
          method: 'PUT',
          headers: { 'Content-Type': contentType, Authorization: `Bearer ${this.token}` },
          body: image,
          credentials: 'omit',
        });
      } else {
        // Presigned POST (S3): policy fields first, then the file; no Bearer header.
        const form = new FormData();
        for (const [name, value] of Object.entries(upload.fields ?? {})) form.append(name, value);
        form.append('file', image);
        response = await fetch(upload.url, { method: 'POST', body: form, credentials: 'omit' });
      }
    } catch {
      throw new ApiError(0, 'network_error');
    }
    if (!response.ok) throw await toApiError(response);
    await this.call('POST', `/uploads/${encodeURIComponent(slot.captureId)}/complete`, {}, () => undefined);
    return slot.captureId;
  }

  /**
   * Face Liveness mode: opens a fresh Rekognition Face Liveness session for the current attempt. The clock
   * offset matters because the stream's SigV4 signature is refused when the device clock is 5+ minutes off.
   */
  async createLivenessSession(): Promise<LivenessSession> {
    return this.call('POST', '/liveness-session', {}, (b, response) => ({
      ...livenessSessionSchema.parse(dataOf(b)),
      clockOffsetMs: clockOffsetOf(response),
    }));
  }

  /** Submits the current attempt's captures for checking. */
  async submit(documentType: DocumentType | null): Promise<Session> {
    const body = documentType ? { documentType } : {};
    return this.call('POST', '/submit', body, (b) => sessionSchema.parse(dataOf(b)));
  }

  /** Test mode only: chooses the outcome instead of running checks. */
  async simulate(outcome: SimulatedOutcome): Promise<Session> {
    return this.call('POST', '/simulate', outcome, (b) => sessionSchema.parse(dataOf(b)));
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    parse: (body: unknown, response: Response) => T,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(BASE + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network_error');
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return parse(undefined, response);
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(response.status, 'bad_response');
    }
    try {
      return parse(json, response);
    } catch {
      throw new ApiError(response.status, 'bad_response');
    }
  }
}

/** Server time minus device time, from the HTTP Date header (1 s resolution); 0 when absent. */
export function clockOffsetOf(response: Pick<Response, 'headers'>, now = Date.now()): number {
  const server = Date.parse(response.headers.get('date') ?? '');
  return Number.isFinite(server) ? server - now : 0;
}

function dataOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'data' in body ? (body as { data: unknown }).data : undefined;
}

async function toApiError(response: Response): Promise<ApiError> {
  try {
    const parsed = errorSchema.safeParse(await response.json());
    if (parsed.success) return new ApiError(response.status, parsed.data.error.code, parsed.data.error.details ?? []);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, `http_${response.status}`);
}
