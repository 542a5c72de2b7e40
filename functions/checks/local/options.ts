import type { CheckTiming } from '../../ports/checks';

/** Tunables of the local provider. Defaults were measured on the developers' test set (../shared/testdata) (see the report/tests). */
export interface LocalCheckOptions {
  /**
   * Minimum detector score for a selfie or document face. Higher than the flow's liveness-frame confidence:
   * at 0.3 SSD also "finds" an animal face (the test fox scores 0.44); real selfies and document portraits
   * score 0.65-1.0. The flow's `minFaceConfidence` still applies when it is higher.
   */
  selfieMinConfidence: number;
  /**
   * Faces narrower than this fraction of the largest face are ignored when counting faces
   * (tiny background specks/false positives, not a second applicant).
   */
  minRelativeFaceWidth: number;
  /**
   * Face-match review band: distances in [threshold - below, threshold + above] give FACE_MATCH_INCONCLUSIVE
   * (outcome inconclusive) instead of a hard pass/fail, since the descriptor noise near the threshold is about
   * that wide. Same-person pairs in the test set stay under 0.56, different people above 0.70.
   */
  inconclusiveBelow: number;
  inconclusiveAbove: number;
  /**
   * Two liveness frames whose 16x16 grayscale thumbnails differ by less than this mean absolute value (0-255)
   * are treated as copies (replayed still image).
   */
  replayMaxDifference: number;
  /** Longest image side fed to face detection. */
  maxFaceImageSide: number;
  /** Longest image side fed to OCR. */
  maxOcrImageSide: number;
  /** Lowest accepted OCR confidence for MRZ characters no check digit protects (names, codes, sex). */
  minUnprotectedConfidence: number;
}

export const DEFAULT_LOCAL_OPTIONS: LocalCheckOptions = {
  selfieMinConfidence: 0.5,
  minRelativeFaceWidth: 0.2,
  inconclusiveBelow: 0.02,
  inconclusiveAbove: 0.04,
  replayMaxDifference: 1.0,
  maxFaceImageSide: 1024,
  maxOcrImageSide: 1600,
  minUnprotectedConfidence: 0.15,
};

/** Runs `fn`, appending its wall time under `step`. */
export async function timed<T>(timings: CheckTiming[], step: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings.push({ step, ms: Math.round(performance.now() - start) });
  }
}
