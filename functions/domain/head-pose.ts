/**
 * Head pose from a face's 68 landmarks (the iBUG/dlib layout face-api and the hosted page use): a perspective
 * fit (PnP) of the 51 inner landmarks (brows, nose, eyes, mouth) to a rigid 3D face, giving yaw in degrees.
 *
 * Why a perspective fit: a selfie is taken at arm's length, so the face is close to a wide-angle camera, and
 * perspective enlarges the near cheek and shrinks the far one. Measures that assume an orthographic view (the
 * nose's offset between the eyes, or an affine fit) read that as extra turn: on a 400x300 webcam recording
 * they read 12-16 degree turns as 22-29 degrees. Modelling the camera removes it. The jaw contour (points
 * 0-16) is left out: it marks the face's visible outline, which slides over the head as it turns, not fixed
 * points of it.
 *
 * Pure arithmetic, no image code: the server's liveness checks and the hosted page's guidance run the same
 * function on their landmarks.
 */

/**
 * The head turn a liveness prompt needs by default, degrees of yaw: the usual challenge threshold (AWS's own,
 * and the test labels' "typical"). Flows set their own (`livenessMinTurnDegrees`).
 */
export const DEFAULT_MIN_TURN_DEGREES = 20;

/** A landmark in image pixels (x right, y down). */
export interface Point2 {
  x: number;
  y: number;
}

/** Head orientation relative to the camera, degrees. */
export interface HeadPose {
  /**
   * Rotation about the head's own vertical axis (the neck's turn; a tilt does not change it). Positive = turned
   * to the subject's own left (nose toward the image's right edge).
   */
  yaw: number;
  /** Positive = chin up. */
  pitch: number;
  /** Root-mean-square distance between the landmarks and the fitted model's projection, pixels. */
  residualPx: number;
}

/**
 * The rigid face: MediaPipe's canonical face model (`canonical_face_model.obj`, geometry of
 * mediapipe/modules/face_geometry/data, as shipped in the `@mediapipe/face_mesh` 0.4.1657299874 npm package;
 * Apache-2.0, Copyright Google LLC), the vertices that correspond to 68-landmark points 17-67, in the
 * model's units (about 1 cm): x toward the image's right at a frontal pose, y up, z toward the camera.
 * Index k here is landmark point 17 + k; the comment gives the mesh vertex.
 */
export const FACE_MODEL_POINTS: ReadonlyArray<readonly [number, number, number]> = [
  [-6.3744, 4.7856, 1.5917], // 17 <- 71
  [-4.9859, 4.8025, 3.752], // 18 <- 63
  [-3.9866, 5.1095, 4.4663], // 19 <- 105
  [-2.7603, 5.101, 5.016], // 20 <- 66
  [-1.3956, 5.012, 5.316], // 21 <- 107
  [1.3956, 5.012, 5.316], // 22 <- 336
  [2.7603, 5.101, 5.016], // 23 <- 296
  [3.9866, 5.1095, 4.4663], // 24 <- 334
  [4.9859, 4.8025, 3.752], // 25 <- 293
  [6.3744, 4.7856, 1.5917], // 26 <- 301
  [0, 3.271, 5.236], // 27 <- 168
  [0, 1.7284, 6.3168], // 28 <- 197
  [0, 0.3657, 7.2429], // 29 <- 5
  [0, -0.4632, 7.5866], // 30 <- 4
  [-1.0436, -1.465, 5.6625], // 31 <- 75
  [-0.5974, -2.0137, 5.8665], // 32 <- 97
  [0, -2.089, 6.0583], // 33 <- 2
  [0.5974, -2.0137, 5.8665], // 34 <- 326
  [1.0436, -1.465, 5.6625], // 35 <- 305
  [-4.4459, 2.664, 3.1734], // 36 <- 33
  [-3.6701, 2.9277, 3.7243], // 37 <- 160
  [-2.724, 2.9618, 3.8718], // 38 <- 158
  [-1.8564, 2.5852, 3.7579], // 39 <- 133
  [-2.724, 2.3158, 3.7772], // 40 <- 153
  [-3.6701, 2.3602, 3.6352], // 41 <- 144
  [1.8564, 2.5852, 3.7579], // 42 <- 362
  [2.724, 2.9618, 3.8718], // 43 <- 385
  [3.6701, 2.9277, 3.7243], // 44 <- 387
  [4.4459, 2.664, 3.1734], // 45 <- 263
  [3.6701, 2.3602, 3.6352], // 46 <- 373
  [2.724, 2.3158, 3.7772], // 47 <- 380
  [-2.4562, -4.3426, 4.2839], // 48 <- 61
  [-1.4316, -3.501, 5.4962], // 49 <- 39
  [-0.7115, -3.3294, 5.877], // 50 <- 37
  [0, -3.4064, 5.9795], // 51 <- 0
  [0.7115, -3.3294, 5.877], // 52 <- 267
  [1.4316, -3.501, 5.4962], // 53 <- 269
  [2.4562, -4.3426, 4.2839], // 54 <- 291
  [1.3251, -5.1065, 5.205], // 55 <- 405
  [0.6996, -5.2919, 5.4483], // 56 <- 314
  [0, -5.3651, 5.5354], // 57 <- 17
  [-0.6996, -5.2919, 5.4483], // 58 <- 84
  [-1.3251, -5.1065, 5.205], // 59 <- 181
  [-2.1531, -4.2763, 4.0381], // 60 <- 78
  [-0.5334, -3.9932, 5.1382], // 61 <- 82
  [0, -3.9944, 5.2195], // 62 <- 13
  [0.5334, -3.9932, 5.1382], // 63 <- 312
  [2.1531, -4.2763, 4.0381], // 64 <- 308
  [0.5832, -4.518, 5.3399], // 65 <- 317
  [0, -4.5424, 5.4048], // 66 <- 14
  [-0.5832, -4.518, 5.3399], // 67 <- 87
];

/** The first of the 68 landmarks the fit uses (0-16 are the jaw contour). */
const FIRST_FITTED_POINT = 17;

/**
 * Head pose from 68 landmarks in a `width` x `height` image, or null without 68 finite landmarks. The camera
 * is assumed to have its focal length equal to the image's longer side (about 53 degrees across it, a
 * typical webcam; phone selfie cameras are wider, where the fit reads turns a few degrees low rather than
 * high) and its principal point at the image centre.
 */
export function headPoseFromLandmarks(landmarks: readonly Point2[], width: number, height: number): HeadPose | null {
  if (landmarks.length < 68 || !(width > 0) || !(height > 0)) return null;
  const image = landmarks.slice(FIRST_FITTED_POINT, 68);
  if (!image.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return null;
  const camera: Camera = { f: Math.max(width, height), cx: width / 2, cy: height / 2 };
  const fit = fitPose(image, camera);
  const r = rotationMatrix(fit.rotation);
  // Decomposed as roll (about the camera axis) after pitch after yaw (about the head's own vertical axis): the
  // camera-depth components of the head's axes then hold yaw and pitch alone, so tilting the head in the image
  // plane changes neither. In the model's axes (y up, z toward the camera) those components are R[6], -R[7], R[8].
  const deg = 180 / Math.PI;
  return {
    yaw: Math.atan2(r[6]!, r[8]!) * deg,
    pitch: Math.asin(Math.max(-1, Math.min(1, -r[7]!))) * deg,
    residualPx: Math.sqrt(fit.cost / image.length),
  };
}

interface Camera {
  f: number;
  cx: number;
  cy: number;
}

/** Rotation vector (axis times angle, radians) and translation in model units, camera frame (x right, y down, z forward). */
type PoseParameters = [number, number, number, number, number, number];

/** Rodrigues: rotation vector to a row-major 3x3 matrix. */
function rotationMatrix([a, b, c]: readonly number[]): number[] {
  const angle = Math.hypot(a!, b!, c!);
  if (angle < 1e-12) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const [x, y, z] = [a! / angle, b! / angle, c! / angle];
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const t = 1 - cos;
  return [
    t * x * x + cos,
    t * x * y - sin * z,
    t * x * z + sin * y,
    t * x * y + sin * z,
    t * y * y + cos,
    t * y * z - sin * x,
    t * x * z - sin * y,
    t * y * z + sin * x,
    t * z * z + cos,
  ];
}

/** Reprojection residuals (x, y per point) of the model under pose `p`. */
function residuals(p: readonly number[], image: readonly Point2[], camera: Camera): Float64Array {
  const r = rotationMatrix(p);
  const out = new Float64Array(image.length * 2);
  for (let i = 0; i < image.length; i++) {
    // Model (y up, z toward the camera) to camera axes (y down, z away from it).
    const [mx, my, mz] = FACE_MODEL_POINTS[i]!;
    const [X, Y, Z] = [mx, -my, -mz];
    const xc = r[0]! * X + r[1]! * Y + r[2]! * Z + p[3]!;
    const yc = r[3]! * X + r[4]! * Y + r[5]! * Z + p[4]!;
    const zc = r[6]! * X + r[7]! * Y + r[8]! * Z + p[5]!;
    out[2 * i] = (camera.f * xc) / zc + camera.cx - image[i]!.x;
    out[2 * i + 1] = (camera.f * yc) / zc + camera.cy - image[i]!.y;
  }
  return out;
}

const sumOfSquares = (v: Float64Array): number => v.reduce((s, x) => s + x * x, 0);

/**
 * Levenberg-Marquardt over the six pose parameters (forward-difference Jacobian: 51 points, six unknowns),
 * starting frontal at the depth the landmarks' width implies. Converges in a few dozen iterations for any
 * pose a face detector still finds.
 */
function fitPose(image: readonly Point2[], camera: Camera): { rotation: number[]; cost: number } {
  const xs = image.map((q) => q.x);
  const modelWidth = Math.max(...FACE_MODEL_POINTS.map((m) => m[0])) - Math.min(...FACE_MODEL_POINTS.map((m) => m[0]));
  const imageWidth = Math.max(1, Math.max(...xs) - Math.min(...xs));
  const depth = (camera.f * modelWidth) / imageWidth;
  const cx = xs.reduce((s, v) => s + v, 0) / image.length;
  const cy = image.reduce((s, q) => s + q.y, 0) / image.length;
  let p: PoseParameters = [
    0,
    0,
    0,
    ((cx - camera.cx) * depth) / camera.f,
    ((cy - camera.cy) * depth) / camera.f,
    depth,
  ];
  let r = residuals(p, image, camera);
  let cost = sumOfSquares(r);
  let damping = 1e-3;
  for (let iteration = 0; iteration < 100; iteration++) {
    const jacobian = p.map((value, k) => {
      const step = k < 3 ? 1e-6 : 1e-6 * Math.max(1, Math.abs(value));
      const q = [...p];
      q[k] = value + step;
      const rq = residuals(q, image, camera);
      return rq.map((v, i) => (v - r[i]!) / step);
    });
    const normal = jacobian.map((a) => jacobian.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
    const gradient = jacobian.map((a) => a.reduce((s, v, i) => s + v * r[i]!, 0));
    let improved = false;
    for (let attempt = 0; attempt < 10 && !improved; attempt++) {
      const damped = normal.map((row, i) => row.map((v, j) => (i === j ? v * (1 + damping) + 1e-9 : v)));
      const delta = solveLinear(
        damped,
        gradient.map((g) => -g),
      );
      const q = p.map((v, i) => v + delta[i]!) as PoseParameters;
      const rq = residuals(q, image, camera);
      const c = sumOfSquares(rq);
      if (c < cost) {
        const gain = (cost - c) / cost;
        [p, r, cost] = [q, rq, c];
        damping /= 3;
        improved = true;
        if (gain < 1e-10) return { rotation: p.slice(0, 3), cost };
      } else {
        damping *= 4;
      }
    }
    if (!improved) break;
  }
  return { rotation: p.slice(0, 3), cost };
}

/** Solves a small dense system by Gaussian elimination with partial pivoting. */
function solveLinear(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const m = matrix.map((row, i) => [...row, rhs[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = col + 1; row < n; row++) {
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let s = m[row]![n]!;
    for (let k = row + 1; k < n; k++) s -= m[row]![k]! * x[k]!;
    x[row] = s / m[row]![row]!;
  }
  return x;
}
