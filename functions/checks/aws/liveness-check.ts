import { CompareFacesCommand, type FaceDetail } from '@aws-sdk/client-rekognition';
import type { CheckOutcome, CheckResult, CheckTiming, ImageInput, LivenessInput } from '../../ports/checks';
import { combineStillsWithSequence } from '../face-sequence/sequence-verdict';
import { CallLog, isAwsError } from './call-log';
import { detectFaces, UNUSABLE_IMAGE_ERRORS } from './faces';
import { fingerprint, isNearDuplicate, toRekognitionImage } from './images';
import type { SequenceObserver } from '../face-sequence/sequence-verdict';
import type { AwsCheckContext } from './options';
import { type SubjectTurn, subjectTurnFromYaw, type TurnThresholds } from './pose';

type LivenessContext = Pick<AwsCheckContext, 'rekognition' | 'options' | 'sequenceObserver'>;

/** What one head-turn frame showed, reported per frame in `extracted.frames`. */
interface FrameReport {
  index: number;
  prompt: string;
  faces: number;
  yaw: number | null;
  turn: SubjectTurn | null;
  promptMet: boolean | null;
  samePersonSimilarity: number | null;
  verdict: CheckOutcome;
}

/**
 * Judges frame `index`: exactly one face (DetectFaces), turned as prompted (Pose.Yaw), and, when a selfie was
 * taken, the same person as the selfie (CompareFaces). No usable face makes the frame inconclusive.
 */
async function checkFrame(
  { rekognition, options }: LivenessContext,
  log: CallLog,
  input: LivenessInput,
  index: number,
  minConfidence: number,
  turn: TurnThresholds,
): Promise<FrameReport> {
  const prompt = input.prompts[index] ?? 'centre';
  const frame = input.frames[index];
  const report: FrameReport = {
    index,
    prompt,
    faces: 0,
    yaw: null,
    turn: null,
    promptMet: null,
    samePersonSimilarity: null,
    verdict: 'inconclusive',
  };
  if (!frame) return report;
  let faces: FaceDetail[];
  try {
    faces = await detectFaces(rekognition, log, frame, minConfidence);
  } catch (err) {
    if (isAwsError(err, ...UNUSABLE_IMAGE_ERRORS)) return report;
    throw err;
  }
  report.faces = faces.length;
  if (faces.length === 0) return report; // nothing to judge
  if (faces.length > 1) return { ...report, verdict: 'fail' }; // someone else in the frame
  report.yaw = faces[0]?.Pose?.Yaw ?? null;
  if (report.yaw === null) return report;
  report.turn = subjectTurnFromYaw(report.yaw, turn);
  report.promptMet = report.turn === prompt;
  if (!report.promptMet) return { ...report, verdict: 'fail' };
  if (!input.selfie) return { ...report, verdict: 'pass' };

  try {
    const out = await log.time(`rekognition:CompareFaces selfie-vs-${frame.label}`, async () =>
      rekognition.send(
        new CompareFacesCommand({
          SourceImage: await toRekognitionImage(input.selfie as ImageInput),
          TargetImage: await toRekognitionImage(frame),
          SimilarityThreshold: options.livenessSamePersonMinSimilarity,
          QualityFilter: 'NONE',
        }),
      ),
    );
    report.samePersonSimilarity = Math.max(0, ...(out.FaceMatches ?? []).map((m) => m.Similarity ?? 0));
  } catch (err) {
    if (isAwsError(err, 'InvalidParameterException', ...UNUSABLE_IMAGE_ERRORS)) return report; // selfie has no usable face
    throw err;
  }
  return {
    ...report,
    verdict: report.samePersonSimilarity >= options.livenessSamePersonMinSimilarity ? 'pass' : 'fail',
  };
}

/** Index pairs of frames that are near-copies of each other (a replayed still), from their fingerprints. */
async function duplicateFramePairs(log: CallLog, frames: ImageInput[]): Promise<Array<[number, number]>> {
  const prints = await log.time('fingerprint frames', () => Promise.all(frames.map((f) => fingerprint(f.bytes))));
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < prints.length; i++) {
    for (let j = i + 1; j < prints.length; j++) {
      const a = prints[i];
      const b = prints[j];
      if (a && b && frames[i]?.bytes.length && isNearDuplicate(a, b)) pairs.push([i, j]);
    }
  }
  return pairs;
}

/**
 * Liveness of a head-turn attempt: the full-resolution frame per prompt with Rekognition (below) and, when the
 * attempt carries the continuous recording of the challenge, the recording judged by the injected
 * {@link SequenceObserver} (face-api on this Lambda's CPU, no paid call per frame): the prompts in order
 * through smooth motion, one person throughout, the selfie's person. Both run at once (the stills mostly wait
 * on Rekognition); either failing fails the check, combined exactly as the local provider does.
 */
export async function checkLiveness(input: LivenessInput, ctx: LivenessContext): Promise<CheckResult> {
  const { sequence } = input;
  if (!sequence) return checkStills(input, ctx);
  if (!ctx.sequenceObserver) {
    // A wiring error, not a verdict: judging the stills alone would let stills plus any recording pass.
    throw new Error('the AWS check provider was built without a sequence observer; it cannot judge a recording');
  }
  const timings: CheckTiming[] = [];
  const [stills, verdict] = await Promise.all([
    input.frames.length > 0 ? checkStills(input, ctx) : Promise.resolve(null),
    ctx.sequenceObserver.judge({ ...input, sequence }, timings),
  ]);
  return combineStillsWithSequence(stills, verdict, input.prompts, timings, 'aws');
}

/**
 * Judges the per-prompt stills: one frame per prompt. Replayed frames fail before any Rekognition call;
 * then every frame is judged (see {@link checkFrame}): any failed frame fails the check, any inconclusive
 * frame makes it inconclusive.
 */
async function checkStills(input: LivenessInput, ctx: LivenessContext): Promise<CheckResult> {
  const log = new CallLog();
  const minConfidence = input.flow.thresholds.minFaceConfidence * 100;
  const turn: TurnThresholds = {
    minTurnDegrees: input.flow.thresholds.livenessMinTurnDegrees,
    maxCentreDegrees: ctx.options.maxCentreDegrees,
    positiveYawIs: ctx.options.positiveYawIs,
  };
  const base = { minTurnDegrees: turn.minTurnDegrees, positiveYawIs: turn.positiveYawIs };
  if (input.frames.length === 0 || input.frames.length !== input.prompts.length) {
    return log.result('liveness', {
      outcome: 'inconclusive',
      scores: { frames: input.frames.length, prompts: input.prompts.length },
      reasonCodes: ['LIVENESS_INCONCLUSIVE'],
      riskFlags: [],
      extracted: { ...base, frames: [] },
    });
  }

  // A replayed still gives identical frames; decided locally before paying for any Rekognition call.
  const duplicatePairs = await duplicateFramePairs(log, input.frames);
  if (duplicatePairs.length > 0) {
    return log.result('liveness', {
      outcome: 'fail',
      scores: { duplicatePairs: duplicatePairs.length },
      reasonCodes: ['LIVENESS_FAILED'],
      riskFlags: ['REPLAYED_FRAMES'],
      extracted: { ...base, duplicatePairs, frames: [] },
    });
  }

  // Frames are independent: judge them concurrently (the Lambda is billed while it waits on Rekognition).
  const frames = await Promise.all(input.frames.map((_, i) => checkFrame(ctx, log, input, i, minConfidence, turn)));
  const failed = frames.some((f) => f.verdict === 'fail');
  const inconclusive = frames.some((f) => f.verdict === 'inconclusive');
  const similarities = frames.map((f) => f.samePersonSimilarity).filter((s): s is number => s !== null);
  return log.result('liveness', {
    outcome: failed ? 'fail' : inconclusive ? 'inconclusive' : 'pass',
    scores: {
      framesPassed: frames.filter((f) => f.verdict === 'pass').length,
      frames: frames.length,
      ...(similarities.length > 0 ? { minSamePersonSimilarity: Math.min(...similarities) } : {}),
    },
    reasonCodes: failed ? ['LIVENESS_FAILED'] : inconclusive ? ['LIVENESS_INCONCLUSIVE'] : [],
    riskFlags: [],
    extracted: { ...base, frames },
  });
}
