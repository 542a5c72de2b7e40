import type { HeadPrompt } from '../api';
import type { DetectedFace } from '../media/face-detector';
import { type FrameSize, guidanceThresholds, headYaw, type PoseThresholds, poseMatches } from '../media/pose';

/**
 * The head-turn challenge's per-frame decision, without a camera: which face counts, whether it matches the
 * current prompt, and when a frame is taken.
 */

/** Consecutive matching detections before a frame is taken (filters single-frame landmark jitter). */
const MATCHES_NEEDED = 2;
const MIN_FACE_WIDTH_RATIO = 0.2;

/** One analysed frame's verdict for the current prompt. */
export interface HeadTurnVerdict {
  /** Matching frames in a row, this one included. */
  matches: number;
  /** Take this frame as the prompt's photo. */
  take: boolean;
  /** No single face close enough to read: tell the applicant. */
  noFace: boolean;
}

/** Judges a frame for `prompt` given the run of matching frames before it. */
export function judgeHeadTurnFrame(
  matchesBefore: number,
  prompt: HeadPrompt,
  faces: readonly DetectedFace[],
  frame: FrameSize,
  thresholds: PoseThresholds = guidanceThresholds(),
): HeadTurnVerdict {
  const only = faces.length === 1 ? faces[0] : undefined;
  const face = only && only.box.width / frame.width >= MIN_FACE_WIDTH_RATIO ? only : null;
  const yaw = face ? headYaw(face.landmarks, frame.width, frame.height) : null;
  const matches = yaw !== null && poseMatches(prompt, yaw, thresholds) ? matchesBefore + 1 : 0;
  return { matches, take: matches >= MATCHES_NEEDED, noFace: face === null };
}

/** How far the challenge is, one dot per prompt. */
export interface PromptDot {
  /** The prompt's frame number (`liveness_frame` index): a stable identity even when prompts repeat. */
  frame: number;
  state: 'done' | 'current' | 'todo';
}

/** The progress dots while prompt `current` is shown. */
export function promptDots(prompts: readonly HeadPrompt[], current: number): PromptDot[] {
  return prompts.map((_, frame) => ({
    frame,
    state: frame < current ? 'done' : frame === current ? 'current' : 'todo',
  }));
}
