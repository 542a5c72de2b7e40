import { type FaceApiModule, loadFaceApi } from './faces';
import { loadOnce } from './load-once';

/**
 * face-api with SSD MobileNet, 68 landmarks, the 128-d recognition net and the tiny detector/landmarks (their
 * layers on onnxruntime where it is installed, see face-model-files.ts), loaded once per process. Apart from models.ts so that face analysis (and the liveness
 * recording's observer the pipeline Lambda bundles) does not pull in the OCR runtime.
 */
export const faceModels: () => Promise<FaceApiModule> = loadOnce(() => loadFaceApi());
