import type { Point } from './pose';

/**
 * face-api's TinyFaceDetector + tiny 68-point landmarks, loaded from the page's own origin (`/v/models`,
 * `/v/tfjs`). Runs where it is loaded: in the detection worker (face-detector.worker.ts) normally, on the
 * main thread only as a fallback (face-detector.ts). Pixels come in as an ImageBitmap or ImageData in the
 * worker (turned into a tensor, so face-api needs no canvas there) or as a canvas/video on the main thread.
 */

export interface DetectedFace {
  /** Box in source pixels. */
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: Point[];
}

/** What the model reads: a DOM element on the main thread, decoded pixels in a worker. */
export type FaceModelInput = HTMLVideoElement | HTMLCanvasElement | ImageBitmap | ImageData;

/** Detects faces in one picture, largest first. */
export type FaceModel = (input: FaceModelInput) => Promise<DetectedFace[]>;

const ASSET_BASE = '/v/';

interface WasmCapableTf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  setWasmPaths?: (prefix: string) => void;
}

/** One face-api result, as the library returns it. */
export interface FaceApiResult {
  detection: { box: { x: number; y: number; width: number; height: number }; score: number };
  landmarks: { positions: readonly Point[] };
}

/**
 * Plain, structured-cloneable faces (they cross the worker boundary), largest first: the guidance judges
 * the applicant, who is the closest, biggest face.
 */
export function toDetectedFaces(results: readonly FaceApiResult[]): DetectedFace[] {
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
}

/** Loads the library, a tensorflow backend and the two networks. */
export async function loadFaceModel(): Promise<FaceModel> {
  const faceapi = await import('@vladmandic/face-api');
  const inWorker = typeof document === 'undefined';
  if (inWorker) faceapi.env.setEnv(workerEnvironment());
  const tf = faceapi.tf;
  await chooseBackend(tf as unknown as WasmCapableTf);
  await Promise.all([
    faceapi.nets.tinyFaceDetector.loadFromUri(`${ASSET_BASE}models`),
    faceapi.nets.faceLandmark68TinyNet.loadFromUri(`${ASSET_BASE}models`),
  ]);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: 0.35 });
  return async (input) => {
    if (isDomElement(input)) {
      return toDetectedFaces(await faceapi.detectAllFaces(input, options).withFaceLandmarks(true));
    }
    // Decoded pixels (the worker's case): a tensor input keeps face-api on its tensor path, no canvas.
    const pixels = tf.browser.fromPixels(input);
    try {
      return toDetectedFaces(await faceapi.detectAllFaces(pixels, options).withFaceLandmarks(true));
    } finally {
      pixels.dispose();
    }
  };
}

/** A video or canvas element (a worker has no DOM, so never there). */
function isDomElement(input: FaceModelInput): input is HTMLVideoElement | HTMLCanvasElement {
  return typeof HTMLElement !== 'undefined' && input instanceof HTMLElement;
}

/** A class nothing is an instance of, for `instanceof` checks against DOM classes a worker lacks. */
function NoElement(): new () => never {
  return class {
    constructor() {
      throw new Error('no DOM in a worker');
    }
  } as unknown as new () => never;
}

/**
 * face-api picks its environment (canvas, image, fetch) only in a window or in Node; a worker is neither,
 * so it is given one. Only `fetch` (weights) and the media type checks on its input path are used: inputs
 * are tensors, never canvases or images.
 */
function workerEnvironment(): Parameters<typeof import('@vladmandic/face-api').env.setEnv>[0] {
  const none = NoElement();
  return {
    Canvas: (typeof OffscreenCanvas === 'undefined' ? none : OffscreenCanvas) as unknown as typeof HTMLCanvasElement,
    CanvasRenderingContext2D: (typeof OffscreenCanvasRenderingContext2D === 'undefined'
      ? none
      : OffscreenCanvasRenderingContext2D) as unknown as typeof CanvasRenderingContext2D,
    Image: none as unknown as typeof HTMLImageElement,
    ImageData,
    Video: none as unknown as typeof HTMLVideoElement,
    createCanvasElement: () => new OffscreenCanvas(1, 1) as unknown as HTMLCanvasElement,
    createImageElement: () => new none() as HTMLImageElement,
    createVideoElement: () => new none() as HTMLVideoElement,
    fetch: (url, init) => fetch(url, init),
    readFile: () => Promise.reject(new Error('no file system in a worker')),
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
