/**
 * The one route table. The local server dispatches on it and the CDK API builds its
 * API Gateway resources from it, so both runtimes expose exactly the same paths.
 * Pure data: importing it pulls in no handler code.
 */
import { OPERATOR_ROLES, type OperatorRole } from '../domain/operators';

/** How a route authenticates. */
export type RouteAuth =
  /** X-Api-Key with a KYC key; browser Origin rejected. */
  | 'kycKey'
  /** The verification's client token (Authorization: Bearer <token>). */
  | 'clientToken'
  /**
   * A signed-in operator (dashboard). Local runtime: the session cookie, plus `X-CSRF-Token` on every
   * state-changing method. AWS: a Cognito ID token (Authorization: Bearer) checked by the Cognito authorizer.
   * Either way the handler checks the route's `roles` again.
   */
  | 'operator'
  | 'none';

/** Which Lambda function serves the route on AWS (grouped by the permissions they need). */
export type LambdaGroup = 'integrator' | 'applicant' | 'public' | 'admin';

export interface RouteDef {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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
  /** `operator` routes: the roles allowed (checked by the handler on both runtimes). */
  roles?: readonly OperatorRole[];
  /** Only the local runtime serves it (password sign-in; on AWS the Cognito hosted login signs in). */
  localOnly?: boolean;
}

export const INTEGRATOR_BASE = '/api/v1/external/kyc';
export const APPLICANT_BASE = '/api/v1/applicant';
export const ADMIN_BASE = '/api/v1/admin';

const ADMIN_ONLY = ['admin'] as const satisfies readonly OperatorRole[];
const ANY_OPERATOR: readonly OperatorRole[] = OPERATOR_ROLES;

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
    id: 'redactVerification',
    method: 'POST',
    path: `${INTEGRATOR_BASE}/verifications/{id}/redact`,
    auth: 'kycKey',
    lambda: 'integrator',
    summary: "Erase a verification's personal data, keeping the decision record",
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
  // Admin API (the dashboard): operators only, role-checked on the server.
  {
    id: 'adminSignIn',
    method: 'POST',
    path: `${ADMIN_BASE}/session`,
    auth: 'none',
    lambda: 'admin',
    localOnly: true,
    summary: 'Local runtime: sign in with email and password (sets the session cookie)',
  },
  {
    id: 'adminSignOut',
    method: 'DELETE',
    path: `${ADMIN_BASE}/session`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    localOnly: true,
    summary: 'Local runtime: sign out (ends the session)',
  },
  {
    id: 'adminGetSession',
    method: 'GET',
    path: `${ADMIN_BASE}/session`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: 'The signed-in operator (email, role, organisation, CSRF token)',
  },
  {
    id: 'adminListKeys',
    method: 'GET',
    path: `${ADMIN_BASE}/keys`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'List KYC keys (prefix, flow, mode, name, created, last used, revoked)',
  },
  {
    id: 'adminMintKey',
    method: 'POST',
    path: `${ADMIN_BASE}/keys`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Mint a key bound to a flow; the key and its signing secret are in this response only',
  },
  {
    id: 'adminRevokeKey',
    method: 'DELETE',
    path: `${ADMIN_BASE}/keys/{id}`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Revoke a key',
  },
  {
    id: 'adminRotateKeySecret',
    method: 'POST',
    path: `${ADMIN_BASE}/keys/{id}/rotate-secret`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Rotate the webhook signing secret; the old one keeps signing until the overlap window ends',
  },
  {
    id: 'adminListFlows',
    method: 'GET',
    path: `${ADMIN_BASE}/flows`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'List flows (the default flow is marked)',
  },
  {
    id: 'adminCreateFlow',
    method: 'POST',
    path: `${ADMIN_BASE}/flows`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Create a flow',
  },
  {
    id: 'adminGetFlow',
    method: 'GET',
    path: `${ADMIN_BASE}/flows/{id}`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Read a flow',
  },
  {
    id: 'adminUpdateFlow',
    method: 'PATCH',
    path: `${ADMIN_BASE}/flows/{id}`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Change some settings of a flow',
  },
  {
    id: 'adminSetDefaultFlow',
    method: 'POST',
    path: `${ADMIN_BASE}/flows/{id}/default`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: "Make a flow the organisation's default",
  },
  {
    id: 'adminListWebhooks',
    method: 'GET',
    path: `${ADMIN_BASE}/webhooks`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'List webhook endpoints (both modes) with delivery health',
  },
  {
    id: 'adminCreateWebhook',
    method: 'POST',
    path: `${ADMIN_BASE}/webhooks`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: "Register a webhook endpoint signed with a key's secret",
  },
  {
    id: 'adminDeleteWebhook',
    method: 'DELETE',
    path: `${ADMIN_BASE}/webhooks/{id}`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Remove a webhook endpoint',
  },
  {
    id: 'adminTestWebhook',
    method: 'POST',
    path: `${ADMIN_BASE}/webhooks/{id}/test`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Send a signed test event (verification.completed with sample data) to the endpoint',
  },
  {
    id: 'adminListDeliveries',
    method: 'GET',
    path: `${ADMIN_BASE}/webhooks/{id}/deliveries`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Delivery log of an endpoint, newest first (request body, status, latency, attempts)',
  },
  {
    id: 'adminRedeliver',
    method: 'POST',
    path: `${ADMIN_BASE}/webhooks/{id}/deliveries/{deliveryId}/redeliver`,
    auth: 'operator',
    roles: ADMIN_ONLY,
    lambda: 'admin',
    summary: 'Send a delivery again (same id and body, fresh retry budget)',
  },
  {
    id: 'adminListVerifications',
    method: 'GET',
    path: `${ADMIN_BASE}/verifications`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: 'List verifications, newest first, with filters and cursor pagination',
  },
  {
    id: 'adminGetVerification',
    method: 'GET',
    path: `${ADMIN_BASE}/verifications/{id}`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: 'Verification detail: attempts, check results and scores, consent, captures, deliveries, audit trail',
  },
  {
    id: 'adminGetCapture',
    method: 'GET',
    path: `${ADMIN_BASE}/verifications/{id}/captures/{captureId}`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: 'The bytes of one capture (while retained), streamed to the signed-in operator; never cached',
  },
  {
    id: 'adminDecideReview',
    method: 'POST',
    path: `${ADMIN_BASE}/verifications/{id}/review`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: 'Decide a verification in review (once; final)',
  },
  {
    id: 'adminReviewQueue',
    method: 'GET',
    path: `${ADMIN_BASE}/review-queue`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: 'Verifications waiting for a human decision, oldest first, with their evidence',
  },
  {
    id: 'adminListAudit',
    method: 'GET',
    path: `${ADMIN_BASE}/audit`,
    auth: 'operator',
    roles: ANY_OPERATOR,
    lambda: 'admin',
    summary: "The organisation's audit log, newest first",
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
  {
    id: 'applicantOpenapi',
    method: 'GET',
    path: `${APPLICANT_BASE}/openapi.json`,
    auth: 'none',
    lambda: 'public',
    summary: 'OpenAPI 3.1 document of the applicant API',
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
      const value = p[i] ? decodeSegment(p[i]!) : null;
      if (value === null) return null; // empty, or not valid percent-encoding: no route has that path
      params[seg.slice(1, -1)] = value;
    } else if (seg !== p[i]) {
      return null;
    }
  }
  return params;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // URIError: a malformed escape such as `%E0%A4%A` or `%zz`
  }
}

/** Path of the local runtime's capture bytes route (`putUploadBytes`) for one capture. */
export function uploadBytesPath(captureId: string): string {
  return `${APPLICANT_BASE}/uploads/${encodeURIComponent(captureId)}/bytes`;
}
