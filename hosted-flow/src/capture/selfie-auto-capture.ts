import type { DetectedFace } from '../media/face-detector';
import { type FrameSize, headYaw } from '../media/pose';

/**
 * When the selfie takes itself: a single frontal face, wide enough in the frame, held for a few analysed
 * frames in a row. Pure: fed the detections of each frame, it says what to tell the applicant and when to shoot.
 */

/** The face must be this wide relative to the frame, and this frontal. */
const MIN_FACE_WIDTH_RATIO = 0.22;
const MAX_FRONTAL_YAW_DEGREES = 10;
/** Consecutive good frames before the photo is taken (filters single-frame jitter). */
const STABLE_DETECTIONS = 2;

/** What the applicant is told while the camera looks for a usable face (`selfie.status.<guidance>`). */
export type SelfieGuidance = 'searching' | 'oneFace' | 'closer' | 'lookStraight' | 'hold';

/** Guidance for one frame's detections (largest face first). */
export function selfieGuidance(faces: readonly DetectedFace[], frame: FrameSize): SelfieGuidance {
  const face = faces[0];
  if (!face) return 'searching';
  if (faces.length > 1) return 'oneFace';
  if (face.box.width / frame.width < MIN_FACE_WIDTH_RATIO) return 'closer';
  if (Math.abs(headYaw(face.landmarks, frame.width, frame.height) ?? 90) > MAX_FRONTAL_YAW_DEGREES)
    return 'lookStraight';
  return 'hold';
}

/** One analysed frame's verdict: the guidance, the run of good frames so far, and whether to take this frame. */
export interface SelfieFrameVerdict {
  guidance: SelfieGuidance;
  stable: number;
  take: boolean;
}

/** Judges a frame given the run of good frames before it. */
export function judgeSelfieFrame(
  stableBefore: number,
  faces: readonly DetectedFace[],
  frame: FrameSize,
): SelfieFrameVerdict {
  const guidance = selfieGuidance(faces, frame);
  const stable = guidance === 'hold' ? stableBefore + 1 : 0;
  return { guidance, stable, take: stable >= STABLE_DETECTIONS };
}
