import { createHash } from 'node:crypto';
import type { DetectedFace } from './faces';
import type { RgbImage } from './image';

/**
 * Process-wide memo of face analyses (SSD detection + landmarks + descriptors, ~0.13 s of one core each with
 * the nets on onnxruntime, ~0.35 s on tfjs wasm). One attempt analyses the same pixels several times: the selfie in the liveness check, the face
 * match and the risk signals' face template; the document portrait crop in the document check (to confirm it)
 * and again as the face match's reference. The key is a SHA-256 of the decoded pixels plus every setting that
 * changes the result, so a hit returns exactly what a fresh analysis would (face-api is deterministic).
 * Entries are in-flight or settled promises: concurrent callers share one analysis; failures are not kept.
 * Bounded (LRU) because descriptors are biometric data: only the last few images stay in memory.
 */

/** Entries kept; an attempt touches ~6 distinct images (document, portrait, selfie, 3 frames). */
export const FACE_CACHE_CAPACITY = 32;

const entries = new Map<string, Promise<readonly DetectedFace[]>>();

/** Cache key: pixels, size and the detector settings that change the result. */
export function faceAnalysisKey(image: RgbImage, settings: Record<string, number>): string {
  const hash = createHash('sha256').update(image.data).digest('base64url');
  const parts = Object.keys(settings)
    .sort()
    .map((k) => `${k}=${settings[k]}`);
  return `${image.width}x${image.height}:${hash}:${parts.join(',')}`;
}

/**
 * The cached analysis for `key`, or runs `analyse` once and caches it (most recently used last).
 * A rejected analysis is evicted so the next caller retries.
 */
export function memoizedAnalysis(
  key: string,
  analyse: () => Promise<DetectedFace[]>,
): Promise<readonly DetectedFace[]> {
  const hit = entries.get(key);
  if (hit !== undefined) {
    entries.delete(key); // re-insert: Map keeps insertion order, so the oldest entry is the least recently used
    entries.set(key, hit);
    return hit;
  }
  const pending = analyse().then((faces) => Object.freeze(faces.map((f) => Object.freeze(f))));
  entries.set(key, pending);
  pending.catch(() => {
    if (entries.get(key) === pending) entries.delete(key);
  });
  while (entries.size > FACE_CACHE_CAPACITY) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  return pending;
}

/** Forgets every cached analysis (benchmarks call it so each run starts cold, as a new applicant's images do). */
export function clearFaceAnalysisCache(): void {
  entries.clear();
}

/** Number of cached analyses (for tests). */
export function faceAnalysisCacheSize(): number {
  return entries.size;
}
