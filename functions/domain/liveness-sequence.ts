import { DEFAULT_MIN_TURN_DEGREES } from './head-pose';
import type { HeadPrompt } from './model';

/**
 * Liveness from a continuous capture: given what a face detector saw in each frame of the recorded challenge
 * and the prompts the server issued, decide whether the prompted poses appear in that order, reached through
 * smooth head motion. Pure (no image code): the local check computes the observations with face-api; any
 * runtime can run the same decision. The limits are reasoned from head-motion physics in docs/checks.md
 * ("Liveness sequence"), not fitted to test clips.
 */

/** The one face of a frame, in the frame's pixel coordinates. */
export interface FaceObservation {
  box: { x: number; y: number; width: number; height: number };
  /** Detector confidence 0-1. */
  score: number;
  /** Head yaw in degrees; positive = turned to the subject's own left. */
  yaw: number;
}

/** What one frame showed. */
export interface FrameObservation {
  /** Capture time, ms since the recording started (from the container). */
  t: number;
  /** Faces the detector found. */
  faces: number;
  /** The face when exactly one was found, else null. */
  face: FaceObservation | null;
  /** Small grayscale thumbnail (same size for every frame), for near-duplicate detection. */
  thumb: Uint8Array;
}

export interface SequenceLimits {
  /** Longest time between two frames, ms. */
  maxGapMs: number;
  /** Longest time without a detected face (near-profile views lose the detector), ms. */
  maxFaceLostMs: number;
  /** Fastest plausible head rotation, degrees per second. */
  maxYawSpeed: number;
  /** Landmark-yaw noise between two frames of a still head, degrees. */
  yawNoise: number;
  /** Fastest plausible movement of the face centre, in face widths per second. */
  maxShiftSpeed: number;
  /** Detector-box jitter, in face widths. */
  shiftNoise: number;
  /** Fastest plausible change of face size, |ln(width ratio)| per second. */
  maxScaleSpeed: number;
  /** Detector-box size jitter, |ln(width ratio)|. */
  scaleNoise: number;
  /** Thumbnails closer than this mean absolute difference (0-255) are near-duplicates. */
  duplicateDifference: number;
  /** Longest run of near-duplicate frames a live camera plausibly gives, ms. */
  maxDuplicateRunMs: number;
  /** Least time between two prompts' poses: a person reacts to the next prompt, ms. */
  reactionMs: number;
  /** A turn prompt is met at |yaw| >= this many degrees; centre at |yaw| < it. */
  turnDegrees: number;
}

/**
 * The defaults (docs/checks.md): heads turn at up to ~300-600 deg/s in a fast voluntary turn, so 600 deg/s is
 * the bound; the page records at ~5 fps (200 ms), and 600 ms is three missed frames, longer than any
 * frame the browser can legitimately drop without the applicant having left the camera.
 */
export const DEFAULT_SEQUENCE_LIMITS: SequenceLimits = {
  maxGapMs: 600,
  maxFaceLostMs: 1000,
  maxYawSpeed: 600,
  yawNoise: 20,
  maxShiftSpeed: 4,
  shiftNoise: 0.5,
  maxScaleSpeed: 1.5,
  scaleNoise: 0.3,
  duplicateDifference: 1,
  maxDuplicateRunMs: 1000,
  reactionMs: 200,
  turnDegrees: DEFAULT_MIN_TURN_DEGREES,
};

/** Why a sequence was refused; `replay` problems also raise the REPLAYED_FRAMES risk flag. */
export type SequenceProblemCode =
  | 'too_few_frames'
  | 'timestamps_not_increasing'
  | 'gap'
  | 'face_lost'
  | 'multiple_faces'
  | 'yaw_jump'
  | 'position_jump'
  | 'scale_jump'
  | 'duplicate_run'
  | 'not_smooth'
  | 'prompt_not_met'
  | 'unprompted_turn'
  | 'too_fast';

export interface SequenceProblem {
  code: SequenceProblemCode;
  /** Frame index (0-based) where it was found, when it is one place. */
  frame: number | null;
  detail: string;
}

export interface SequenceAnalysis {
  ok: boolean;
  problems: SequenceProblem[];
  /** The frame that met each prompt (null when a prompt was not met), in prompt order. */
  promptFrames: Array<number | null>;
  /** Near-duplicate or replayed frames were found (REPLAYED_FRAMES). */
  replayed: boolean;
  spanMs: number;
  framesWithFace: number;
  maxGapMs: number;
  yawReversals: number;
}

/** Problem codes that mean a replay of frames (raise REPLAYED_FRAMES). */
export const REPLAY_PROBLEMS: ReadonlySet<SequenceProblemCode> = new Set([
  'duplicate_run',
  'timestamps_not_increasing',
]);

/** Does a yaw (degrees) satisfy a prompt? */
export function poseMatches(prompt: HeadPrompt, yaw: number, turnDegrees: number): boolean {
  if (prompt === 'left') return yaw >= turnDegrees;
  if (prompt === 'right') return yaw <= -turnDegrees;
  return Math.abs(yaw) < turnDegrees;
}

/** The turn a yaw shows, or null near frontal / in between. */
function turnOf(yaw: number, turnDegrees: number): 'left' | 'right' | null {
  return yaw >= turnDegrees ? 'left' : yaw <= -turnDegrees ? 'right' : null;
}

/** Target yaw of a prompt, degrees: the least turn that meets it (for counting the reversals it needs). */
function targetYaw(prompt: HeadPrompt, turnDegrees: number): number {
  return prompt === 'left' ? turnDegrees : prompt === 'right' ? -turnDegrees : 0;
}

/** Mean absolute difference (0-255) between two thumbnails of equal size (255 when they differ in size). */
export function thumbDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) return 255;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/**
 * Judges one recorded challenge. Every rule adds a problem; the sequence passes only with none:
 * frames in time order without gaps; one face, never lost for long; no yaw, position or size jump faster
 * than a head moves; no long run of near-identical frames; the prompts met in order (greedy earliest
 * match), no turn to a side that was not asked for between the first and the last prompt, each pose
 * reached no sooner than a reaction plus the turn allow; and a yaw curve without more direction reversals
 * than the prompts ask for (a shuffled or spliced clip zig-zags).
 */
export function analyseSequence(
  frames: readonly FrameObservation[],
  prompts: readonly HeadPrompt[],
  limits: SequenceLimits = DEFAULT_SEQUENCE_LIMITS,
): SequenceAnalysis {
  const problems: SequenceProblem[] = [];
  const add = (code: SequenceProblemCode, frame: number | null, detail: string): void => {
    // One problem per code keeps the report readable; the first occurrence is the one named.
    if (!problems.some((p) => p.code === code)) problems.push({ code, frame, detail });
  };
  const base = {
    promptFrames: prompts.map(() => null),
    spanMs: 0,
    framesWithFace: 0,
    maxGapMs: 0,
    yawReversals: 0,
  };
  if (frames.length < 3 || prompts.length === 0) {
    add('too_few_frames', null, `${frames.length} frames`);
    return { ok: false, problems, replayed: false, ...base };
  }

  // Time: strictly increasing capture times without gaps.
  let maxGap = 0;
  for (let i = 1; i < frames.length; i++) {
    const dt = frames[i]!.t - frames[i - 1]!.t;
    if (dt <= 0) add('timestamps_not_increasing', i, `t ${frames[i]!.t} ms after ${frames[i - 1]!.t} ms`);
    maxGap = Math.max(maxGap, dt);
    if (dt > limits.maxGapMs) add('gap', i, `${dt} ms without a frame (limit ${limits.maxGapMs} ms)`);
  }
  const spanMs = frames[frames.length - 1]!.t - frames[0]!.t;

  // Faces: one per frame; a detector dropout (near-profile) may last a moment, not longer.
  const withFace: number[] = [];
  frames.forEach((f, i) => {
    if (f.faces > 1) add('multiple_faces', i, `${f.faces} faces`);
    if (f.face) withFace.push(i);
  });
  const firstT = frames[0]!.t;
  const faceTimes = [firstT, ...withFace.map((i) => frames[i]!.t), frames[frames.length - 1]!.t];
  for (let k = 1; k < faceTimes.length; k++) {
    const lost = faceTimes[k]! - faceTimes[k - 1]!;
    if (lost > limits.maxFaceLostMs)
      add('face_lost', withFace[k - 1] ?? null, `no face for ${lost} ms (limit ${limits.maxFaceLostMs} ms)`);
  }

  // Motion between consecutive face frames: nothing faster than a head.
  for (let k = 1; k < withFace.length; k++) {
    const i = withFace[k - 1]!;
    const j = withFace[k]!;
    const a = frames[i]!.face!;
    const b = frames[j]!.face!;
    const dt = Math.max(0, frames[j]!.t - frames[i]!.t) / 1000;
    const dYaw = Math.abs(b.yaw - a.yaw);
    const yawLimit = limits.maxYawSpeed * dt + limits.yawNoise;
    if (dYaw > yawLimit) add('yaw_jump', j, `yaw changed ${dYaw.toFixed(0)} deg in ${(dt * 1000).toFixed(0)} ms`);
    const width = (a.box.width + b.box.width) / 2 || 1;
    const shift =
      Math.hypot(
        b.box.x + b.box.width / 2 - (a.box.x + a.box.width / 2),
        b.box.y + b.box.height / 2 - (a.box.y + a.box.height / 2),
      ) / width;
    if (shift > limits.maxShiftSpeed * dt + limits.shiftNoise)
      add('position_jump', j, `face moved ${shift.toFixed(2)} face widths in ${(dt * 1000).toFixed(0)} ms`);
    const scale = Math.abs(Math.log(Math.max(1e-6, b.box.width) / Math.max(1e-6, a.box.width)));
    if (scale > limits.maxScaleSpeed * dt + limits.scaleNoise)
      add('scale_jump', j, `face size changed x${Math.exp(scale).toFixed(2)} in ${(dt * 1000).toFixed(0)} ms`);
  }

  // Near-duplicate runs: a live camera never shows the same picture for long while the head is asked to move.
  let replayed = false;
  let runStart = 0;
  let duplicatePairs = 0;
  for (let i = 1; i < frames.length; i++) {
    const same = thumbDifference(frames[i - 1]!.thumb, frames[i]!.thumb) < limits.duplicateDifference;
    if (same) {
      duplicatePairs++;
      const runMs = frames[i]!.t - frames[runStart]!.t;
      if (runMs >= limits.maxDuplicateRunMs) {
        add('duplicate_run', runStart, `frames ${runStart}-${i} are the same picture for ${runMs} ms`);
        replayed = true;
      }
    } else runStart = i;
  }
  if (duplicatePairs * 2 > frames.length - 1) {
    add(
      'duplicate_run',
      null,
      `${duplicatePairs} of ${frames.length - 1} consecutive frame pairs are the same picture`,
    );
    replayed = true;
  }
  if (problems.some((p) => p.code === 'timestamps_not_increasing')) replayed = true;

  // Prompts in order, each reached after a reaction and the turn it needs.
  const promptFrames: Array<number | null> = prompts.map(() => null);
  let from = 0;
  for (const [p, prompt] of prompts.entries()) {
    const found = withFace.find((i) => i >= from && poseMatches(prompt, frames[i]!.face!.yaw, limits.turnDegrees));
    if (found === undefined) {
      add('prompt_not_met', null, `prompt ${p + 1} ("${prompt}") is not shown after the previous one`);
      break;
    }
    promptFrames[p] = found;
    from = found + 1;
  }
  for (let p = 1; p < prompts.length; p++) {
    const a = promptFrames[p - 1];
    const b = promptFrames[p];
    if (a == null || b == null) break;
    // The page shows the next prompt once the previous pose was seen: a reaction, then the turn itself.
    const turned = Math.abs(frames[b]!.face!.yaw - frames[a]!.face!.yaw);
    const need = limits.reactionMs + (turned / limits.maxYawSpeed) * 1000;
    const took = frames[b]!.t - frames[a]!.t;
    if (took < need)
      add(
        'too_fast',
        b,
        `prompt ${p + 1} reached ${took} ms after prompt ${p} (a person needs at least ${Math.round(need)} ms)`,
      );
    // Between two prompts the head may pass through centre, but not turn to a side nobody asked for.
    const allowed = [prompts[p - 1], prompts[p]];
    for (let i = a + 1; i < b; i++) {
      const turn = frames[i]!.face ? turnOf(frames[i]!.face!.yaw, limits.turnDegrees) : null;
      if (turn && !allowed.includes(turn)) {
        add('unprompted_turn', i, `turned ${turn} between prompt ${p} and prompt ${p + 1}`);
        break;
      }
    }
  }

  // Smoothness: count yaw direction reversals (with hysteresis above the landmark noise).
  const yaws = withFace.map((i) => frames[i]!.face!.yaw);
  const reversals = yawReversals(yaws, limits.yawNoise);
  const targets = [0, ...prompts.map((p) => targetYaw(p, limits.turnDegrees))];
  const needed = yawReversals(targets, 0);
  // One reversal of slack at each end: settling into the first pose and coming back after the last.
  if (reversals > needed + 2)
    add('not_smooth', null, `the head changed direction ${reversals} times; the prompts need ${needed}`);

  return {
    ok: problems.length === 0,
    problems,
    promptFrames,
    replayed,
    spanMs,
    framesWithFace: withFace.length,
    maxGapMs: maxGap,
    yawReversals: reversals,
  };
}

/** Direction reversals of a curve, counting only swings larger than `hysteresis` (noise). */
export function yawReversals(values: readonly number[], hysteresis: number): number {
  let reversals = 0;
  let direction = 0;
  let high = values[0] ?? 0;
  let low = high;
  for (const v of values.slice(1)) {
    if (direction >= 0) high = Math.max(high, v);
    if (direction <= 0) low = Math.min(low, v);
    if (direction >= 0 && high - v > hysteresis) {
      if (direction > 0) reversals++;
      direction = -1;
      low = v;
    } else if (direction <= 0 && v - low > hysteresis) {
      if (direction < 0) reversals++;
      direction = 1;
      high = v;
    }
  }
  return reversals;
}

/**
 * Frames worth full face recognition (descriptors are the expensive part): the frames that met the prompts
 * plus the first and last face frames and a few spread between them, at most `max`, in frame order. A
 * splice of another person must cover one of them or break the motion rules.
 */
export function framesForRecognition(
  frames: readonly FrameObservation[],
  analysis: Pick<SequenceAnalysis, 'promptFrames'>,
  max = 7,
): number[] {
  const withFace = frames.flatMap((f, i) => (f.face ? [i] : []));
  if (withFace.length === 0) return [];
  const picked = new Set<number>([withFace[0]!, withFace[withFace.length - 1]!]);
  for (const i of analysis.promptFrames) if (i !== null) picked.add(i);
  for (let k = 1; picked.size < max && k < 4; k++) picked.add(withFace[Math.floor((withFace.length * k) / 4)]!);
  return [...picked].sort((a, b) => a - b).slice(0, max);
}
