import * as z from 'zod';
import { APPLICANT_STEPS, LIVENESS_MODES } from '../domain/captures';
import {
  CAPTURE_KINDS,
  DECISIONS,
  DECLINE_TYPES,
  DOCUMENT_TYPES,
  HEAD_PROMPTS,
  MODES,
  VERIFICATION_STATUSES,
} from '../domain/model';
import type { SessionView } from '../app/applicant/session';
import type { CompletedCapture, UploadSlot } from '../app/applicant/uploads';
import type { LivenessSessionView } from '../app/applicant/liveness-session';
import type { Fits } from './applicant-contract';

/**
 * Response schemas of the applicant API (docs/applicant-api.md). The request schemas live with the use cases
 * (functions/app/applicant/schemas.ts); the applicant OpenAPI document (functions/http/openapi.ts) is
 * generated from both. The `Fits` checks below make the build fail when a use case's view type drifts from
 * what is documented here.
 */

const reasonCodes = z.array(z.string()).meta({ description: 'Reason codes (docs/reason-codes.md).' });

export const sessionView = z.object({
  verificationId: z.string().meta({ example: 'vrf_9a2b7c1d4e5f6g7h8i9j' }),
  status: z.enum(VERIFICATION_STATUSES),
  mode: z.enum(MODES),
  locale: z.string().nullable(),
  expiresAt: z.iso.datetime(),
  returnUrl: z.string().nullable(),
  steps: z.array(z.enum(APPLICANT_STEPS)),
  document: z
    .object({
      types: z.array(z.enum(DOCUMENT_TYPES)),
      issuingCountries: z.array(z.string()),
      needsBack: z.record(z.enum(DOCUMENT_TYPES), z.boolean()),
    })
    .nullable(),
  consent: z.object({ given: z.boolean(), textVersion: z.string() }),
  challenge: z
    .object({
      prompts: z.array(z.enum(HEAD_PROMPTS)),
      minTurnDegrees: z
        .number()
        .meta({ description: "Head yaw, in degrees, a turn prompt needs (the flow's livenessMinTurnDegrees)." }),
    })
    .nullable()
    .meta({ description: 'Head-turn prompts of the current attempt; null in face_liveness mode or without liveness.' }),
  liveness: z.object({ mode: z.enum(LIVENESS_MODES) }).nullable(),
  attempts: z.object({ used: z.number().int(), max: z.number().int(), left: z.number().int() }),
  lastAttempt: z
    .object({ decision: z.enum(DECISIONS).nullable(), declineType: z.enum(DECLINE_TYPES).nullable(), reasonCodes })
    .nullable(),
  decision: z.enum(DECISIONS).nullable(),
  declineType: z.enum(DECLINE_TYPES).nullable(),
  reasonCodes,
});
export const sessionResponse = z.object({ data: sessionView });

export const uploadSlotResponse = z.object({
  data: z.object({
    captureId: z.string().meta({ example: 'cap_0123456789abcdefghij' }),
    upload: z.object({
      url: z.string().meta({ description: 'Where to send the bytes (a path of this API locally, the S3 URL on AWS).' }),
      method: z.enum(['PUT', 'POST']),
      fields: z.record(z.string(), z.string()).meta({ description: 'S3 presigned POST form fields (empty for PUT).' }),
      maxBytes: z.number().int(),
      contentTypes: z.array(z.string()),
      expiresAt: z.iso.datetime(),
    }),
  }),
});

export const completedCaptureResponse = z.object({
  data: z.object({
    captureId: z.string(),
    kind: z.enum(CAPTURE_KINDS),
    index: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int(),
  }),
});

export const livenessSessionResponse = z.object({
  data: z.object({ sessionId: z.string(), region: z.string(), identityPoolId: z.string() }),
});

/** Compile-time links: what each use case returns is what this module documents. */
export type ApplicantResponsesFit = [
  Fits<z.input<typeof sessionView>, SessionView>,
  Fits<z.input<typeof uploadSlotResponse>['data'], UploadSlot>,
  Fits<z.input<typeof completedCaptureResponse>['data'], CompletedCapture>,
  Fits<z.input<typeof livenessSessionResponse>['data'], LivenessSessionView>,
];
