import { type DetectedFace, loadFaceModel } from './face-model';

/**
 * Light in-browser face detector for guidance (selfie auto-capture, selfie review, head turns): face-api's
 * TinyFaceDetector + tiny 68-point landmarks (face-model.ts). It runs in a dedicated Web Worker so a
 * detection never holds the main thread: the head-turn recording's timer, its frame draws and the prompts
 * stay on time on a slow phone. Frames cross as transferred ImageBitmaps; faces come back in source pixels.
 * Where a module worker, OffscreenCanvas or createImageBitmap is missing, or the worker cannot start, the
 * same model runs on the main thread instead. The library (~1.3 MB) and its weights (~280 KB) load lazily
 * from the page's own origin the first time a face step needs them; the welcome and consent steps stay light.
 */

export type { DetectedFace } from './face-model';

export interface FaceDetector {
  /** Faces in the source (video or canvas), largest first, in source pixels. */
  detect(source: HTMLVideoElement | HTMLCanvasElement): Promise<DetectedFace[]>;
}

/** Page -> worker: one frame to analyse (the bitmap is transferred, not copied). */
export interface DetectionRequest {
  id: number;
  pixels: ImageBitmap;
}

/** Worker -> page: the model loaded (or not), then one answer per request. */
export type DetectionReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'faces'; id: number; faces: DetectedFace[] }
  | { kind: 'error'; id: number; message: string };

let loading: Promise<FaceDetector> | null = null;

/** Loads the detector once; later calls share the same promise. */
export function loadFaceDetector(): Promise<FaceDetector> {
  loading ??= createDetector().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

async function createDetector(): Promise<FaceDetector> {
  if (workersSupported()) {
    try {
      return await startWorkerDetector();
    } catch {
      // no usable worker here (old browser, blocked script): detect on the main thread
    }
  }
  return mainThreadDetector();
}

function workersSupported(): boolean {
  return (
    typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined' && typeof createImageBitmap !== 'undefined'
  );
}

async function mainThreadDetector(): Promise<FaceDetector> {
  const model = await loadFaceModel();
  return { detect: (source) => model(source) };
}

interface Pending {
  resolve(faces: DetectedFace[]): void;
  reject(error: Error): void;
}

/**
 * Starts the worker and resolves once its model is loaded. If the worker dies later, the requests in flight
 * fail (callers treat a failed detection as "no face this frame") and later ones go to the main thread.
 */
function startWorkerDetector(): Promise<FaceDetector> {
  const worker = new Worker(new URL('./face-detector.worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let crashed = false;
  let fallback: Promise<FaceDetector> | null = null;

  const detector: FaceDetector = {
    async detect(source) {
      if (crashed) {
        fallback ??= mainThreadDetector();
        return (await fallback).detect(source);
      }
      const pixels = await createImageBitmap(source);
      const id = nextId++;
      return new Promise<DetectedFace[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, pixels } satisfies DetectionRequest, [pixels]);
      });
    },
  };

  return new Promise<FaceDetector>((resolve, reject) => {
    const settle = (id: number, outcome: (request: Pending) => void): void => {
      const request = pending.get(id);
      pending.delete(id);
      if (request) outcome(request);
    };
    worker.addEventListener('message', (event: MessageEvent<DetectionReply>) => {
      const reply = event.data;
      switch (reply.kind) {
        case 'ready':
          return resolve(detector);
        case 'failed':
          worker.terminate();
          return reject(new Error(reply.message));
        case 'faces':
          return settle(reply.id, (request) => request.resolve(reply.faces));
        case 'error':
          return settle(reply.id, (request) => request.reject(new Error(reply.message)));
      }
    });
    // The script failed to load (no module workers, CSP) or the worker crashed.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      worker.terminate();
      crashed = true;
      const error = new Error(event.message || 'face detection worker failed');
      for (const request of pending.values()) request.reject(error);
      pending.clear();
      reject(error);
    });
  });
}
