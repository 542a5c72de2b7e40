import type { CheckName, CheckOutcome, DocumentFields, Flow, HeadPrompt } from '../domain/model';

export type { CheckOutcome, DocumentFields };

/**
 * Check-provider port. Every provider (local offline models, AWS Rekognition/Textract) returns
 * the same normalized {@link CheckResult}, so the decision engine never knows which one ran.
 */

export interface CheckTiming {
  /** Step label, e.g. "decode", "detect", "ocr". */
  step: string;
  ms: number;
}

export interface CheckResult {
  check: CheckName;
  outcome: CheckOutcome;
  /** Named scores, e.g. { distance: 0.31, threshold: 0.6 } or { similarity: 98.2 }. */
  scores: Record<string, number>;
  /** Reason codes from the catalog (functions/domain/reason-codes.ts). */
  reasonCodes: string[];
  /** Risk flags from the catalog (functions/domain/risk-flags.ts). */
  riskFlags: string[];
  /** Extracted data: document fields for `document`, per-frame details for `liveness`. */
  extracted: Record<string, unknown>;
  timings: CheckTiming[];
  provider: string;
}

export interface ImageInput {
  bytes: Buffer;
  /** Free label for logs/debug ("document_front", "frame 2"); never PII. */
  label: string;
}

export interface DocumentCheckInput {
  front: ImageInput;
  back: ImageInput | null;
  flow: Pick<Flow, 'documentTypes' | 'issuingCountries' | 'minimumAge'>;
  /** Today's date (YYYY-MM-DD) for expiry and age rules. */
  today: string;
}

export interface DocumentCheckResult extends CheckResult {
  check: 'document';
  /** Document fields (also under extracted.fields). */
  fields: DocumentFields | null;
  /** PNG/JPEG crop of the document's portrait, for face matching; null if none found. */
  portrait: Buffer | null;
}

export interface FaceMatchInput {
  /** Reference face: the document portrait (or whole document image). */
  reference: ImageInput;
  /** Probe face: the selfie. */
  probe: ImageInput;
  flow: Pick<Flow, 'thresholds'>;
}

export interface LivenessInput {
  prompts: HeadPrompt[];
  /** One full-resolution frame per prompt, same order (may be empty when only a recording is judged). */
  frames: ImageInput[];
  /**
   * The whole challenge recorded continuously: a frame-sequence container (domain/frame-sequence.ts).
   * When present, the prompts must be met in it through smooth motion (domain/liveness-sequence.ts).
   */
  sequence?: ImageInput | null;
  /** The selfie, to check the frames show the same person. */
  selfie: ImageInput | null;
  flow: Pick<Flow, 'thresholds'>;
}

/** A face descriptor a provider can compare later (duplicate-face search). */
export interface FaceTemplate {
  provider: string;
  vector: number[];
}

/**
 * Server-side face index for duplicate-face search, for providers without a portable face vector
 * (AWS: one Rekognition collection per organisation, faces stored under the verification id).
 */
export interface FaceIndex {
  /** Indexes the image's largest face under the verification id. */
  indexFace(orgId: string, verificationId: string, image: ImageInput): Promise<{ faceId: string | null }>;
  /** Other verifications of the org whose indexed face matches the image's largest face, best first. */
  searchDuplicates(
    orgId: string,
    image: ImageInput,
    opts?: { excludeVerificationId?: string },
  ): Promise<{ verificationId: string; similarity: number }[]>;
  /**
   * Deletes indexed faces (erasure); resolves how many were deleted. By the ids indexFace returned; by verification
   * id only for records that never stored them (written before face ids were kept, or a crash right after
   * indexing), which makes the provider scan the organisation's index.
   */
  deleteFaces(orgId: string, target: { faceIds: string[] } | { verificationId: string }): Promise<number>;
}

/**
 * Provider-hosted liveness sessions (AWS: Rekognition Face Liveness). The server opens a session, the
 * applicant's browser streams its video straight to the provider, and the liveness step reads the verdict.
 */
export interface FaceLivenessSessionProvider {
  /** Opens a session the browser can stream to. */
  createFaceLivenessSession(params: { clientRequestToken?: string }): Promise<{ sessionId: string }>;
  /**
   * Reads a finished session as a normalized `liveness` CheckResult plus the session's frontal reference
   * image (null when none). Throws while the session is still open, so the caller retries.
   */
  getFaceLivenessResult(sessionId: string): Promise<{ result: CheckResult; referenceImage: ImageInput | null }>;
}

export interface CheckProvider {
  readonly name: string;
  /** Present when duplicate faces are searched server-side instead of through {@link faceTemplate} vectors. */
  readonly faceIndex?: FaceIndex;
  /** Present when the provider hosts liveness sessions (flow.useFaceLivenessSession). */
  readonly faceLivenessSessions?: FaceLivenessSessionProvider;
  checkDocument(input: DocumentCheckInput): Promise<DocumentCheckResult>;
  checkFaceMatch(input: FaceMatchInput): Promise<CheckResult>;
  checkLiveness(input: LivenessInput): Promise<CheckResult>;
  /** Descriptor of the single face in an image, or null if not exactly one face. */
  faceTemplate(image: ImageInput): Promise<FaceTemplate | null>;
  /** Loads models ahead of the first request (local); no-op for remote providers. */
  warmUp(): Promise<void>;
}
