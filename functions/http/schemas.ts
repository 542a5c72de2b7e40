import * as z from 'zod';
import {
  DECISIONS,
  DECLINE_TYPES,
  DELIVERY_STATUSES,
  ENDPOINT_DISABLED_REASONS,
  MODES,
  VERIFICATION_STATUSES,
  WEBHOOK_EVENTS,
} from '../domain/model';
import { REASON_CODE_NAMES } from '../domain/reason-codes';
import { RISK_FLAG_NAMES } from '../domain/risk-flags';

/**
 * Request and response schemas of the public API. Handlers validate with them, and the OpenAPI
 * document (functions/http/openapi.ts) is generated from them, so the two cannot drift.
 */

/** Languages the hosted flow is translated into; any region of them is accepted (fr-CA -> fr). */
export const SUPPORTED_LANGUAGES = ['en', 'fr', 'ar'] as const;

export const localeSchema = z
  .string()
  .max(35)
  .superRefine((value, ctx) => {
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(value)[0];
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a BCP-47 language tag, e.g. en, fr-CA, ar' });
      return;
    }
    const language = canonical?.split('-')[0]?.toLowerCase();
    if (!language || !(SUPPORTED_LANGUAGES as readonly string[]).includes(language)) {
      ctx.addIssue({
        code: 'custom',
        message: `unsupported locale; supported languages: ${SUPPORTED_LANGUAGES.join(', ')}`,
      });
    }
  })
  .meta({
    description: 'BCP-47 locale for the hosted flow. Supported languages: en, fr, ar (any region).',
    example: 'fr',
  });

export const metadataSchema = z
  .record(
    z.string().min(1, 'metadata keys must not be empty').max(40, 'metadata keys are at most 40 characters'),
    z.union([
      z.string().max(500, 'metadata values are at most 500 characters'),
      z.number().finite(),
      z.boolean(),
      z.null(),
    ]),
  )
  .refine((m) => Object.keys(m).length <= 50, 'metadata has at most 50 keys')
  .meta({
    description:
      'Your own key/values, echoed back in GET and webhooks. At most 50 keys; keys <= 40 chars; values are scalars, strings <= 500 chars.',
    example: { orderId: 'A-1234' },
  });

export const createVerificationBody = z
  .object({
    applicantEmail: z.email('must be a valid email address').max(254).optional().meta({ example: 'user@example.com' }),
    locale: localeSchema.optional(),
    returnUrl: z
      .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
      .max(2048)
      .optional()
      .meta({
        description:
          'Where the hosted flow sends the applicant at the end (https; http only for localhost on the local runtime). Receives ?verificationId=&status=.',
      }),
    metadata: metadataSchema.optional(),
    flowId: z
      .string()
      .max(64)
      .optional()
      .meta({ description: 'Legacy keys only (no bound flow). A bound key decides the flow.' }),
  })
  .strict();
export type CreateVerificationBody = z.infer<typeof createVerificationBody>;

export const createVerificationResponse = z.object({
  data: z.object({
    id: z.string().meta({ example: 'vrf_9a2b7c1d4e5f6g7h8i9j' }),
    status: z.literal('pending'),
    clientToken: z.string(),
    verifyUrl: z.url(),
    expiresAt: z.iso.datetime(),
  }),
});

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
});

export const getVerificationResponse = z.object({ data: verificationView });

export const simulateBody = z
  .object({
    decision: z.enum(DECISIONS),
    declineType: z.enum(DECLINE_TYPES).optional(),
    reasonCodes: z
      .array(z.enum(REASON_CODE_NAMES as [string, ...string[]]))
      .max(20)
      .optional(),
    riskFlags: z
      .array(z.enum(RISK_FLAG_NAMES as [string, ...string[]]))
      .max(20)
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.declineType && b.decision !== 'declined')
      ctx.addIssue({ code: 'custom', path: ['declineType'], message: 'only with decision "declined"' });
  });
export type SimulateBody = z.infer<typeof simulateBody>;

export const webhookEventSchema = z.enum(WEBHOOK_EVENTS);

export const createWebhookBody = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).max(2048),
    events: z
      .array(webhookEventSchema)
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .refine((a) => new Set(a).size === a.length, 'duplicate event'),
  })
  .strict();
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

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
  status: z.enum(['active', 'disabled']).meta({
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
