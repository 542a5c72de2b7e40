import * as z from 'zod';
import * as admin from './admin-schemas';
import { routes, type RouteDef, type RouteId } from './routes';
import { applicantSimulateBody, createVerificationBody, createWebhookBody, simulateBody } from '../app/schemas';
import { consentBody, createUploadBody, submitBody, UPLOAD_CONTENT_TYPES } from '../app/applicant/schemas';
import {
  completedCaptureResponse,
  livenessSessionResponse,
  sessionResponse,
  uploadSlotResponse,
} from './applicant-schemas';
import {
  createVerificationResponse,
  createWebhookResponse,
  deleteWebhookResponse,
  errorResponse,
  getVerificationResponse,
  listWebhooksResponse,
} from './schemas';

/**
 * OpenAPI 3.1 document generated from the route table and the zod schemas the handlers validate with.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what `z.toJSONSchema` emits.
 */
interface Operation {
  request?: z.ZodType;
  /** A raw (non-JSON) body instead: its accepted media types. */
  rawRequest?: readonly string[];
  /** Query parameters, from a zod object schema. */
  query?: z.ZodObject;
  /** `rawContent`: non-JSON media types the response may also be (e.g. image bytes). */
  responses: Record<number, { description: string; schema?: z.ZodType; rawContent?: readonly string[] }>;
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  tag: string;
  /** Longer explanation than the route table's summary. */
  description?: string;
}

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: ERROR_TEXT[c] ?? 'Error', schema: errorResponse }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `details` names each field',
  401: 'Missing, unknown or revoked API key',
  403: 'Browser Origin present, feature not enabled for the plan, or test-only operation with a live key',
  404: 'Not found (or belongs to another organisation)',
  409: 'Conflict (idempotency key reuse, finished verification)',
  413: 'Body larger than 64 KB',
  415: 'Body is not application/json',
  429: 'Too many failed sign-ins: wait Retry-After seconds',
};

/** Admin API errors read differently: operators authenticate with a session, not a key. */
const ADMIN_ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `details` names each field',
  401: 'Not signed in, session expired (idle 30 min, absolute 12 h) or operator disabled',
  403: 'The role may not do this, or the X-CSRF-Token header is missing or wrong (local runtime)',
  404: 'Not found (or belongs to another organisation)',
  409: 'Conflict (already decided, not in review, key revoked)',
  413: 'Body larger than 64 KB',
  415: 'Body is not application/json',
  429: 'Too many failed sign-ins: wait Retry-After seconds',
};
const adminErrors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: ADMIN_ERROR_TEXT[c] ?? 'Error', schema: errorResponse }]));
const READ = [401, 403] as const;
const WRITE = [400, 401, 403, 413, 415] as const;

const OPERATIONS: Partial<Record<RouteId, Operation>> = {
  createVerification: {
    tag: 'Verifications',
    request: createVerificationBody,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Makes the POST safe to retry: the same key and body within 24 h return the first response; a different body returns 409.',
      },
    ],
    responses: {
      201: { description: 'Created', schema: createVerificationResponse },
      ...errors(400, 401, 403, 409, 413, 415),
    },
  },
  getVerification: {
    tag: 'Verifications',
    responses: {
      200: { description: 'The verification (webhook data shape)', schema: getVerificationResponse },
      ...errors(401, 403, 404),
    },
  },
  simulateVerification: {
    tag: 'Test mode',
    request: simulateBody,
    responses: {
      200: { description: 'The verification after the simulated decision', schema: getVerificationResponse },
      ...errors(400, 401, 403, 404, 409, 413, 415),
    },
  },
  redactVerification: {
    tag: 'Verifications',
    description:
      "Erases the verification's personal data at once: captured images, face data (vector and face index entries), applicantEmail, metadata, returnUrl, the consent's IP address and user agent, and metadata inside stored webhook bodies. The decision record stays (ids, flow, mode, status, decision, declineType, reasonCodes, riskFlags, timestamps, consent text version and time) and reads `redacted: true` in polling and webhooks. A session still collecting captures is ended first (status `expired`). Idempotent: calling again answers 200 with the same shape.",
    responses: {
      200: { description: 'The verification after erasure (redacted: true)', schema: getVerificationResponse },
      ...errors(401, 403, 404, 413),
      409: {
        description: 'verification_in_progress: checks are running; retry once it has a decision',
        schema: errorResponse,
      },
    },
  },
  createWebhook: {
    tag: 'Webhooks',
    request: createWebhookBody,
    responses: {
      201: { description: 'Registered', schema: createWebhookResponse },
      ...errors(400, 401, 403, 413, 415),
    },
  },
  listWebhooks: {
    tag: 'Webhooks',
    responses: {
      200: { description: 'Endpoints with delivery health', schema: listWebhooksResponse },
      ...errors(401, 403),
    },
  },
  deleteWebhook: {
    tag: 'Webhooks',
    responses: { 200: { description: 'Removed', schema: deleteWebhookResponse }, ...errors(401, 403, 404) },
  },
  // Admin API (dashboard).
  adminSignIn: {
    tag: 'Admin: session',
    request: admin.signInBody,
    responses: {
      200: { description: 'Signed in; Set-Cookie carries the HttpOnly session cookie', schema: admin.sessionResponse },
      ...adminErrors(400, 401, 413, 415, 429),
    },
  },
  adminSignOut: {
    tag: 'Admin: session',
    responses: {
      200: { description: 'Signed out; the cookie is cleared', schema: admin.signOutResponse },
      ...adminErrors(...READ),
    },
  },
  adminGetSession: {
    tag: 'Admin: session',
    responses: {
      200: { description: 'The signed-in operator', schema: admin.sessionResponse },
      ...adminErrors(...READ),
    },
  },
  adminListKeys: {
    tag: 'Admin: keys',
    responses: { 200: { description: 'Keys, newest first', schema: admin.listKeysResponse }, ...adminErrors(...READ) },
  },
  adminMintKey: {
    tag: 'Admin: keys',
    request: admin.mintKeyBody,
    responses: {
      201: { description: 'Minted: key and secret shown in this response only', schema: admin.mintKeyResponse },
      ...adminErrors(...WRITE),
    },
  },
  adminRevokeKey: {
    tag: 'Admin: keys',
    responses: { 200: { description: 'Revoked', schema: admin.revokeKeyResponse }, ...adminErrors(...READ, 404, 409) },
  },
  adminRotateKeySecret: {
    tag: 'Admin: keys',
    request: admin.rotateSecretBody,
    responses: {
      200: { description: 'Rotated: the new secret, shown in this response only', schema: admin.rotateSecretResponse },
      ...adminErrors(...WRITE, 404, 409),
    },
  },
  adminListFlows: {
    tag: 'Admin: flows',
    responses: { 200: { description: 'Flows', schema: admin.listFlowsResponse }, ...adminErrors(...READ) },
  },
  adminCreateFlow: {
    tag: 'Admin: flows',
    request: admin.createFlowBody,
    responses: { 201: { description: 'Created', schema: admin.flowResponse }, ...adminErrors(...WRITE) },
  },
  adminGetFlow: {
    tag: 'Admin: flows',
    responses: { 200: { description: 'The flow', schema: admin.flowResponse }, ...adminErrors(...READ, 404) },
  },
  adminUpdateFlow: {
    tag: 'Admin: flows',
    request: admin.updateFlowBody,
    responses: { 200: { description: 'Updated', schema: admin.flowResponse }, ...adminErrors(...WRITE, 404) },
  },
  adminSetDefaultFlow: {
    tag: 'Admin: flows',
    responses: { 200: { description: 'Now the default', schema: admin.flowResponse }, ...adminErrors(...READ, 404) },
  },
  adminListWebhooks: {
    tag: 'Admin: webhooks',
    responses: {
      200: { description: 'Endpoints of both modes with health', schema: admin.listAdminWebhooksResponse },
      ...adminErrors(...READ),
    },
  },
  adminCreateWebhook: {
    tag: 'Admin: webhooks',
    request: admin.adminCreateWebhookBody,
    responses: { 201: { description: 'Registered', schema: admin.adminWebhookResponse }, ...adminErrors(...WRITE) },
  },
  adminDeleteWebhook: {
    tag: 'Admin: webhooks',
    responses: {
      200: { description: 'Removed', schema: admin.deleteAdminWebhookResponse },
      ...adminErrors(...READ, 404),
    },
  },
  adminTestWebhook: {
    tag: 'Admin: webhooks',
    responses: {
      202: { description: 'Test event queued', schema: admin.deliveryResponse },
      ...adminErrors(...READ, 404),
    },
  },
  adminListDeliveries: {
    tag: 'Admin: webhooks',
    query: admin.listDeliveriesQuery,
    responses: {
      200: { description: 'Delivery log, newest first', schema: admin.listDeliveriesResponse },
      ...adminErrors(400, ...READ, 404),
    },
  },
  adminRedeliver: {
    tag: 'Admin: webhooks',
    responses: {
      202: { description: 'Queued again (same id and body)', schema: admin.deliveryResponse },
      ...adminErrors(...READ, 404, 409),
    },
  },
  adminListVerifications: {
    tag: 'Admin: verifications',
    query: admin.listVerificationsQuery,
    responses: {
      200: { description: 'Verifications, newest first', schema: admin.listVerificationsResponse },
      ...adminErrors(400, ...READ),
    },
  },
  adminGetVerification: {
    tag: 'Admin: verifications',
    responses: {
      200: { description: 'Everything about one verification', schema: admin.verificationDetailResponse },
      ...adminErrors(...READ, 404),
    },
  },
  adminGetCapture: {
    tag: 'Admin: verifications',
    query: admin.captureQuery,
    responses: {
      200: {
        description:
          'The image bytes (Content-Type of the capture; Cache-Control: no-store). With `delivery=link`, a capture over 4 MiB on AWS is instead `{data: {url, contentType, expiresAt}}`: a signed link to the bytes, valid for 60 seconds, to be fetched with no credentials',
        schema: admin.captureLinkResponse,
        rawContent: UPLOAD_CONTENT_TYPES,
      },
      303: {
        description:
          'AWS, captures over 4 MiB (default `delivery=redirect`): Location is a signed link to the bytes in the captures bucket, valid for 60 seconds. Follow it without the Authorization header (S3 refuses a presigned request that also carries one).',
      },
      ...adminErrors(...READ, 404),
    },
  },
  adminDecideReview: {
    tag: 'Admin: review',
    request: admin.reviewDecisionBody,
    responses: {
      200: { description: 'Decided: the final data shape (review set)', schema: admin.reviewDecisionResponse },
      ...adminErrors(...WRITE, 404, 409),
    },
  },
  adminReviewQueue: {
    tag: 'Admin: review',
    query: admin.reviewQueueQuery,
    responses: {
      200: { description: 'Undecided review cases, oldest first, with evidence', schema: admin.reviewQueueResponse },
      ...adminErrors(400, ...READ),
    },
  },
  adminListAudit: {
    tag: 'Admin: audit',
    query: admin.listAuditQuery,
    responses: {
      200: { description: 'Audit log, newest first', schema: admin.listAuditResponse },
      ...adminErrors(400, ...READ),
    },
  },
};

/**
 * Applicant API errors (docs/applicant-api.md): the client token authenticates, and the session's state
 * (consent, checks running, terminal) refuses what does not apply.
 */
const APPLICANT_ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (validation_error, invalid_json): `details` names each field',
  401: 'invalid_token (missing, malformed or unknown client token) or session_expired; with WWW-Authenticate: Bearer',
  404: 'not_found: no such upload in this session',
  409: 'The session refuses it now (session_finished, consent_required, attempt_in_progress, concurrent_update)',
  413: 'Body larger than 64 KB',
  415: 'Body is not application/json',
  429: 'Limit of the attempt reached',
};
const applicantErrors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [c, { description: APPLICANT_ERROR_TEXT[c] ?? 'Error', schema: errorResponse }]),
  ) as Operation['responses'];
const applicantError = (description: string) => ({ description, schema: errorResponse });

const APPLICANT_OPERATIONS: Partial<Record<RouteId, Operation>> = {
  getSession: {
    tag: 'Session',
    description:
      'Once the verification left `pending` (checks running, or finished), this still answers after `expiresAt`, so a page that submitted just before expiry can show the result.',
    responses: { 200: { description: 'The session', schema: sessionResponse }, ...applicantErrors(401) },
  },
  postConsent: {
    tag: 'Session',
    request: consentBody,
    description:
      "`accepted: false` ends the verification (declined / final / CONSENT_DECLINED). `textVersion` must be the session's `consent.textVersion`.",
    responses: {
      200: { description: 'The session after the answer', schema: sessionResponse },
      ...applicantErrors(400, 401, 409, 413, 415),
    },
  },
  createUpload: {
    tag: 'Captures',
    request: createUploadBody,
    responses: {
      201: { description: 'An upload slot and where to send the bytes', schema: uploadSlotResponse },
      ...applicantErrors(400, 401, 409, 413, 415),
      429: applicantError('upload_limit_reached: this attempt opened 40 upload slots'),
    },
  },
  putUploadBytes: {
    tag: 'Captures',
    rawRequest: UPLOAD_CONTENT_TYPES,
    description:
      'Local runtime only (on AWS the bytes go to S3 with the presigned POST; this route answers 404 route_not_found). Content-Type must be the one requested for the slot. May be repeated until the upload is completed.',
    responses: {
      204: { description: 'Stored; complete the upload next' },
      ...applicantErrors(401, 404),
      400: applicantError('validation_error: empty body'),
      409: applicantError(
        'upload_already_completed, or the session refuses it now (session_finished, consent_required, attempt_in_progress)',
      ),
      413: applicantError('file_too_large: more than maxBytes'),
      415: applicantError('unsupported_media_type: Content-Type other than the requested one'),
      422: applicantError('upload_expired: the slot expired or belongs to an earlier attempt'),
    },
  },
  completeUpload: {
    tag: 'Captures',
    description: 'The server reads the bytes back and checks them (JPEG/PNG/WebP magic bytes, size, declared pixels).',
    responses: {
      200: { description: 'The validated capture', schema: completedCaptureResponse },
      ...applicantErrors(401, 404, 413),
      409: applicantError(
        'upload_already_completed, or the session refuses it now (session_finished, consent_required, attempt_in_progress)',
      ),
      422: applicantError(
        'The capture is rejected: unsupported_media_type, file_too_large, too_many_pixels, upload_expired, upload_missing, image_unreadable',
      ),
      429: applicantError('upload_bytes_exceeded: the attempt would keep more than 100 MB of captures'),
    },
  },
  createLivenessSession: {
    tag: 'Captures',
    responses: {
      201: { description: 'A Rekognition Face Liveness session to stream', schema: livenessSessionResponse },
      ...applicantErrors(401, 413),
      409: applicantError(
        'liveness_session_unavailable, liveness_session_limit, test_mode_use_simulate, consent_required, attempt_in_progress, session_finished',
      ),
    },
  },
  submitAttempt: {
    tag: 'Attempts',
    request: submitBody,
    responses: {
      202: { description: 'Submitted: the session, status in_progress', schema: sessionResponse },
      ...applicantErrors(400, 401, 413, 415),
      409: applicantError(
        'captures_missing (`details` names each), attempt_in_progress, attempts_exhausted, test_mode_use_simulate, consent_required, session_finished, concurrent_update',
      ),
    },
  },
  simulateAttempt: {
    tag: 'Test mode',
    request: applicantSimulateBody,
    responses: {
      200: { description: 'The session after the simulated decision', schema: sessionResponse },
      ...applicantErrors(400, 401, 409, 413, 415),
      403: applicantError('test_mode_only: a live session cannot choose its outcome'),
    },
  },
};

/** Security requirement of a route in the document. */
function securityOf(route: RouteDef): Array<Record<string, string[]>> {
  if (route.auth === 'kycKey') return [{ kycKey: [] }];
  if (route.auth === 'clientToken') return [{ clientToken: [] }];
  if (route.auth === 'operator') return [{ operatorSession: [] }, { operatorBearer: [] }];
  return [];
}

const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

/** The `paths` of a document: every route of the table that `operations` documents, in table order. */
function pathsOf(operations: Partial<Record<RouteId, Operation>>): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes as readonly RouteDef[]) {
    const op = operations[r.id as RouteId];
    if (!op) continue;
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParams = Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema: schemaOf(schema as z.ZodType),
    }));
    const csrf =
      r.auth === 'operator' && r.method !== 'GET'
        ? [
            {
              name: 'X-CSRF-Token',
              in: 'header',
              required: false,
              description:
                'Local runtime (session cookie): the csrfToken of the session; required on every state-changing request.',
              schema: { type: 'string' },
            },
          ]
        : [];
    const headerParams = (op.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    }));
    const pathItem = paths[r.path] ?? {};
    paths[r.path] = pathItem;
    pathItem[r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(r.roles ? { 'x-roles': r.roles } : {}),
      ...(r.localOnly ? { 'x-local-runtime-only': true } : {}),
      security: securityOf(r),
      parameters: [...params, ...queryParams, ...headerParams, ...csrf],
      ...(op.request
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.request) } } } }
        : {}),
      ...(op.rawRequest
        ? { requestBody: { required: true, content: Object.fromEntries(op.rawRequest.map((t) => [t, {}])) } }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([code, res]) => [
          code,
          {
            description: res.description,
            ...(res.schema || res.rawContent
              ? {
                  content: {
                    ...Object.fromEntries((res.rawContent ?? []).map((t) => [t, {}])),
                    ...(res.schema ? { 'application/json': { schema: schemaOf(res.schema) } } : {}),
                  },
                }
              : {}),
          },
        ]),
      ),
    };
  }
  return paths;
}

/** OpenAPI 3.1 document of the integrator API (and the dashboard's admin API). */
export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYC Verification API',
      version: '1.0.0',
      description:
        'Server-to-server API: create verifications, poll them, and manage signed webhooks. Authenticate with a KYC key in X-Api-Key. Requests with a browser Origin are refused. Webhook deliveries carry X-Nextcap-Signature (hex HMAC-SHA256 of the raw body with the key secret) and Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature).',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        kycKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        operatorSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'kyc_session',
          description:
            'Local runtime: the HttpOnly session cookie set by POST /api/v1/admin/session (`__Host-kyc_session` over https). State-changing requests also need X-CSRF-Token.',
        },
        operatorBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'AWS: the Cognito ID token from the hosted login (authorization code + PKCE); role from cognito:groups, organisation from custom:orgId.',
        },
      },
    },
    paths: pathsOf(OPERATIONS),
  };
}

/**
 * OpenAPI 3.1 document of the applicant API: what the hosted page (or an integrator's own app) calls with a
 * verification's client token. Served at `/api/v1/applicant/openapi.json`, published as docs/openapi-applicant.json.
 */
export function buildApplicantOpenApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYC Applicant API',
      version: '1.0.0',
      description:
        "The API of the hosted verification page: consent, capture uploads, submit, and the session's status. Every call carries the verification's client token (the `token` of verifyUrl) as `Authorization: Bearer`; a token opens only its own verification. Order of the checks: token (401 invalid_token) -> expiry (401 session_expired) -> terminal (409 session_finished, mutations only) -> body (400) -> route rules.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        clientToken: {
          type: 'http',
          scheme: 'bearer',
          description: "The verification's client token (clientToken of the create response, `token` of verifyUrl).",
        },
      },
    },
    paths: pathsOf(APPLICANT_OPERATIONS),
  };
}
