import type { ApiErrorBody } from './api-types';

/**
 * The dashboard's client of the admin API (`/api/v1/admin/...`, same origin). Two ways to prove who the
 * operator is: locally the HttpOnly session cookie (sent by the browser) plus `X-CSRF-Token` on every
 * state-changing request; on AWS a Cognito ID token as `Authorization: Bearer`. Errors arrive in the API's
 * one error shape and are thrown as {@link ApiError}.
 */

export const ADMIN_API = '/api/v1/admin';

/** An error answer of the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorBody['details'] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Credentials {
  /** `X-CSRF-Token` for POST/PATCH/PUT/DELETE (local sessions). */
  csrfToken: string | null;
  /** Cognito ID token (AWS). */
  bearerToken: string | null;
}

export type QueryValue = string | number | null | undefined;

export interface ApiClient {
  get<T>(path: string, query?: Record<string, QueryValue>): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Bytes of a capture, for a blob: URL (an <img> cannot send the bearer token, and the CSP allows blob:). */
  blob(path: string): Promise<Blob>;
}

/** `?a=1&b=x` from the defined, non-empty values (stable order: as given). */
export function queryString(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Headers of one request: the operator's proof, and JSON when there is a body. */
export function requestHeaders(method: string, credentials: Credentials, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/json';
  if (credentials.bearerToken) headers.Authorization = `Bearer ${credentials.bearerToken}`;
  if (method !== 'GET' && method !== 'HEAD' && credentials.csrfToken) headers['X-CSRF-Token'] = credentials.csrfToken;
  return headers;
}

/** The ApiError for a non-2xx answer, from the API's error shape when the body has it. */
export function errorOf(status: number, body: unknown): ApiError {
  const error = (body as { error?: Partial<ApiErrorBody> } | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.code, error.message, Array.isArray(error.details) ? error.details : []);
  }
  return new ApiError(status, `http_${status}`, `The server answered ${status}.`);
}

/**
 * A client bound to the current credentials. `onUnauthorized` runs on a 401 while signed in (session
 * ended, token expired): the app goes back to sign-in.
 */
export function createApiClient(opts: {
  credentials: () => Credentials;
  onUnauthorized: () => void;
  fetchImpl?: typeof fetch;
}): ApiClient {
  const doFetch = opts.fetchImpl ?? ((input, init) => fetch(input, init));
  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(`${ADMIN_API}${path}`, {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: requestHeaders(method, opts.credentials(), body !== undefined),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'network', 'The server could not be reached.');
    }
    if (response.ok) return response;
    const parsed: unknown = await response.json().catch(() => null);
    // Only a signed-in page can lose its session (a refused sign-in or the start-up check is not that).
    const credentials = opts.credentials();
    if (response.status === 401 && (credentials.csrfToken || credentials.bearerToken)) opts.onUnauthorized();
    throw errorOf(response.status, parsed);
  }
  return {
    async get(path, query) {
      return (await request('GET', `${path}${queryString(query)}`)).json();
    },
    async send(method, path, body) {
      const response = await request(method, path, body);
      return response.status === 204 ? (undefined as never) : response.json();
    },
    async blob(path) {
      // Capture hrefs are absolute API paths. `delivery=link`: a capture too large for the API response (AWS)
      // comes back as a short-lived signed link instead of a redirect, so the page fetches it itself.
      const relative = path.startsWith(ADMIN_API) ? path.slice(ADMIN_API.length) : path;
      const separator = relative.includes('?') ? '&' : '?';
      const response = await request('GET', `${relative}${separator}delivery=link`);
      if (!(response.headers.get('Content-Type') ?? '').startsWith('application/json')) return response.blob();
      return fetchSignedLink(doFetch, ((await response.json()) as CaptureLink).data.url);
    },
  };
}

/** The admin API's answer for a capture too large to return inline (`delivery=link`). */
interface CaptureLink {
  data: { url: string; contentType: string; expiresAt: string };
}

/**
 * The bytes behind a signed link (the captures bucket on AWS). The signature in the URL is the only
 * credential: no Authorization header (S3 refuses a presigned request that carries one), no cookies, no
 * Referer, so the request needs no CORS preflight and the operator's token never leaves the API's origin.
 */
async function fetchSignedLink(doFetch: typeof fetch, url: string): Promise<Blob> {
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'GET',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, 'network', 'The capture could not be downloaded.');
  }
  if (!response.ok) throw new ApiError(response.status, 'capture_link', 'The capture could not be downloaded.');
  return response.blob();
}
