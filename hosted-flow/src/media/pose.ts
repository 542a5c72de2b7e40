import { DEFAULT_MIN_TURN_DEGREES, headPoseFromLandmarks } from '../../../functions/domain/head-pose';
import type { HeadPrompt } from '../api';

/**
 * Head pose for real-time guidance: the server's own measure (functions/domain/head-pose.ts, a perspective
 * fit of the 68 landmarks to a 3D face) on the page's landmarks, in UNMIRRORED image coordinates. Positive
 * yaw = nose toward the image's right = the subject turned to their OWN left; negative = their own right.
 * The server judges the recording again; the page only decides when to move on.
 */

export interface Point {
  x: number;
  y: number;
}

/** An analysed frame's size, pixels (the landmarks' coordinate space). */
export interface FrameSize {
  width: number;
  height: number;
}

export interface PoseThresholds {
  /** |yaw| a turned pose must reach, degrees. */
  minTurnDegrees: number;
  /** |yaw| a centred pose must stay under, degrees. */
  maxCentreDegrees: number;
}

/**
 * The page asks for a little more than the server's threshold: it reads the live video with the tiny landmark
 * net, the server the recording's 320 px JPEGs with the full one, and a turn the page accepted must still
 * read as a turn there.
 */
export const GUIDANCE_MARGIN_DEGREES = 2;

/**
 * The page's thresholds for the server's turn threshold (degrees; the default when the session does not say);
 * centre well inside the server's.
 */
export function guidanceThresholds(serverMinTurnDegrees = DEFAULT_MIN_TURN_DEGREES): PoseThresholds {
  return { minTurnDegrees: serverMinTurnDegrees + GUIDANCE_MARGIN_DEGREES, maxCentreDegrees: 10 };
}

/** Yaw in degrees from 68 landmarks of a `width` x `height` frame; null if the landmark set is incomplete. */
export function headYaw(points: readonly Point[], width: number, height: number): number | null {
  return headPoseFromLandmarks(points, width, height)?.yaw ?? null;
}

/** Whether a yaw reading (degrees) satisfies a prompt. */
export function poseMatches(
  prompt: HeadPrompt,
  yaw: number,
  thresholds: PoseThresholds = guidanceThresholds(),
): boolean {
  switch (prompt) {
    case 'left':
      return yaw >= thresholds.minTurnDegrees;
    case 'right':
      return yaw <= -thresholds.minTurnDegrees;
    case 'centre':
      return Math.abs(yaw) <= thresholds.maxCentreDegrees;
  }
}
