import * as z from 'zod';
import { DECISIONS, DECLINE_TYPES, WEBHOOK_EVENTS } from '../domain/model';
import { REASON_CODE_NAMES } from '../domain/reason-codes';
import { RISK_FLAG_NAMES } from '../domain/risk-flags';

/**
 * Request bodies of the integrator API: the input types of its use cases, validated at the trust boundary
 * by the handlers. The OpenAPI document (functions/http/openapi.ts) is generated from these schemas.
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

const reasonCodesSchema = z.array(z.enum(REASON_CODE_NAMES as [string, ...string[]])).max(20);

/** Fields of a simulated outcome, shared by the integrator's and the applicant's simulate bodies. */
const simulatedOutcomeFields = {
  decision: z.enum(DECISIONS),
  declineType: z.enum(DECLINE_TYPES).optional(),
  reasonCodes: reasonCodesSchema.optional(),
};

function refineSimulatedOutcome(
  b: { decision: string; declineType?: string | undefined; reasonCodes?: string[] | undefined },
  ctx: z.RefinementCtx,
): void {
  if (b.declineType && b.decision !== 'declined')
    ctx.addIssue({ code: 'custom', path: ['declineType'], message: 'only with decision "declined"' });
  if (b.decision === 'approved' && b.reasonCodes && b.reasonCodes.length > 0)
    ctx.addIssue({ code: 'custom', path: ['reasonCodes'], message: 'an approval has no reason codes' });
}

/** Test mode, integrator API: the outcome, reason codes and risk flags to drive a verification to. */
export const simulateBody = z
  .object({
    ...simulatedOutcomeFields,
    riskFlags: z
      .array(z.enum(RISK_FLAG_NAMES as [string, ...string[]]))
      .max(20)
      .optional(),
  })
  .strict()
  .superRefine(refineSimulatedOutcome);
export type SimulateBody = z.infer<typeof simulateBody>;

/** Test mode, applicant API (the hosted page's test panel): the same outcome without risk flags. */
export const applicantSimulateBody = z.object(simulatedOutcomeFields).strict().superRefine(refineSimulatedOutcome);
export type ApplicantSimulateBody = z.infer<typeof applicantSimulateBody>;

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
