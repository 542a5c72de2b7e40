import type { ReasonCode } from '../../domain/reason-codes';
import type { CheckOutcome, CheckResult, CheckTiming, FaceMatchInput } from '../../ports/checks';
import { findFaces, stillImageConfidence } from './face-analysis';
import { descriptorDistance } from './faces';
import { decodeImage, ImageDecodeError, type RgbImage } from './image';
import { timed, type LocalCheckOptions } from './options';

/**
 * Selfie-vs-document face match: Euclidean distance between 128-d descriptors against the flow's
 * `faceMatchMaxDistance`. Distances inside the review band around the threshold (options.inconclusiveBelow/
 * inconclusiveAbove) give FACE_MATCH_INCONCLUSIVE with outcome 'inconclusive' so a person looks at them.
 */

/** Maps a distance to a 0-100 similarity (linear; the default threshold 0.6 lands at 50). */
export function similarityFromDistance(distance: number): number {
  return Math.round(Math.max(0, Math.min(1, 1 - distance / 1.2)) * 1000) / 10;
}

/** Verdict for a descriptor distance: pass below the review band, fail above it, inconclusive inside it. */
export function judgeDistance(
  distance: number,
  threshold: number,
  options: Pick<LocalCheckOptions, 'inconclusiveBelow' | 'inconclusiveAbove'>,
): CheckOutcome {
  if (distance >= threshold - options.inconclusiveBelow && distance <= threshold + options.inconclusiveAbove)
    return 'inconclusive';
  return distance > threshold ? 'fail' : 'pass';
}

export async function checkFaceMatch(input: FaceMatchInput, options: LocalCheckOptions): Promise<CheckResult> {
  const timings: CheckTiming[] = [];
  const threshold = input.flow.thresholds.faceMatchMaxDistance;
  const minConfidence = stillImageConfidence(input.flow.thresholds.minFaceConfidence, options);
  let decoded: [RgbImage, RgbImage];
  try {
    decoded = await timed(timings, 'decode', () =>
      Promise.all([
        decodeImage(input.reference.bytes, input.reference.label, options.maxFaceImageSide),
        decodeImage(input.probe.bytes, input.probe.label, options.maxFaceImageSide),
      ]),
    );
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) throw err;
    const code: ReasonCode = err.message.includes(`"${input.reference.label}"`)
      ? 'NO_FACE_ON_DOCUMENT'
      : 'NO_FACE_IN_SELFIE';
    return build('fail', [code], { threshold }, { error: 'image_decode_failed' }, timings);
  }
  const [reference, probe] = decoded;
  // One face worker would run both anyway (the memo often has them); sequential calls keep the timings honest.
  const referenceFaces = await timed(timings, 'detect_reference', () => findFaces(reference, minConfidence, options));
  const probeFaces = await timed(timings, 'detect_probe', () => findFaces(probe, minConfidence, options));
  const extracted = { referenceFaces: referenceFaces.length, probeFaces: probeFaces.length };

  const codes: ReasonCode[] = [];
  // The reference may be a whole document (ghost images, printed thumbnails): its largest face is the portrait.
  if (referenceFaces.length === 0) codes.push('NO_FACE_ON_DOCUMENT');
  if (probeFaces.length === 0) codes.push('NO_FACE_IN_SELFIE');
  if (probeFaces.length > 1) codes.push('MULTIPLE_FACES_IN_SELFIE');
  const ref = referenceFaces[0];
  const face = probeFaces[0];
  if (codes.length > 0 || !ref || !face) return build('fail', codes, { threshold }, extracted, timings);

  const distance = descriptorDistance(ref.descriptor, face.descriptor);
  const scores = {
    distance: Math.round(distance * 1000) / 1000,
    threshold,
    similarity: similarityFromDistance(distance),
  };
  const verdict = judgeDistance(distance, threshold, options);
  if (verdict === 'inconclusive')
    return build('inconclusive', ['FACE_MATCH_INCONCLUSIVE'], scores, { ...extracted, match: null }, timings);
  if (verdict === 'fail') return build('fail', ['BAD_FACE_MATCHING'], scores, { ...extracted, match: false }, timings);
  return build('pass', [], scores, { ...extracted, match: true }, timings);
}

function build(
  outcome: CheckOutcome,
  reasonCodes: ReasonCode[],
  scores: Record<string, number>,
  extracted: Record<string, unknown>,
  timings: CheckTiming[],
): CheckResult {
  return { check: 'faceMatch', outcome, scores, reasonCodes, riskFlags: [], extracted, timings, provider: 'local' };
}
