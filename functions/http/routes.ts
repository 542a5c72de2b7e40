/**
 * The one route table. The local server dispatches on it and the CDK API builds its
 * API Gateway resources from it, so both runtimes expose exactly the same paths.
 * Pure data: importing it pulls in no handler code.
 */

/** How a route authenticates. */
export type RouteAuth =
  /** X-Api-Key with a KYC key; browser Origin rejected. */
  | 'kycKey'
  /** The verification's client token (Authorization: Bearer <token>). */
  | 'clientToken'
  | 'none';

/** Which Lambda function serves the route on AWS (grouped by the permissions they need). */
export type LambdaGroup = 'integrator' | 'applicant' | 'public';

export interface RouteDef {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway style path with {param} placeholders. */
  path: string;
  auth: RouteAuth;
  lambda: LambdaGroup;
  summary: string;
  /**
   * The body is raw capture bytes (up to the upload size limit), read only once the client token has
   * been checked. Every other body is JSON of at most 64 KB.
   */
  captureBytes?: true;
}

export const INTEGRATOR_BASE = '/api/v1/external/kyc';
export const APPLICANT_BASE = '/api/v1/applicant';

export const routes = [
  // Integrator API (the spec).
  {
    id: 'createVerification',
    method: 'POST',
    path: `${INTEGRATOR_BASE}/verifications`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: 'Create a verification session',
  },
  {
    id: 'getVerification',
    method: 'GET',
    path: `${INTEGRATOR_BASE}/verifications/{id}`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: "Read a verification's status and decision",
  },
  {
    id: 'simulateVerification',
    method: 'POST',
    path: `${INTEGRATOR_BASE}/verifications/{id}/simulate`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: 'Test mode: drive a verification to an outcome',
  },
  {
    id: 'createWebhook',
    method: 'POST',
    path: `${INTEGRATOR_BASE}/webhooks`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: 'Register a webhook endpoint',
  },
  {
    id: 'listWebhooks',
    method: 'GET',
    path: `${INTEGRATOR_BASE}/webhooks`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: 'List webhook endpoints with delivery health',
  },
  {
    id: 'deleteWebhook',
    method: 'DELETE',
    path: `${INTEGRATOR_BASE}/webhooks/{id}`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: 'Remove a webhook endpoint',
  },
  // Applicant API (used by the hosted flow, authorized by the client token).
  {
    id: 'getSession',
    method: 'GET',
    path: `${APPLICANT_BASE}/session`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Session info: steps, locale, status, expiry, attempts left',
  },
  {
    id: 'postConsent',
    method: 'POST',
    path: `${APPLICANT_BASE}/consent`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Record consent (accepted or declined)',
  },
  {
    id: 'createUpload',
    method: 'POST',
    path: `${APPLICANT_BASE}/uploads`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Request an upload slot for a capture',
  },
  {
    id: 'putUploadBytes',
    method: 'PUT',
    path: `${APPLICANT_BASE}/uploads/{captureId}/bytes`, // uploadBytesPath() below fills it in
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Local runtime only: send capture bytes (S3 presigned POST on AWS)',
    captureBytes: true,
  },
  {
    id: 'completeUpload',
    method: 'POST',
    path: `${APPLICANT_BASE}/uploads/{captureId}/complete`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Confirm an upload; the server validates the bytes',
  },
  {
    id: 'createLivenessSession',
    method: 'POST',
    path: `${APPLICANT_BASE}/liveness-session`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'AWS, flows with useFaceLivenessSession: open a Rekognition Face Liveness session',
  },
  {
    id: 'submitAttempt',
    method: 'POST',
    path: `${APPLICANT_BASE}/submit`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Submit captures for checking',
  },
  {
    id: 'simulateAttempt',
    method: 'POST',
    path: `${APPLICANT_BASE}/simulate`,
    auth: 'clientToken',
    lambda: 'applicant',
    summary: 'Test mode: choose the outcome instead of running checks',
  },
  // Public.
  {
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    auth: 'none',
    lambda: 'public',
    summary: 'OpenAPI 3.1 document',
  },
  { id: 'health', method: 'GET', path: '/healthz', auth: 'none', lambda: 'public', summary: 'Liveness probe' },
] as const satisfies readonly RouteDef[];

export type RouteId = (typeof routes)[number]['id'];

/** Matches a concrete path against a route path; returns path params or null. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!p[i]) return null;
      params[seg.slice(1, -1)] = decodeURIComponent(p[i]!);
    } else if (seg !== p[i]) {
      return null;
    }
  }
  return params;
}

/** Path of the local runtime's capture bytes route (`putUploadBytes`) for one capture. */
export function uploadBytesPath(captureId: string): string {
  return `${APPLICANT_BASE}/uploads/${encodeURIComponent(captureId)}/bytes`;
}
