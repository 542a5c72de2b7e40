import { loadFaceApi, type FaceApiModule } from './faces';
import { loadOcrModels, type OcrModels } from './ocr';

/**
 * Process-wide model cache. Models load once per process and stay warm; concurrent first calls share one
 * load promise. A failed load is forgotten so the next call retries (e.g. after a transient file error).
 */

let faceApiPromise: Promise<FaceApiModule> | null = null;
let ocrPromise: Promise<OcrModels> | null = null;

function shared<T>(
  get: () => Promise<T> | null,
  set: (p: Promise<T> | null) => void,
  load: () => Promise<T>,
): Promise<T> {
  const existing = get();
  if (existing !== null && existing !== undefined) return existing;
  const promise = load().catch((err: unknown) => {
    set(null);
    throw err;
  });
  set(promise);
  return promise;
}

/** face-api with SSD MobileNet, 68 landmarks and the 128-d recognition net on the wasm backend. */
export function faceModels(): Promise<FaceApiModule> {
  return shared(
    () => faceApiPromise,
    (p) => {
      faceApiPromise = p;
    },
    loadFaceApi,
  );
}

/** PaddleOCR detection + recognition sessions. */
export function ocrModels(): Promise<OcrModels> {
  return shared(
    () => ocrPromise,
    (p) => {
      ocrPromise = p;
    },
    loadOcrModels,
  );
}
