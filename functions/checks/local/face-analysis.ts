import { faceAnalysisKey, memoizedAnalysis } from './face-cache';
import { detectFacesOffThread, faceWorkerAvailable } from './face-thread';
import { detectFaces, type DetectedFace, type FaceAnalysisMode, type KnownFace } from './faces';
import type { Box, RgbImage } from './image';
import { faceModels } from './face-models';
import type { LocalCheckOptions } from './options';

/** Part of the memo key: each mode's analysis is its own entry. */
const ANALYSIS_MODES: readonly FaceAnalysisMode[] = ['full', 'light', 'locate', 'recognise'];

/**
 * Faces of one image above `minConfidence` (the analysis `mode`, see faces.ts), largest first, ignoring
 * faces much smaller than the largest (see {@link LocalCheckOptions.minRelativeFaceWidth}). Memoized per pixels and settings (see face-cache.ts):
 * the same selfie or portrait crop is analysed once per process, however many checks look at it.
 * The returned faces are frozen (shared with other callers); the array is the caller's own.
 */
export async function findFaces(
  image: RgbImage,
  minConfidence: number,
  options: LocalCheckOptions,
  mode: FaceAnalysisMode = 'full',
): Promise<DetectedFace[]> {
  const key = faceAnalysisKey(image, {
    minConfidence,
    minRelativeFaceWidth: options.minRelativeFaceWidth,
    mode: ANALYSIS_MODES.indexOf(mode),
  });
  return [...(await memoizedAnalysis(key, () => analyseFaces(image, minConfidence, options, mode)))];
}

/**
 * {@link findFaces} without the process-wide memo, for images looked at once (the frames of a liveness
 * recording): a recording's dozens of frames would otherwise push the selfie and the portrait crop, which
 * other checks look at again, out of the memo's few entries, and keep descriptors of every frame in memory.
 * `known`: in `recognise` mode, the faces a `light` look found on this image (the detector is not run again).
 */
export async function findFacesOnce(
  image: RgbImage,
  minConfidence: number,
  options: LocalCheckOptions,
  mode: FaceAnalysisMode,
  known?: readonly KnownFace[],
): Promise<DetectedFace[]> {
  return analyseFaces(image, minConfidence, options, mode, known);
}

/** A face candidate from the tiny detector alone (`locate` mode, see faces.ts). */
export interface LocatedFace {
  box: DetectedFace['box'];
  score: number;
}

/**
 * Where faces are on an image, by the tiny detector alone (`locate` mode, see faces.ts), most confident first,
 * none left out for its size: a large low-scored false box (guilloche, a shoulder) must not push the real face
 * out. Cheap, and no proof of a face: callers confirm a candidate with {@link findFaces}. Not memoized (one
 * look per document).
 */
export async function locateFaces(image: RgbImage, minScore: number): Promise<LocatedFace[]> {
  const found = faceWorkerAvailable()
    ? await detectFacesOffThread(image, minScore, 'locate')
    : await detectFaces(await faceModels(), image, minScore, 'locate');
  return found.map((f) => ({ box: f.box, score: f.score })).sort((a, b) => b.score - a.score);
}

async function analyseFaces(
  image: RgbImage,
  minConfidence: number,
  options: LocalCheckOptions,
  mode: FaceAnalysisMode,
  known?: readonly KnownFace[],
): Promise<DetectedFace[]> {
  // On the face worker thread when its script is there (always, from source and in the bundle), else in-thread.
  const detected = faceWorkerAvailable()
    ? await detectFacesOffThread(image, minConfidence, mode, known)
    : await detectFaces(await faceModels(), image, minConfidence, mode, known);
  const confident = withoutOverlappingBoxes(detected).sort((a, b) => b.box.width - a.box.width);
  const largest = confident[0]?.box.width ?? 0;
  return confident.filter((f) => f.box.width >= largest * options.minRelativeFaceWidth);
}

/**
 * The faces less every box that covers a quarter or more of a more confident face's box. The tiny detector
 * sometimes adds a weaker box over the hair and forehead above a face (one of the London studio portraits, at
 * most sizes from 160 to 370 px wide, covering 31-42 % of the face's box): a second "face" that would fail a
 * genuine applicant as `multiple_faces`, with a nonsense pose. Two faces that overlap that much cannot both be
 * seen (one hides the other's forehead or chin), so such a box is never a second person in view.
 */
export function withoutOverlappingBoxes<T extends Pick<DetectedFace, 'box' | 'score'>>(faces: readonly T[]): T[] {
  const coverage = (face: Box, other: Box): number => {
    const w = Math.min(face.x + face.width, other.x + other.width) - Math.max(face.x, other.x);
    const h = Math.min(face.y + face.height, other.y + other.height) - Math.max(face.y, other.y);
    return (Math.max(0, w) * Math.max(0, h)) / (face.width * face.height);
  };
  return faces.filter(
    (weaker) =>
      !faces.some((face) => face !== weaker && face.score > weaker.score && coverage(face.box, weaker.box) >= 0.25),
  );
}

/** Selfie/document face threshold: the flow's confidence, but never below the provider's selfie floor. */
export function stillImageConfidence(flowMinConfidence: number | undefined, options: LocalCheckOptions): number {
  return Math.max(flowMinConfidence ?? 0, options.selfieMinConfidence);
}
