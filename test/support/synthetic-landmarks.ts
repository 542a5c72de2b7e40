import { FACE_MODEL_POINTS, type Point2 } from '../../functions/domain/head-pose';

/**
 * 68 face landmarks of a known head pose: the head-pose model's own points placed in front of a camera of
 * focal length max(width, height) and projected, as a landmark net would report a face posed so.
 */

const DEG = Math.PI / 180;

export interface Placement {
  yaw: number;
  pitch?: number;
  roll?: number;
  /** Distance from the camera, model units (about cm). */
  distance: number;
  /** Offset of the face from the optical axis, model units. */
  offsetX?: number;
  offsetY?: number;
}

/** 68 landmarks (jaw points at the face centre: the fit ignores them) of the model posed as `p`, seen by a camera of focal `max(w, h)`. */
export function syntheticLandmarks(p: Placement, width = 640, height = 480, noise: () => number = () => 0): Point2[] {
  const f = Math.max(width, height);
  const [cy, sy] = [Math.cos(p.yaw * DEG), Math.sin(p.yaw * DEG)];
  const [cp, sp] = [Math.cos((p.pitch ?? 0) * DEG), Math.sin((p.pitch ?? 0) * DEG)];
  const [cr, sr] = [Math.cos((p.roll ?? 0) * DEG), Math.sin((p.roll ?? 0) * DEG)];
  const inner = FACE_MODEL_POINTS.map(([x, y, z]) => {
    // Model axes (x right, y up, z toward the camera). Yaw to the subject's left turns the nose toward +x.
    let [X, Y, Z] = [x * cy + z * sy, y, -x * sy + z * cy];
    [Y, Z] = [Y * cp + Z * sp, -Y * sp + Z * cp]; // chin up = positive pitch
    [X, Y] = [X * cr - Y * sr, X * sr + Y * cr];
    // Camera: x right, y down, depth away from it.
    const depth = p.distance - Z;
    return {
      x: width / 2 + (f * (X + (p.offsetX ?? 0))) / depth + noise(),
      y: height / 2 + (f * -(Y + (p.offsetY ?? 0))) / depth + noise(),
    };
  });
  const centre = {
    x: inner.reduce((s, q) => s + q.x, 0) / inner.length,
    y: inner.reduce((s, q) => s + q.y, 0) / inner.length,
  };
  return [...Array.from({ length: 17 }, () => centre), ...inner];
}
