import path from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import { headPoseFromLandmarks } from '../../domain/head-pose';
import { FACE_API_NETS, type FaceModelFiles, faceModelFiles } from './face-model-files';
import type { Box, RgbImage } from './image';

/**
 * Face detection, 68 landmarks and 128-d descriptors with @vladmandic/face-api on the tfjs wasm backend
 * (weights ship in the npm package's model/ dir; nothing is downloaded), the nets' layers on onnxruntime where
 * it is installed (face-net-runtime.ts). Loading follows the measured recipe in the toolchain notes: node-wasm
 * dist, setWasmPaths with a trailing slash, setBackend('wasm'), loadFromDisk.
 */

export type FaceApiModule = typeof FaceApi;

/** One detected face. */
export interface DetectedFace {
  box: Box;
  /** Detector confidence 0-1. */
  score: number;
  /** 128-d descriptor (Euclidean distance < ~0.6 = same person); empty in `light` mode. */
  descriptor: Float32Array;
  /**
   * Head yaw in degrees from the landmarks' perspective fit (domain/head-pose.ts); positive = turned to the
   * subject's own left (nose toward the image's right edge). 0 in `locate` mode.
   */
  yaw: number;
  /** Head tilt in degrees from the eye line (positive = crown toward the image's right). */
  roll: number;
}

/**
 * Loads face-api on the wasm backend and its nets from `files` (see face-model-files.ts), their layers then on
 * onnxruntime when `files.nets` says so; call once per process (see face-models.ts).
 */
export async function loadFaceApi(files: FaceModelFiles = faceModelFiles()): Promise<FaceApiModule> {
  const wasmDir = files.wasmDir.endsWith(path.sep) ? files.wasmDir : files.wasmDir + path.sep;
  // FACE_API_MODULE, spelled out so bundlers see which module it is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  // The node-wasm build re-exports tfjs and its wasm backend as `faceapi.tf` (its types declare a part only).
  // Using them through face-api keeps one tfjs instance, also where face-api ships as one bundled file (Lambda).
  const tf = faceapi.tf as unknown as typeof import('@tensorflow/tfjs') &
    Pick<typeof import('@tensorflow/tfjs-backend-wasm'), 'setWasmPaths'>;
  tf.setWasmPaths(wasmDir);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tfjs wasm backend could not be initialised');
  await tf.ready();
  for (const net of Object.keys(FACE_API_NETS) as Array<keyof typeof FACE_API_NETS>) {
    await faceapi.nets[net].loadFromDisk(files.weightsDir);
  }
  if (files.nets === 'onnxruntime') {
    // Required here, not imported: the pipeline Lambda's bundle (nets on wasm) never loads onnxruntime.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('./face-net-runtime') as typeof import('./face-net-runtime')).runFaceNetsOnOnnx(faceapi);
  }
  return faceapi;
}

/**
 * How much to compute: `full` = SSD MobileNet, 68 landmarks and 128-d descriptors (selfies, documents, stills);
 * `light` = the tiny detector and the 68 landmarks without descriptors (the pose of each frame of a liveness
 * recording: ~10x cheaper; the full landmark net, not the tiny one the page's guidance runs in the browser:
 * on onnxruntime it costs the same, and on person_a's ~40 px recording faces its turns read 2-5 degrees
 * nearer the reference poses); `locate` = the tiny
 * detector alone at a larger input size, boxes and scores only (yaw and roll 0, no descriptor): where the face of
 * a document's portrait is, at a fifth to a third of SSD's cost; `recognise` = the recording's tiny detector
 * (same input size and boxes as `light`) with the full 68 landmarks and the 128-d descriptor: identity on a
 * recording's frame without SSD (less when it starts from the light look's box, see {@link KnownFace}).
 * Milliseconds of one core per image, nets on onnxruntime / on tfjs wasm (bench:faces): `full` ~130 / ~340,
 * `light` ~14 / ~70, `locate` ~26 / ~100, `recognise` ~22 / ~100 (~12 / ~38 from a known box). The descriptor
 * is computed on the landmark-aligned face either way; on person_a's recording its distances to a selfie differ from the SSD path's
 * by 0.00-0.07 (docs/benchmarks.md, bench:pipeline).
 */
export type FaceAnalysisMode = 'full' | 'light' | 'locate' | 'recognise';

/**
 * A face the tiny detector already found on the same image (a `light` look's result): `recognise` starts from
 * it instead of running the detector again. The detector is deterministic, so the landmarks and descriptor are
 * those of a fresh `recognise` analysis (the box is carried to within float rounding).
 */
export type KnownFace = Pick<DetectedFace, 'box' | 'score'>;

/** Input size of the tiny detector on recording frames, `light` and `recognise` (multiple of 32; frames are ~320 px wide). */
const LIGHT_INPUT_SIZE = 416;

/**
 * Input size of the tiny detector in `locate` mode (whole documents, up to 1600 px): at 416 a portrait's face
 * shrinks to ~25 px and 14 % of the synthetic documents' portraits scored below 0.3; at 512 the right face
 * scored 0.3-0.9 on all but a few of them (~0.3 of an SSD pass on wasm, ~0.2 on onnxruntime).
 */
const LOCATE_INPUT_SIZE = 512;

/**
 * Detects all faces with landmarks and, in `full` mode, descriptors. `minConfidence` 0.3 finds the ~60 px
 * faces of 480x270 video frames; callers filter by the flow's own confidence. In `recognise` mode, `known`
 * faces (a `light` look of the same image) skip the detector (~0.07 s of a recording frame's ~0.12 s).
 */
export async function detectFaces(
  faceapi: FaceApiModule,
  image: RgbImage,
  minConfidence: number,
  mode: FaceAnalysisMode = 'full',
  known?: readonly KnownFace[],
): Promise<DetectedFace[]> {
  const tensor = faceapi.tf.tensor3d(new Int32Array(image.data), [image.height, image.width, 3], 'int32');
  try {
    const input = tensor as unknown as FaceApi.tf.Tensor3D;
    if (mode === 'locate') {
      const found = await faceapi.detectAllFaces(
        input,
        new faceapi.TinyFaceDetectorOptions({ inputSize: LOCATE_INPUT_SIZE, scoreThreshold: minConfidence }),
      );
      return found.map((d) => ({
        box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height },
        score: d.score,
        descriptor: new Float32Array(0),
        yaw: 0,
        roll: 0,
      }));
    }
    const tiny = () =>
      faceapi.detectAllFaces(
        input,
        new faceapi.TinyFaceDetectorOptions({ inputSize: LIGHT_INPUT_SIZE, scoreThreshold: minConfidence }),
      );
    const results: Array<{
      detection: FaceApi.FaceDetection;
      landmarks: FaceApi.FaceLandmarks68;
      descriptor?: Float32Array;
    }> =
      mode === 'light'
        ? await tiny().withFaceLandmarks()
        : mode === 'recognise'
          ? known
            ? await recogniseKnown(faceapi, input, image, known)
            : await tiny().withFaceLandmarks().withFaceDescriptors()
          : await faceapi
              .detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 10 }))
              .withFaceLandmarks()
              .withFaceDescriptors();
    return results.map((r) => {
      const points = r.landmarks.positions.map((p) => ({ x: p.x, y: p.y }));
      const b = r.detection.box;
      return {
        box: { x: b.x, y: b.y, width: b.width, height: b.height },
        score: r.detection.score,
        descriptor: r.descriptor ?? new Float32Array(0),
        yaw: headPoseFromLandmarks(points, image.width, image.height)?.yaw ?? 0,
        roll: headRoll(points),
      };
    });
  } finally {
    tensor.dispose();
  }
}

/** `recognise` from faces already found: face-api's landmark and descriptor tasks over the given detections. */
function recogniseKnown(
  faceapi: FaceApiModule,
  input: FaceApi.tf.Tensor3D,
  image: RgbImage,
  known: readonly KnownFace[],
) {
  const { width, height } = image;
  const detections = known.map(({ box, score }) =>
    faceapi.extendWithFaceDetection(
      {},
      new faceapi.FaceDetection(
        score,
        new faceapi.Rect(box.x / width, box.y / height, box.width / width, box.height / height),
        { width, height },
      ),
    ),
  );
  return new faceapi.DetectAllFaceLandmarksTask(Promise.resolve(detections), input, false).withFaceDescriptors();
}

interface Point {
  x: number;
  y: number;
}

function mean(points: Point[]): Point {
  const n = Math.max(1, points.length);
  return { x: points.reduce((s, p) => s + p.x, 0) / n, y: points.reduce((s, p) => s + p.y, 0) / n };
}

/** Head tilt in degrees from the eye line (image-left eye = landmarks 36-41, image-right eye = 42-47). */
export function headRoll(landmarks: Point[]): number {
  if (landmarks.length < 68) return 0;
  const leftEye = mean(landmarks.slice(36, 42));
  const rightEye = mean(landmarks.slice(42, 48));
  return (Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x) * 180) / Math.PI;
}

/** Euclidean distance between two descriptors. */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    sum += d * d;
  }
  return Math.sqrt(sum);
}
