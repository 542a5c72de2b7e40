import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { TextractClient } from '@aws-sdk/client-textract';
import type { CheckProvider, FaceTemplate } from '../../ports/checks';
import type { SequenceObserver } from '../face-sequence/sequence-verdict';
import { checkDocument } from './document-check';
import { createFaceCollection, type FaceCollection } from './face-collection';
import { createFaceLivenessSessions, type FaceLivenessSessions } from './face-liveness-session';
import { checkFaceMatch } from './face-match-check';
import { checkLiveness } from './liveness-check';
import type { MrzReader } from './mrz-reader';
import { type AwsCheckContext, type AwsCheckOptions, resolveAwsCheckOptions } from './options';

export interface AwsCheckProviderDeps {
  rekognition: RekognitionClient;
  textract: TextractClient;
  /** Local MRZ OCR tried before Textract (free); null to always use Textract. */
  mrzReader: MrzReader | null;
  /** Prefix of the per-organisation face collections (see face-collection.ts). */
  collectionId: string;
  /**
   * Judges the continuous liveness recording on the caller's CPU (the face-api observer; see
   * checks/face-sequence). Required wherever liveness is checked; null elsewhere (a recording is then refused).
   */
  sequenceObserver: SequenceObserver | null;
  options?: Partial<AwsCheckOptions>;
}

/**
 * The check-provider port with the AWS capabilities present: duplicate-face search over Rekognition
 * collections ({@link FaceCollection}) and Face Liveness sessions ({@link FaceLivenessSessions}).
 */
export interface AwsCheckProvider extends CheckProvider {
  readonly faceIndex: FaceCollection;
  readonly faceLivenessSessions: FaceLivenessSessions;
}

/**
 * Creates the AWS check provider (Rekognition + Textract) over injected SDK v3 clients. Each check lives in
 * its own module: document-check.ts, face-match-check.ts, liveness-check.ts.
 */
export function createAwsCheckProvider(deps: AwsCheckProviderDeps): AwsCheckProvider {
  const ctx: AwsCheckContext = {
    rekognition: deps.rekognition,
    textract: deps.textract,
    mrzReader: deps.mrzReader,
    sequenceObserver: deps.sequenceObserver,
    options: resolveAwsCheckOptions(deps.options),
  };
  const { options } = ctx;
  return {
    name: 'aws',
    checkDocument: (input) => checkDocument(input, ctx),
    checkFaceMatch: (input) => checkFaceMatch(input, ctx),
    checkLiveness: (input) => checkLiveness(input, ctx),
    /** Faces live in the Rekognition collection (faceIndex); no portable vector exists. */
    faceTemplate: async (): Promise<FaceTemplate | null> => null,
    warmUp: async () => undefined,
    // Duplicate-face search for the riskSignals step and face deletion for retention.
    faceIndex: createFaceCollection(deps.rekognition, {
      collectionPrefix: deps.collectionId,
      duplicateMinSimilarity: options.duplicateMinSimilarity,
      maxMatches: options.duplicateMaxMatches,
    }),
    // Face Liveness sessions for the applicant API and the livenessCheck step.
    faceLivenessSessions: createFaceLivenessSessions(deps.rekognition, options.faceLiveness),
  };
}
