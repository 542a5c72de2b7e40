import { CompareFacesCommand, type CompareFacesCommandOutput, type FaceDetail } from '@aws-sdk/client-rekognition';
import type { ReasonCode } from '../../domain/reason-codes';
import type { CheckResult, FaceMatchInput } from '../../ports/checks';
import { CallLog, isAwsError } from './call-log';
import { detectFaces, UNUSABLE_IMAGE_ERRORS } from './faces';
import { toRekognitionImage } from './images';
import type { AwsCheckContext } from './options';

/**
 * Compares the selfie (probe) with the document portrait (reference): DetectFaces gates the selfie (one face,
 * sharp and bright enough), then CompareFaces scores the pair against the flow's faceMatchMinSimilarity, with
 * a review band below it that gives FACE_MATCH_INCONCLUSIVE.
 */
export async function checkFaceMatch(
  input: FaceMatchInput,
  { rekognition, options }: Pick<AwsCheckContext, 'rekognition' | 'options'>,
): Promise<CheckResult> {
  const log = new CallLog();
  const minConfidence = input.flow.thresholds.minFaceConfidence * 100;
  const threshold = input.flow.thresholds.faceMatchMinSimilarity;
  const reviewFloor = Math.max(0, threshold - options.faceMatchReviewBand);
  const fail = (code: ReasonCode, extracted: Record<string, unknown> = {}) =>
    log.result('faceMatch', { outcome: 'fail', scores: { threshold }, reasonCodes: [code], riskFlags: [], extracted });

  let faces: FaceDetail[];
  try {
    faces = await detectFaces(rekognition, log, input.probe, minConfidence);
  } catch (err) {
    if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return fail('NO_FACE_IN_SELFIE', { error: (err as Error).name });
    throw err;
  }
  if (faces.length === 0) return fail('NO_FACE_IN_SELFIE', { selfieFaces: 0 });
  if (faces.length > 1) return fail('MULTIPLE_FACES_IN_SELFIE', { selfieFaces: faces.length });
  const quality = { sharpness: faces[0]?.Quality?.Sharpness ?? 0, brightness: faces[0]?.Quality?.Brightness ?? 0 };
  if (quality.sharpness < options.minSelfieSharpness || quality.brightness < options.minSelfieBrightness) {
    // No catalog code for a poor selfie; LIVENESS_INCONCLUSIVE is the retry-type "could not be judged".
    return log.result('faceMatch', {
      outcome: 'inconclusive',
      scores: { threshold, ...quality },
      reasonCodes: ['LIVENESS_INCONCLUSIVE'],
      riskFlags: [],
      extracted: { selfieFaces: 1, qualityGate: 'failed' },
    });
  }

  let out: CompareFacesCommandOutput;
  try {
    out = await log.time('rekognition:CompareFaces selfie-vs-document', async () =>
      rekognition.send(
        new CompareFacesCommand({
          SourceImage: await toRekognitionImage(input.probe),
          TargetImage: await toRekognitionImage(input.reference),
          // Lowered by the review band so borderline similarities come back and can be sent to review.
          SimilarityThreshold: reviewFloor,
          // Document portraits are small and printed; AUTO would drop them before matching.
          QualityFilter: 'NONE',
        }),
      ),
    );
  } catch (err) {
    // "If no faces are detected in the source or target images, CompareFaces returns an
    // InvalidParameterException" (API reference). The selfie's face was just detected, so it is the document.
    if (isAwsError(err, 'InvalidParameterException')) return fail('NO_FACE_ON_DOCUMENT', { documentFaces: 0 });
    if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return fail('NO_FACE_ON_DOCUMENT', { error: (err as Error).name });
    throw err;
  }
  const documentFaces = (out.FaceMatches?.length ?? 0) + (out.UnmatchedFaces?.length ?? 0);
  if (documentFaces === 0) return fail('NO_FACE_ON_DOCUMENT', { documentFaces: 0 });
  const similarity = Math.max(0, ...(out.FaceMatches ?? []).map((m) => m.Similarity ?? 0));
  const scores = { similarity, threshold, reviewFloor, ...quality };
  const extracted = { selfieFaces: 1, documentFaces };
  if (similarity >= threshold)
    return log.result('faceMatch', { outcome: 'pass', scores, reasonCodes: [], riskFlags: [], extracted });
  if ((out.FaceMatches?.length ?? 0) > 0 && similarity >= reviewFloor) {
    return log.result('faceMatch', {
      outcome: 'inconclusive',
      scores,
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
      riskFlags: [],
      extracted,
    });
  }
  return log.result('faceMatch', {
    outcome: 'fail',
    scores,
    reasonCodes: ['BAD_FACE_MATCHING'],
    riskFlags: [],
    extracted,
  });
}
