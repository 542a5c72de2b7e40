import type { HeadPrompt } from '../api';

/**
 * Head pose from 68-point landmarks, for real-time guidance only (the server re-checks every frame).
 * Yaw proxy = horizontal offset of the nose tip from the eyes' midpoint, divided by the inter-ocular
 * distance, in UNMIRRORED image coordinates. Positive = nose toward the image's right = the subject
 * turned to their OWN left; negative = their own right.
 */

export interface Point {
  x: number;
  y: number;
}

/** iBUG 68-point indices. */
const NOSE_TIP = 30;
const RIGHT_EYE = [36, 37, 38, 39, 40, 41]; // subject's right eye (image left when unmirrored)
const LEFT_EYE = [42, 43, 44, 45, 46, 47];

export interface PoseThresholds {
  /** |yaw| a turned pose must reach. */
  minTurn: number;
  /** |yaw| a centred pose must stay under. */
  maxCentre: number;
}

export const DEFAULT_POSE: PoseThresholds = { minTurn: 0.15, maxCentre: 0.08 };

function centroid(points: readonly Point[], indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += points[i]?.x ?? 0;
    y += points[i]?.y ?? 0;
  }
  return { x: x / indices.length, y: y / indices.length };
}

/** Yaw proxy from 68 landmarks; null if the landmark set is incomplete or degenerate. */
export function yawProxy(points: readonly Point[]): number | null {
  if (points.length < 68) return null;
  const right = centroid(points, RIGHT_EYE);
  const left = centroid(points, LEFT_EYE);
  const interOcular = Math.hypot(left.x - right.x, left.y - right.y);
  if (interOcular < 1e-6) return null;
  const mid = { x: (left.x + right.x) / 2, y: (left.y + right.y) / 2 };
  // Project the nose offset on the eye line, so a head tilt (roll) is not read as a turn.
  const ux = (left.x - right.x) / interOcular;
  const uy = (left.y - right.y) / interOcular;
  const nose = points[NOSE_TIP];
  if (!nose) return null;
  return ((nose.x - mid.x) * ux + (nose.y - mid.y) * uy) / interOcular;
}

/** Whether a yaw reading satisfies a prompt. */
export function poseMatches(prompt: HeadPrompt, yaw: number, thresholds: PoseThresholds = DEFAULT_POSE): boolean {
  switch (prompt) {
    case 'left':
      return yaw >= thresholds.minTurn;
    case 'right':
      return yaw <= -thresholds.minTurn;
    case 'centre':
      return Math.abs(yaw) <= thresholds.maxCentre;
  }
}
