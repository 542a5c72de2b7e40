import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where face-api's weights and the tfjs wasm binaries are read from. From source and in the local server they
 * are the npm packages' own files; a bundle that cannot reach node_modules (the pipeline Lambda's asset) ships
 * copies beside itself, in {@link FACE_ASSET_DIRS} (copied by lib/pipeline.ts from the lists below).
 */

/** face-api's build for Node on the tfjs wasm backend (it carries tfjs and the backend as `faceapi.tf`). */
export const FACE_API_MODULE = '@vladmandic/face-api/dist/face-api.node-wasm.js';

/**
 * The face-api nets the checks load, by `faceapi.nets` name, with their weights' file stem in
 * `@vladmandic/face-api/model/` (`<stem>-weights_manifest.json` + `<stem>.bin`): SSD, 68 landmarks and the
 * recognition net for stills; the tiny detector and tiny landmarks for the frames of a liveness recording.
 * The package's other nets (age/gender, expressions) are never loaded nor shipped.
 */
export const FACE_API_NETS = {
  ssdMobilenetv1: 'ssd_mobilenetv1_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceRecognitionNet: 'face_recognition_model',
  tinyFaceDetector: 'tiny_face_detector_model',
  faceLandmark68TinyNet: 'face_landmark_68_tiny_model',
} as const;

/** The tfjs wasm backend's binaries (in `@tensorflow/tfjs-backend-wasm/dist/`); it picks one by SIMD/thread support. */
export const TFJS_WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** The packages a bundle ships in its own node_modules to run the nets on onnxruntime (main first). */
export const ONNX_RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-common'] as const;

/** Folders beside a bundle that ships the files itself. */
export const FACE_ASSET_DIRS = { weights: 'face-api-model', wasm: 'tfjs-backend-wasm' } as const;

/**
 * What runs the nets' layers: `onnxruntime` = onnxruntime-node's native kernels (face-net-runtime.ts; 2.5-5x
 * less CPU), from node_modules (the local server and CLI: it also runs the OCR) or from a bundle's own
 * node_modules (the pipeline Lambda's asset ships it for linux-x64, see lib/pipeline.ts); `wasm` = face-api's own
 * tfjs wasm backend, for a bundle that ships no onnxruntime.
 */
export type FaceNetRuntime = 'onnxruntime' | 'wasm';

export interface FaceModelFiles {
  /** Folder with the weights of {@link FACE_API_NETS}. */
  weightsDir: string;
  /** Folder with the {@link TFJS_WASM_BINARIES}. */
  wasmDir: string;
  /** What runs the nets' layers. */
  nets: FaceNetRuntime;
}

/** The npm packages' folders (resolved from node_modules). */
export function packagedFaceModelFiles(): FaceModelFiles {
  const dirOf = (pkg: string) => path.dirname(require.resolve(`${pkg}/package.json`));
  return {
    weightsDir: path.join(dirOf('@vladmandic/face-api'), 'model'),
    wasmDir: path.join(dirOf('@tensorflow/tfjs-backend-wasm'), 'dist'),
    nets: 'onnxruntime',
  };
}

/**
 * The files beside the running bundle when it ships them (`bundleDir` is the bundle's own folder: `__dirname`
 * of a bundled module), else the npm packages'.
 */
export function faceModelFiles(bundleDir: string = __dirname): FaceModelFiles {
  const weightsDir = path.join(bundleDir, FACE_ASSET_DIRS.weights);
  if (existsSync(weightsDir)) {
    const shipsOnnxRuntime = existsSync(path.join(bundleDir, 'node_modules', ONNX_RUNTIME_PACKAGES[0], 'package.json'));
    return {
      weightsDir,
      wasmDir: path.join(bundleDir, FACE_ASSET_DIRS.wasm),
      nets: shipsOnnxRuntime ? 'onnxruntime' : 'wasm',
    };
  }
  return packagedFaceModelFiles();
}
