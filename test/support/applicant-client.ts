import { api, readResponse } from './local-server';

/**
 * A test client of the applicant API (docs/applicant-api.md) bound to one client token: what the hosted
 * page does, over real HTTP against the local server.
 */
export const APPLICANT = '/api/v1/applicant';

export type CaptureKind = 'document_front' | 'document_back' | 'selfie' | 'liveness_frame' | 'liveness_sequence';

export interface Response {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

export class ApplicantClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return api(this.baseUrl, method, `${APPLICANT}${path}`, {
      body,
      headers: { Authorization: `Bearer ${this.token}`, ...headers },
    });
  }

  session(): Promise<Response> {
    return this.call('GET', '/session');
  }

  consent(accepted = true, extra: Record<string, unknown> = {}): Promise<Response> {
    return this.call(
      'POST',
      '/consent',
      { accepted, textVersion: '2026-11-01', locale: 'en', ...extra },
      { 'User-Agent': 'applicant-test/1.0' },
    );
  }

  requestUpload(kind: CaptureKind, index = 0, contentType = 'image/jpeg'): Promise<Response> {
    return this.call('POST', '/uploads', { kind, index, contentType });
  }

  /** Sends bytes to an upload slot as the page does for `method: PUT`. */
  async putBytes(url: string, bytes: Buffer, contentType = 'image/jpeg', token = this.token): Promise<Response> {
    return readResponse(
      await fetch(`${this.baseUrl}${url}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
        body: new Uint8Array(bytes),
      }),
    );
  }

  complete(captureId: string): Promise<Response> {
    return this.call('POST', `/uploads/${encodeURIComponent(captureId)}/complete`, {});
  }

  /** Request -> bytes -> complete; throws unless every step succeeded. Returns the capture id. */
  async upload(kind: CaptureKind, index: number, bytes: Buffer, contentType = 'image/jpeg'): Promise<string> {
    const slot = await this.requestUpload(kind, index, contentType);
    if (slot.status !== 201) throw new Error(`upload slot ${kind}/${index}: ${slot.status} ${slot.text}`);
    const put = await this.putBytes(slot.json.data.upload.url, bytes, contentType);
    if (put.status !== 204) throw new Error(`upload bytes ${kind}/${index}: ${put.status} ${put.text}`);
    const done = await this.complete(slot.json.data.captureId);
    if (done.status !== 200) throw new Error(`upload complete ${kind}/${index}: ${done.status} ${done.text}`);
    return slot.json.data.captureId as string;
  }

  submit(body: Record<string, unknown> = {}): Promise<Response> {
    return this.call('POST', '/submit', body);
  }

  simulate(body: Record<string, unknown>): Promise<Response> {
    return this.call('POST', '/simulate', body);
  }

  /** Polls GET /session (as the page does) until `done` holds for its data. */
  async waitForSession(done: (data: any) => boolean, timeoutMs = 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.session();
      if (res.status === 200 && done(res.json.data)) return res.json.data;
      if (Date.now() > deadline)
        throw new Error(`session did not reach the expected state; last: ${res.status} ${res.text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates a verification through the integrator API and returns a client for its token. */
export async function newApplicant(
  baseUrl: string,
  key: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; client: ApplicantClient; verifyUrl: string }> {
  const res = await api(baseUrl, 'POST', '/api/v1/external/kyc/verifications', { key, body });
  if (res.status !== 201) throw new Error(`create verification: ${res.status} ${res.text}`);
  return {
    id: res.json.data.id,
    client: new ApplicantClient(baseUrl, res.json.data.clientToken),
    verifyUrl: res.json.data.verifyUrl,
  };
}

/** Registers a webhook endpoint for the key's org and mode. */
export async function registerWebhook(
  baseUrl: string,
  key: string,
  url: string,
  events: string[] = [
    'verification.completed',
    'verification.approved',
    'verification.rejected',
    'verification.manual_review',
    'fraud.flagged',
  ],
): Promise<string> {
  const res = await api(baseUrl, 'POST', '/api/v1/external/kyc/webhooks', { key, body: { url, events } });
  if (res.status !== 201) throw new Error(`register webhook: ${res.status} ${res.text}`);
  return res.json.data.id as string;
}
