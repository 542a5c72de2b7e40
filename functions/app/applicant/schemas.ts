import * as z from 'zod';
import { FRAME_SEQUENCE_CONTENT_TYPE } from '../../domain/frame-sequence';
import { CAPTURE_KINDS, DOCUMENT_TYPES } from '../../domain/model';
import { localeSchema } from '../schemas';

/**
 * Request bodies of the applicant API (docs/applicant-api.md), validated at the trust boundary: the
 * browser is not trusted, so every body is strict (unknown fields are refused).
 */

export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/** Content types a capture kind accepts: photos are images; the liveness recording is a frame sequence. */
export const SEQUENCE_CONTENT_TYPES = [FRAME_SEQUENCE_CONTENT_TYPE] as const;

export const consentBody = z
  .object({
    accepted: z.boolean(),
    textVersion: z.string().min(1).max(40),
    locale: localeSchema,
  })
  .strict();
export type ConsentBody = z.infer<typeof consentBody>;

export const createUploadBody = z
  .object({
    kind: z.enum(CAPTURE_KINDS),
    /** Prompt index for liveness frames (0-based), else 0. */
    index: z.number().int().min(0).max(9).default(0),
    contentType: z.enum([...UPLOAD_CONTENT_TYPES, ...SEQUENCE_CONTENT_TYPES]),
  })
  .strict()
  .superRefine((body, ctx) => {
    const sequence = body.kind === 'liveness_sequence';
    const allowed: readonly string[] = sequence ? SEQUENCE_CONTENT_TYPES : UPLOAD_CONTENT_TYPES;
    if (!allowed.includes(body.contentType))
      ctx.addIssue({
        code: 'custom',
        path: ['contentType'],
        message: `must be one of ${allowed.join(', ')} for ${body.kind}`,
      });
  });
export type CreateUploadBody = z.infer<typeof createUploadBody>;

export const submitBody = z
  .object({
    documentType: z.enum(DOCUMENT_TYPES).optional(),
  })
  .strict();
export type SubmitBody = z.infer<typeof submitBody>;

export { applicantSimulateBody, type ApplicantSimulateBody } from '../schemas';
