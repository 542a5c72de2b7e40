import * as z from 'zod';
import {
  DECISIONS,
  DECLINE_TYPES,
  DELIVERY_STATUSES,
  ENDPOINT_DISABLED_REASONS,
  ENDPOINT_STATUSES,
  MODES,
  REVIEW_DECISIONS,
  VERIFICATION_STATUSES,
} from '../domain/model';
import { webhookEventSchema } from '../app/schemas';
import { REASON_CODE_NAMES } from '../domain/reason-codes';
import { RISK_FLAG_NAMES } from '../domain/risk-flags';

/**
 * Response schemas of the public API. The request schemas live with the use cases (functions/app/schemas.ts);
 * the OpenAPI document (functions/http/openapi.ts) is generated from both, so it cannot drift.
 */

export const createVerificationResponse = z.object({
  data: z.object({
    id: z.string().meta({ example: 'vrf_9a2b7c1d4e5f6g7h8i9j' }),
    status: z.literal('pending'),
    clientToken: z.string(),
    verifyUrl: z.url(),
    expiresAt: z.iso.datetime(),
  }),
});

/**
 * The human decision on a `review` case (null until a reviewer decides). The reviewer's identity is in the
 * audit trail, never in the payload.
 */
export const reviewView = z
  .object({
    decidedAt: z.iso.datetime(),
    decision: z.enum(REVIEW_DECISIONS),
    note: z.string(),
  })
  .nullable();

export const verificationView = z.object({
  verificationId: z.string(),
  status: z.enum(VERIFICATION_STATUSES),
  decision: z.enum(DECISIONS).nullable(),
  declineType: z.enum(DECLINE_TYPES).nullable(),
  reasonCodes: z.array(z.enum(REASON_CODE_NAMES as [string, ...string[]])),
  riskFlags: z.array(z.enum(RISK_FLAG_NAMES as [string, ...string[]])),
  mode: z.enum(MODES),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
  flowId: z.string(),
  expiresAt: z.iso.datetime(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  attempts: z.number().int(),
  maxAttempts: z.number().int().optional(),
  review: reviewView,
  redacted: z.boolean().meta({
    description:
      "Personal data was erased (POST .../redact, or the flow's retention period ended): applicantEmail, metadata, captures and face data are gone; the decision record stays.",
  }),
});

export const getVerificationResponse = z.object({ data: verificationView });

export const webhookHealth = z.object({
  lastAttemptAt: z.iso.datetime().nullable(),
  lastStatus: z.enum(DELIVERY_STATUSES).nullable(),
  lastStatusCode: z.number().int().nullable(),
  consecutiveFailures: z.number().int(),
  successRate: z.number().min(0).max(1).nullable(),
  recentDeliveries: z.number().int(),
  pending: z.number().int(),
  deadLettered: z.number().int(),
});

export const webhookView = z.object({
  id: z.string().meta({ example: 'whe_0123456789abcdefghij' }),
  url: z.url(),
  events: z.array(webhookEventSchema),
  mode: z.enum(MODES),
  createdAt: z.iso.datetime(),
  status: z.enum(ENDPOINT_STATUSES).meta({
    description:
      'disabled: the endpoint receives no deliveries (see disabledReason); register it again with an active key.',
  }),
  disabledAt: z.iso.datetime().nullable(),
  disabledReason: z
    .enum(ENDPOINT_DISABLED_REASONS)
    .nullable()
    .meta({ description: 'key_revoked: the key that registered the endpoint (and signs its deliveries) was revoked.' }),
  health: webhookHealth,
});

export const createWebhookResponse = z.object({ data: webhookView });
export const listWebhooksResponse = z.object({ data: z.array(webhookView) });

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), issue: z.string() })),
  }),
});

export const deleteWebhookResponse = z.object({ data: z.object({ id: z.string(), deleted: z.literal(true) }) });
