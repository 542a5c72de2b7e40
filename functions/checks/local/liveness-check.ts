import { poseMatches } from '../../domain/liveness-sequence';
import type { HeadPrompt } from '../../domain/model';
import type { ReasonCode } from '../../domain/reason-codes';
import type { RiskFlag } from '../../domain/risk-flags';
import type { CheckOutcome, CheckResult, CheckTiming, LivenessInput } from '../../ports/checks';
import { combineStillsWithSequence } from '../face-sequence/sequence-verdict';
import { findFaces, stillImageConfidence } from './face-analysis';
import { descriptorDistance } from './faces';
import { decodeImage, ImageDecodeError, type RgbImage, thumbnail, thumbnailDifference } from './image';
import { createFaceApiSequenceObserver } from './liveness-sequence';
import { timed, type LocalCheckOptions } from './options';

/**
 * Active liveness: one frame per head-turn prompt (the subject's own left/right, or centre). Each frame must
 * show exactly one face, turned the requested way (head-pose yaw at least `livenessMinTurnDegrees`; centre = under
 * it), of the same person as the other frames and the selfie. Frames that are near-copies of each other mean a
 * replayed still image: LIVENESS_FAILED plus the REPLAYED_FRAMES risk flag.
 */

/** What one frame showed, reported in `extracted.frames`. */
export interface LivenessFrameReport {
  index: number;
  prompt: HeadPrompt;
  faces: number;
  yaw: number | null;
  roll: number | null;
  /** Distance to the selfie (or to the first usable frame when no selfie is given). */
  distance: number | null;
  poseOk: boolean;
  samePerson: boolean;
}

/**
 * Liveness of an attempt: the full-resolution frame per prompt (below) and, when the attempt carries the
 * continuous recording of the challenge, the recording (liveness-sequence.ts): the prompts in order through
 * smooth motion, one person throughout, the selfie's person. Either failing fails the check.
 */
export async function checkLiveness(input: LivenessInput, options: LocalCheckOptions): Promise<CheckResult> {
  if (!input.sequence) return checkStills(input, options);
  const timings: CheckTiming[] = [];
  // Side by side: each keeps a face worker busy (the selfie's analysis is shared through the memo).
  const [stills, verdict] = await Promise.all([
    input.frames.length > 0 ? checkStills(input, options) : Promise.resolve(null),
    createFaceApiSequenceObserver(options).judge({ ...input, sequence: input.sequence }, timings),
  ]);
  return combineStillsWithSequence(stills, verdict, input.prompts, timings, 'local');
}

async function checkStills(input: LivenessInput, options: LocalCheckOptions): Promise<CheckResult> {
  const timings: CheckTiming[] = [];
  const {
    livenessMinTurnDegrees: minTurn,
    faceMatchMaxDistance: maxDistance,
    minFaceConfidence,
  } = input.flow.thresholds;
  if (input.frames.length === 0 || input.frames.length !== input.prompts.length) {
    return build(
      'inconclusive',
      ['LIVENESS_INCONCLUSIVE'],
      [],
      {},
      { error: 'frame_count_mismatch', frames: [] },
      timings,
    );
  }
  let images: RgbImage[];
  let selfieImage: RgbImage | null;
  try {
    // sharp decodes on its own thread pool: decode everything at once.
    [images, selfieImage] = await timed(timings, 'decode', () =>
      Promise.all([
        Promise.all(input.frames.map((f) => decodeImage(f.bytes, f.label, options.maxFaceImageSide))),
        input.selfie
          ? decodeImage(input.selfie.bytes, input.selfie.label, options.maxFaceImageSide)
          : Promise.resolve(null),
      ]),
    );
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) throw err;
    return build(
      'inconclusive',
      ['LIVENESS_INCONCLUSIVE'],
      [],
      {},
      { error: 'image_decode_failed', frames: [] },
      timings,
    );
  }

  const thumbs = await timed(timings, 'replay_check', () => Promise.all(images.map((img) => thumbnail(img))));
  const [frameFaces, selfieFaces] = await Promise.all([
    // Frames are small video stills: the flow's own (lower) confidence applies to them.
    // All at once: the face workers take them in parallel (results do not depend on the order).
    timed(timings, 'detect_frames', () =>
      Promise.all(images.map((img) => findStillFaces(img, minFaceConfidence, options))),
    ),
    selfieImage
      ? timed(timings, 'detect_selfie', () =>
          findFaces(selfieImage, stillImageConfidence(minFaceConfidence, options), options),
        )
      : Promise.resolve(null),
  ]);

  const codes = new Set<ReasonCode>();
  const flags = new Set<RiskFlag>();

  let minDifference = Infinity;
  for (let i = 0; i < thumbs.length; i++) {
    for (let j = i + 1; j < thumbs.length; j++) {
      const a = thumbs[i] as Uint8Array;
      const b = thumbs[j] as Uint8Array;
      minDifference = Math.min(minDifference, thumbnailDifference(a, b));
    }
  }
  const identicalBytes = new Set(input.frames.map((f) => f.bytes.toString('base64'))).size < input.frames.length;
  if (identicalBytes || minDifference < options.replayMaxDifference) {
    flags.add('REPLAYED_FRAMES');
    codes.add('LIVENESS_FAILED');
  }

  // Identity reference: the selfie's single face, else the first frame with exactly one face.
  const selfieFace = selfieFaces && selfieFaces.length === 1 ? selfieFaces[0] : undefined;
  if (selfieFaces && !selfieFace) codes.add('LIVENESS_INCONCLUSIVE');
  const reference = selfieFace ?? frameFaces.find((f) => f.length === 1)?.[0];

  const frames: LivenessFrameReport[] = input.prompts.map((prompt, index) => {
    const faces = frameFaces[index] ?? [];
    const face = faces.length === 1 ? faces[0] : undefined;
    const distance = face && reference ? descriptorDistance(face.descriptor, reference.descriptor) : null;
    const poseOk = face ? poseMatches(prompt, face.yaw, minTurn) : false;
    const samePerson = distance !== null && distance <= maxDistance;
    if (faces.length === 0) codes.add('LIVENESS_INCONCLUSIVE');
    else if (faces.length > 1 || !poseOk || !samePerson) codes.add('LIVENESS_FAILED');
    return {
      index,
      prompt,
      faces: faces.length,
      yaw: face ? Math.round(face.yaw * 10) / 10 : null,
      roll: face ? Math.round(face.roll) : null,
      distance: distance === null ? null : round(distance),
      poseOk,
      samePerson,
    };
  });
  // A failure outranks "could not judge": a wrong turn or another person is a clear fail.
  if (codes.has('LIVENESS_FAILED')) codes.delete('LIVENESS_INCONCLUSIVE');

  const yaws = frames.map((f) => f.yaw).filter((y): y is number => y !== null);
  const distances = frames.map((f) => f.distance).filter((d): d is number => d !== null);
  const scores: Record<string, number> = {
    minTurnDegrees: minTurn,
    maxDistance: distances.length > 0 ? Math.max(...distances) : -1,
    threshold: maxDistance,
    minFrameDifference: Number.isFinite(minDifference) ? round(minDifference) : -1,
    maxAbsYaw: yaws.length > 0 ? Math.max(...yaws.map(Math.abs)) : 0,
  };
  const outcome: CheckOutcome = codes.has('LIVENESS_FAILED') ? 'fail' : codes.size > 0 ? 'inconclusive' : 'pass';
  return build(outcome, [...codes], [...flags], scores, { frames, selfieFaces: selfieFaces?.length ?? null }, timings);
}

/**
 * The faces of a prompt's still: the recording's analysis (`recognise`: tiny detector, 68 landmarks,
 * descriptor), whose boxes the landmark net reads turned heads from better than SSD's (person_a's right turns
 * read 4-7 degrees nearer the labels' pose), else SSD's (`full`) where the tiny detector finds no face
 * (strongly tilted heads: person_b's 36-degree roll).
 */
async function findStillFaces(image: RgbImage, minConfidence: number, options: LocalCheckOptions) {
  const faces = await findFaces(image, minConfidence, options, 'recognise');
  return faces.length > 0 ? faces : findFaces(image, minConfidence, options, 'full');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function build(
  outcome: CheckOutcome,
  reasonCodes: ReasonCode[],
  riskFlags: RiskFlag[],
  scores: Record<string, number>,
  extracted: Record<string, unknown>,
  timings: CheckTiming[],
): CheckResult {
  return { check: 'liveness', outcome, scores, reasonCodes, riskFlags, extracted, timings, provider: 'local' };
}
