import {
  CreateFaceLivenessSessionCommand,
  GetFaceLivenessSessionResultsCommand,
  type AuditImage,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import * as z from 'zod';
import type { CheckResult } from '../../ports/checks';
import { CallLog } from './call-log';
import type { AwsImageInput } from './images';

/**
 * Rekognition Face Liveness sessions (flow.useFaceLivenessSession). The applicant API creates a session,
 * the hosted page streams the selfie video with the Amplify FaceLivenessDetector, and the liveness step
 * reads the result: Status + Confidence (0-100) judged against a threshold. The session's reference
 * image is a frontal, high-quality face that replaces the selfie for face matching and duplicate search.
 */

export interface FaceLivenessSessionOptions {
  /** Min Confidence (0-100) for a live verdict. The AWS service card suggests 50-60 against presentation
   * attacks and 80-90 against deepfake/injection attacks. */
  minConfidence: number;
  /** Bucket (same account and region) where Rekognition writes the reference/audit images; bytes inline if unset. */
  outputBucket?: string;
  outputKeyPrefix?: string;
  /** KMS key that encrypts the reference and audit images. */
  kmsKeyId?: string;
  /** 0-4 audit images. */
  auditImagesLimit?: number;
}

/** Thrown while the session has not finished (CREATED / IN_PROGRESS): a retryable, not a final, state. */
export class FaceLivenessNotReadyError extends Error {
  constructor(sessionId: string, status: string) {
    super(`face liveness session ${sessionId} is ${status}`);
    this.name = 'FaceLivenessNotReadyError';
  }
}

export interface FaceLivenessOutcome {
  result: CheckResult;
  /** The session's reference image (bytes or S3 location); null when the service returned none. */
  referenceImage: AwsImageInput | null;
}

/** Rekognition's SessionId: a 36-character lowercase UUID (API reference, GetFaceLivenessSessionResults). */
export const SessionIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

function toImageInput(image: AuditImage | undefined, label: string): AwsImageInput | null {
  if (!image) return null;
  if (image.Bytes && image.Bytes.length > 0) return { bytes: Buffer.from(image.Bytes), label };
  if (image.S3Object?.Bucket && image.S3Object.Name) {
    return {
      bytes: Buffer.alloc(0),
      label,
      s3: {
        bucket: image.S3Object.Bucket,
        key: image.S3Object.Name,
        ...(image.S3Object.Version ? { version: image.S3Object.Version } : {}),
      },
    };
  }
  return null;
}

export interface FaceLivenessSessions {
  /**
   * Starts a session. `clientRequestToken` (e.g. `${verificationId}-${attempt}`, [A-Za-z0-9-_], <= 64) makes
   * the call idempotent: the same token returns the same session.
   */
  createFaceLivenessSession(params: { clientRequestToken?: string }): Promise<{ sessionId: string }>;
  /** Reads a finished session as a normalized liveness CheckResult (provider 'aws'). */
  getFaceLivenessResult(sessionId: string): Promise<FaceLivenessOutcome>;
}

/** Face Liveness operations over an injected Rekognition client. */
export function createFaceLivenessSessions(
  rekognition: RekognitionClient,
  options: FaceLivenessSessionOptions,
): FaceLivenessSessions {
  return {
    async createFaceLivenessSession({ clientRequestToken }) {
      const out = await rekognition.send(
        new CreateFaceLivenessSessionCommand({
          ...(clientRequestToken ? { ClientRequestToken: clientRequestToken } : {}),
          ...(options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {}),
          Settings: {
            AuditImagesLimit: options.auditImagesLimit ?? 0,
            ...(options.outputBucket
              ? {
                  OutputConfig: {
                    S3Bucket: options.outputBucket,
                    ...(options.outputKeyPrefix ? { S3KeyPrefix: options.outputKeyPrefix } : {}),
                  },
                }
              : {}),
          },
        }),
      );
      if (!out.SessionId) throw new Error('CreateFaceLivenessSession returned no SessionId');
      return { sessionId: out.SessionId };
    },

    async getFaceLivenessResult(sessionId) {
      // Session ids travel through the applicant API; only a well-formed one reaches Rekognition.
      SessionIdSchema.parse(sessionId);
      const log = new CallLog();
      const out = await log.time('rekognition:GetFaceLivenessSessionResults', () =>
        rekognition.send(new GetFaceLivenessSessionResultsCommand({ SessionId: sessionId })),
      );
      const status = out.Status ?? 'UNKNOWN';
      if (status === 'CREATED' || status === 'IN_PROGRESS') throw new FaceLivenessNotReadyError(sessionId, status);
      const confidence = out.Confidence ?? 0;
      const referenceImage = toImageInput(out.ReferenceImage, 'face_liveness_reference');
      const extracted = {
        sessionId,
        status,
        auditImages: out.AuditImages?.length ?? 0,
        referenceImage: referenceImage !== null,
      };
      const base = { check: 'liveness' as const, riskFlags: [], extracted, timings: log.timings, provider: 'aws' };
      const scores = { confidence, threshold: options.minConfidence };
      if (status !== 'SUCCEEDED') {
        // FAILED / EXPIRED: the applicant never completed a judgeable video.
        return {
          result: { ...base, outcome: 'inconclusive', scores, reasonCodes: ['LIVENESS_INCONCLUSIVE'] },
          referenceImage,
        };
      }
      const live = confidence >= options.minConfidence;
      return {
        result: { ...base, outcome: live ? 'pass' : 'fail', scores, reasonCodes: live ? [] : ['LIVENESS_FAILED'] },
        referenceImage,
      };
    },
  };
}
