import * as z from 'zod';
import { APPLICANT_STEPS } from '../domain/captures';
import { flowSettingsSchema } from '../domain/flows';
import {
  CHECK_NAMES,
  CHECK_OUTCOMES,
  DECISIONS,
  DECLINE_TYPES,
  DELIVERY_STATUSES,
  DOCUMENT_TYPES,
  MODES,
  REVIEW_DECISIONS,
  VERIFICATION_STATUSES,
} from '../domain/model';
import { OPERATOR_ROLES } from '../domain/operators';
import { REASON_CODE_NAMES } from '../domain/reason-codes';
import { RISK_FLAG_NAMES } from '../domain/risk-flags';
import { CAPTURE_VIEW_KINDS } from '../app/admin-console';
import { createWebhookBody, webhookEventSchema } from '../app/schemas';
import { reviewView, verificationView, webhookView } from './schemas';

/**
 * Request and response schemas of the admin API (`/api/v1/admin/...`, the dashboard's API). Handlers
 * validate with them and the OpenAPI document is generated from them, like the integrator API's.
 */

const modeSchema = z.enum(MODES);
const reasonCodeSchema = z.enum(REASON_CODE_NAMES as [string, ...string[]]);
const riskFlagSchema = z.enum(RISK_FLAG_NAMES as [string, ...string[]]);
const isoDate = z.iso.datetime();
const data = <T extends z.ZodType>(schema: T) => z.object({ data: schema });
const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    /** Opaque; pass as `?cursor=` for the next page. Null on the last page. */
    nextCursor: z.string().nullable(),
  });

export const operatorRoleSchema = z.enum(OPERATOR_ROLES);

// ---- Session -------------------------------------------------------------------------------------------

export const signInBody = z
  .object({
    email: z.email('must be a valid email address').max(254),
    password: z.string().min(1, 'required').max(256),
  })
  .strict();
export type SignInBody = z.infer<typeof signInBody>;

export const operatorSessionView = z.object({
  email: z.string(),
  role: operatorRoleSchema,
  orgId: z.string(),
  /** Send as `X-CSRF-Token` on every POST/PATCH/PUT/DELETE. Null on AWS (Cognito bearer tokens are not ambient). */
  csrfToken: z.string().nullable(),
  /** When the session ends at the latest (absolute lifetime); the idle timeout may end it earlier. */
  expiresAt: isoDate.nullable(),
});
export const sessionResponse = data(operatorSessionView);
export const signOutResponse = data(z.object({ signedOut: z.literal(true) }));

// ---- Keys ----------------------------------------------------------------------------------------------

export const keyView = z.object({
  keyId: z.string().meta({ example: 'key_0123456789abcdefghij' }),
  prefix: z.string().meta({ description: 'First characters of the key, safe to display' }),
  mode: modeSchema,
  flowId: z.string().nullable().meta({ description: 'Bound flow; null for a legacy key' }),
  name: z.string().nullable(),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  /** Set while a rotated-out signing secret still signs deliveries (overlap window). */
  previousSecretExpiresAt: isoDate.nullable(),
});
export const listKeysResponse = data(z.array(keyView));

export const mintKeyBody = z
  .object({
    mode: modeSchema,
    flowId: z.string().min(1).max(64).meta({ description: 'The flow every verification created with the key uses' }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type MintKeyBody = z.infer<typeof mintKeyBody>;

export const mintedKeyView = z.object({
  keyId: z.string(),
  key: z.string().meta({ description: 'Shown in this response only; only its SHA-256 is stored' }),
  secret: z.string().meta({ description: 'Webhook signing secret (whsec_...); shown in this response only' }),
  prefix: z.string(),
  mode: modeSchema,
  flowId: z.string().nullable(),
  name: z.string().nullable(),
  createdAt: isoDate,
});
export const mintKeyResponse = data(mintedKeyView);

export const revokeKeyResponse = data(z.object({ keyId: z.string(), revokedAt: isoDate }));

/** Longest overlap a rotation may keep the old secret signing (7 days). */
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 86_400;

export const rotateSecretBody = z
  .object({
    overlapSeconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).default(86_400).meta({
      description:
        'How long the old secret keeps signing next to the new one (webhook-signature lists both). 0 = stop at once. Default 24 h, at most 7 days.',
    }),
  })
  .strict();
export type RotateSecretBody = z.infer<typeof rotateSecretBody>;

export const rotatedSecretView = z.object({
  keyId: z.string(),
  secret: z.string().meta({ description: 'The new signing secret; shown in this response only' }),
  previousSecretExpiresAt: isoDate.nullable(),
});
export const rotateSecretResponse = data(rotatedSecretView);

// ---- Flows ---------------------------------------------------------------------------------------------

export const flowView = z.object({
  id: z.string().meta({ example: 'flow_0123456789abcdefghij' }),
  name: z.string(),
  isDefault: z.boolean(),
  checks: z.array(z.enum(CHECK_NAMES)),
  documentTypes: z.array(z.enum(DOCUMENT_TYPES)),
  issuingCountries: z.array(z.string()),
  thresholds: z.object({
    faceMatchMaxDistance: z.number(),
    faceMatchMinSimilarity: z.number(),
    livenessMinTurnDegrees: z.number(),
    minFaceConfidence: z.number(),
  }),
  minimumAge: z.number().int().nullable(),
  maxAttempts: z.number().int(),
  linkLifetimeSeconds: z.number().int(),
  retentionDays: z.number().int(),
  livenessPrompts: z.number().int(),
  useFaceLivenessSession: z.boolean(),
  /** The applicant's steps this flow implies, in order (consent first). */
  steps: z.array(z.enum(APPLICANT_STEPS)),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export const flowResponse = data(flowView);
export const listFlowsResponse = data(z.array(flowView));

/** Create: the CLI's settings (same schema, same validation) plus `setDefault`. */
export const createFlowBody = flowSettingsSchema.extend({ setDefault: z.boolean().optional() }).strict();
export type CreateFlowBody = z.infer<typeof createFlowBody>;
/** Update: any subset of the settings; thresholds merge with the current ones. */
export const updateFlowBody = flowSettingsSchema;

// ---- Webhooks ------------------------------------------------------------------------------------------

export const adminWebhookView = webhookView.extend({
  keyId: z.string().meta({ description: "The key whose signing secret signs this endpoint's deliveries" }),
});
export const listAdminWebhooksResponse = data(z.array(adminWebhookView));
export const adminWebhookResponse = data(adminWebhookView);

export const adminCreateWebhookBody = createWebhookBody
  .extend({
    keyId: z.string().min(1).max(64).meta({
      description: "The key whose secret signs deliveries; the endpoint receives that key's mode (live/test) events",
    }),
  })
  .strict();
export type AdminCreateWebhookBody = z.infer<typeof adminCreateWebhookBody>;

export const deleteAdminWebhookResponse = data(z.object({ id: z.string(), deleted: z.literal(true) }));

export const deliveryAttemptView = z.object({
  at: isoDate,
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number(),
});

export const deliveryView = z.object({
  id: z.string().meta({ example: 'whd_0123456789abcdefghij' }),
  endpointId: z.string(),
  verificationId: z.string().nullable().meta({ description: 'Null for a test event' }),
  event: webhookEventSchema,
  status: z.enum(DELIVERY_STATUSES),
  createdAt: isoDate,
  /** The exact body that was signed and sent. */
  requestBody: z.string(),
  attempts: z.array(deliveryAttemptView),
  lastStatusCode: z.number().int().nullable(),
  lastLatencyMs: z.number().nullable(),
  nextAttemptAt: isoDate.nullable(),
});
/** The delivery log's page: `cursor` is the previous page's `nextCursor` (opaque). */
export const listDeliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export const listDeliveriesResponse = page(deliveryView);
export const deliveryResponse = data(deliveryView);

// ---- Verifications -------------------------------------------------------------------------------------

export const verificationStatusSchema = z.enum(VERIFICATION_STATUSES);

export const listVerificationsQuery = z
  .object({
    status: verificationStatusSchema.optional(),
    decision: z.enum(DECISIONS).optional(),
    mode: modeSchema.optional(),
    flowId: z.string().max(64).optional(),
    email: z.string().max(254).optional().meta({ description: 'Applicant email, exact match (case-insensitive)' }),
    createdFrom: isoDate.optional().meta({ description: 'Created at or after (inclusive)' }),
    createdTo: isoDate.optional().meta({ description: 'Created before (exclusive)' }),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export type ListVerificationsQuery = z.infer<typeof listVerificationsQuery>;

export const verificationSummary = z.object({
  verificationId: z.string(),
  status: verificationStatusSchema,
  decision: z.enum(DECISIONS).nullable(),
  declineType: z.enum(DECLINE_TYPES).nullable(),
  reasonCodes: z.array(reasonCodeSchema),
  riskFlags: z.array(riskFlagSchema),
  mode: modeSchema,
  flowId: z.string(),
  applicantEmail: z.string().nullable(),
  createdAt: isoDate,
  completedAt: isoDate.nullable(),
  attempts: z.number().int(),
  review: reviewView,
});
export const listVerificationsResponse = page(verificationSummary);

export const checkResultView = z.object({
  check: z.enum(CHECK_NAMES),
  outcome: z.enum(CHECK_OUTCOMES),
  scores: z.record(z.string(), z.number()),
  reasonCodes: z.array(z.string()),
  riskFlags: z.array(z.string()),
  provider: z.string(),
  /** Set when the check could not run (the runner recorded the failure). */
  error: z.string().nullable(),
});

export const captureView = z.object({
  id: z.string(),
  attempt: z.number().int(),
  kind: z.enum(CAPTURE_VIEW_KINDS),
  index: z.number().int(),
  contentType: z.string().nullable(),
  bytes: z.number().int().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Path of the admin route that streams the bytes to a signed-in operator; null once purged. */
  href: z.string().nullable(),
});

export const attemptView = z.object({
  number: z.number().int(),
  submittedAt: isoDate,
  completedAt: isoDate.nullable(),
  decision: z.enum(DECISIONS).nullable(),
  declineType: z.enum(DECLINE_TYPES).nullable(),
  reasonCodes: z.array(z.string()),
  riskFlags: z.array(z.string()),
  checks: z.array(checkResultView),
  captures: z.array(captureView),
});

export const auditEntryView = z.object({
  id: z.string(),
  at: isoDate,
  type: z.string().meta({ example: 'verification.reviewed' }),
  verificationId: z.string().nullable(),
  /** Who: `operator:<email>`, `applicant`, `system`, or `key:<keyId>`. */
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const consentView = z
  .object({
    accepted: z.boolean(),
    textVersion: z.string(),
    locale: z.string(),
    at: isoDate,
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .nullable();

export const verificationDetail = verificationView.extend({
  applicantEmail: z.string().nullable(),
  locale: z.string().nullable(),
  consent: consentView,
  purgedAt: isoDate.nullable(),
  purgeAfter: isoDate.nullable(),
  timeline: z.array(attemptView),
  deliveries: z.array(deliveryView.omit({ requestBody: true })),
  audit: z.array(auditEntryView),
});
export const verificationDetailResponse = data(verificationDetail);

/**
 * How a capture too large for the API response (AWS: over 4 MiB, the Lambda response limit) comes back:
 * `redirect` (default) answers 303 to a 60-second signed link; `link` answers 200 with that link as JSON, so
 * a browser client fetches it itself with no credentials (a redirect must not carry its Authorization header
 * to S3, which refuses a presigned request that also has one).
 */
export const captureQuery = z
  .object({
    delivery: z.enum(['redirect', 'link']).default('redirect').meta({
      description:
        'For a capture too large for the response (AWS, over 4 MiB): `redirect` answers 303 to the signed link, `link` answers 200 with it as JSON. Smaller captures are always the bytes.',
    }),
  })
  .strict();
export const captureLinkResponse = data(
  z.object({
    url: z.string().meta({ description: 'Signed GET of the bytes; send no credentials with it' }),
    contentType: z.string(),
    expiresAt: isoDate,
  }),
);

export const reviewQueueQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export const reviewQueueResponse = page(verificationDetail);

export const reviewDecisionBody = z
  .object({
    decision: z.enum(REVIEW_DECISIONS),
    declineType: z.enum(DECLINE_TYPES).optional(),
    reasonCodes: z.array(reasonCodeSchema).max(20).optional(),
    note: z.string().trim().min(1, 'required: say why').max(2000),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.declineType && b.decision !== 'declined')
      ctx.addIssue({ code: 'custom', path: ['declineType'], message: 'only with decision "declined"' });
  });
export type ReviewDecisionBody = z.infer<typeof reviewDecisionBody>;
export const reviewDecisionResponse = data(verificationView);

// ---- Audit ---------------------------------------------------------------------------------------------

export const listAuditQuery = z
  .object({
    verificationId: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export const listAuditResponse = page(auditEntryView);
