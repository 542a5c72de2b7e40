import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { TextractClient } from '@aws-sdk/client-textract';
import type { SequenceObserver } from '../face-sequence/sequence-verdict';
import type { FaceLivenessSessionOptions } from './face-liveness-session';
import type { MrzReader } from './mrz-reader';
import type { PositiveYawMeaning } from './pose';

/**
 * Tunables of the AWS provider, with defaults; the flow supplies faceMatchMinSimilarity, minFaceConfidence and
 * livenessMinTurnDegrees.
 */
export interface AwsCheckOptions {
  /** Similarity points below faceMatchMinSimilarity that give FACE_MATCH_INCONCLUSIVE instead of BAD_FACE_MATCHING. */
  faceMatchReviewBand: number;
  /** Selfie quality gate (Rekognition Quality, 0-100). Below -> LIVENESS_INCONCLUSIVE (retake). */
  minSelfieSharpness: number;
  minSelfieBrightness: number;
  /** CompareFaces similarity a liveness frame must reach against the selfie (turned heads score lower). */
  livenessSamePersonMinSimilarity: number;
  /** |Pose.Yaw| in degrees below which a frame counts as frontal (turned: the flow's livenessMinTurnDegrees). */
  maxCentreDegrees: number;
  positiveYawIs: PositiveYawMeaning;
  /** Textract AnalyzeID confidence (0-100) the critical fields need. */
  minAnalyzeIdFieldConfidence: number;
  /** Face Liveness session: min Confidence and output settings. */
  faceLiveness: FaceLivenessSessionOptions;
  /** SearchFacesByImage FaceMatchThreshold and max matches. */
  duplicateMinSimilarity: number;
  duplicateMaxMatches: number;
}

export const DEFAULT_AWS_CHECK_OPTIONS: AwsCheckOptions = {
  faceMatchReviewBand: 5,
  minSelfieSharpness: 8,
  minSelfieBrightness: 20,
  livenessSamePersonMinSimilarity: 80,
  maxCentreDegrees: 12,
  positiveYawIs: 'subject-left',
  minAnalyzeIdFieldConfidence: 70,
  faceLiveness: { minConfidence: 80 },
  duplicateMinSimilarity: 95,
  duplicateMaxMatches: 10,
};

/** The defaults overridden by `overrides` (the nested faceLiveness options merged field by field). */
export function resolveAwsCheckOptions(overrides: Partial<AwsCheckOptions> = {}): AwsCheckOptions {
  return {
    ...DEFAULT_AWS_CHECK_OPTIONS,
    ...overrides,
    faceLiveness: { ...DEFAULT_AWS_CHECK_OPTIONS.faceLiveness, ...overrides.faceLiveness },
  };
}

/**
 * What the AWS checks run with: the injected SDK clients, the optional local MRZ reader, the liveness
 * recording's judge, the options.
 */
export interface AwsCheckContext {
  rekognition: RekognitionClient;
  textract: TextractClient;
  /** Local MRZ OCR tried before Textract (free); null to always use Textract. */
  mrzReader: MrzReader | null;
  /** Judges a liveness recording (no paid API); null where no liveness check runs (checkLiveness then refuses a recording). */
  sequenceObserver: SequenceObserver | null;
  options: AwsCheckOptions;
}
