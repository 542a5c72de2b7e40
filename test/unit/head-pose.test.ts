import { headRoll } from '../../functions/checks/local/faces';
import { headPoseFromLandmarks } from '../../functions/domain/head-pose';
import { syntheticLandmarks as landmarks } from '../support/synthetic-landmarks';

/**
 * The perspective head-pose fit against synthetic landmarks: the model's own points placed at a known pose in
 * front of a known camera and projected. The fit must give the pose back whatever the distance (perspective
 * strong or weak), the tilt and the face's place in the frame; landmark noise moves it a little, not a lot.
 */

/** Deterministic uniform noise in [-amplitude, amplitude]. */
function noiseOf(amplitude: number, seed = 7): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 2 * amplitude;
  };
}

describe('headPoseFromLandmarks', () => {
  it.each([-55, -35, -20, -12, 0, 12, 20, 35, 55])('gives back a yaw of %i degrees, near and far', (yaw) => {
    for (const distance of [25, 40, 150]) {
      const pose = headPoseFromLandmarks(landmarks({ yaw, distance }), 640, 480);
      expect(pose?.yaw).toBeCloseTo(yaw, 1);
      expect(pose?.residualPx).toBeLessThan(0.01);
    }
  });

  it('is positive when the nose points to the image right (the subject turned to their own left)', () => {
    const pts = landmarks({ yaw: 25, distance: 40 });
    const nose = pts[30]!;
    const eyes = (pts[36]!.x + pts[45]!.x) / 2;
    expect(nose.x).toBeGreaterThan(eyes);
    expect(headPoseFromLandmarks(pts, 640, 480)!.yaw).toBeGreaterThan(20);
  });

  it('separates yaw from pitch and roll (nodding or tilting is not turning)', () => {
    for (const [pitch, roll] of [
      [15, 0],
      [-15, 0],
      [0, 35],
      [0, -40],
      [10, 25],
    ] as const) {
      const still = headPoseFromLandmarks(landmarks({ yaw: 0, pitch, roll, distance: 40 }), 640, 480)!;
      expect(Math.abs(still.yaw)).toBeLessThan(0.5);
      expect(still.pitch).toBeCloseTo(pitch, 0);
      const turned = headPoseFromLandmarks(landmarks({ yaw: -25, pitch, roll, distance: 40 }), 640, 480)!;
      expect(turned.yaw).toBeCloseTo(-25, 1);
    }
  });

  it('reads the head, not its place in the frame', () => {
    for (const [offsetX, offsetY] of [
      [12, 0],
      [-12, 6],
      [0, -8],
    ] as const) {
      const pose = headPoseFromLandmarks(landmarks({ yaw: 15, distance: 40, offsetX, offsetY }), 640, 480);
      expect(pose?.yaw).toBeCloseTo(15, 1);
    }
  });

  it('stays within a few degrees under landmark noise (1.5 px on a ~150 px face)', () => {
    for (const yaw of [-30, 0, 18]) {
      for (const seed of [1, 2, 3]) {
        const pose = headPoseFromLandmarks(landmarks({ yaw, distance: 40 }, 640, 480, noiseOf(1.5, seed)), 640, 480);
        expect(Math.abs(pose!.yaw - yaw)).toBeLessThan(3);
      }
    }
  });

  it('refuses fewer than 68 landmarks, non-finite ones and an empty frame', () => {
    const pts = landmarks({ yaw: 10, distance: 40 });
    expect(headPoseFromLandmarks(pts.slice(0, 67), 640, 480)).toBeNull();
    expect(
      headPoseFromLandmarks(
        pts.map((p, i) => (i === 40 ? { x: Number.NaN, y: p.y } : p)),
        640,
        480,
      ),
    ).toBeNull();
    expect(headPoseFromLandmarks(pts, 0, 480)).toBeNull();
  });
});

describe('headRoll', () => {
  it('is the eye line angle, positive with the crown toward the image right', () => {
    const pts = landmarks({ yaw: 0, roll: 30, distance: 60 });
    // Roll about the camera axis turns the eye line by the same angle (image y points down: clockwise on screen).
    expect(headRoll(pts)).toBeCloseTo(-30, 0);
  });
});
