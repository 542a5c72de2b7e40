import type { Point } from './pose';

/**
 * Light in-browser face detector for guidance: face-api's TinyFaceDetector + tiny 68-point landmarks.
 * The library (~1.3 MB) and its weights (~280 KB) load lazily from the page's own origin (`/v/models`,
 * `/v/tfjs`) the first time a face step needs them; the welcome and consent steps stay light.
 */

export interface DetectedFace {
  /** Box in source pixels. */
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: Point[];
}

export interface FaceDetector {
  /** Faces in the source (video or canvas), largest first. */
  detect(source: HTMLVideoElement | HTMLCanvasElement): Promise<DetectedFace[]>;
}

const ASSET_BASE = '/v/';
let loading: Promise<FaceDetector> | null = null;

interface WasmCapableTf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  setWasmPaths?: (prefix: string) => void;
}

/** Loads the detector once; later calls share the same promise. */
export function loadFaceDetector(): Promise<FaceDetector> {
  loading ??= createDetector().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

async function createDetector(): Promise<FaceDetector> {
  const faceapi = await import('@vladmandic/face-api');
  const tf = faceapi.tf as unknown as WasmCapableTf;
  await chooseBackend(tf);
  await Promise.all([
    faceapi.nets.tinyFaceDetector.loadFromUri(`${ASSET_BASE}models`),
    faceapi.nets.faceLandmark68TinyNet.loadFromUri(`${ASSET_BASE}models`),
  ]);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: 0.35 });
  return {
    async detect(source) {
      const results = await faceapi.detectAllFaces(source, options).withFaceLandmarks(true);
      return results
        .map((result) => ({
          box: {
            x: result.detection.box.x,
            y: result.detection.box.y,
            width: result.detection.box.width,
            height: result.detection.box.height,
          },
          score: result.detection.score,
          landmarks: result.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
        }))
        .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    },
  };
}

/** WASM (SIMD) first: predictable on phones and in headless test browsers; then WebGL; CPU last. */
async function chooseBackend(tf: WasmCapableTf): Promise<void> {
  tf.setWasmPaths?.(`${ASSET_BASE}tfjs/`);
  for (const backend of ['wasm', 'webgl', 'cpu']) {
    try {
      if (await tf.setBackend(backend)) {
        await tf.ready();
        return;
      }
    } catch {
      // try the next backend
    }
  }
  throw new Error('no tensorflow backend');
}
