import { loadOnce } from './load-once';
import { loadOcrModels, type OcrModels } from './ocr';

/**
 * Process-wide model cache. Models load once per process and stay warm; concurrent first calls share one
 * load promise. A failed load is forgotten so the next call retries (see load-once.ts).
 */

/** face-api with SSD MobileNet, 68 landmarks, the 128-d recognition net and the tiny nets (see face-models.ts). */
export { faceModels } from './face-models';

/** PaddleOCR detection + recognition sessions. */
export const ocrModels: () => Promise<OcrModels> = loadOnce(loadOcrModels);
