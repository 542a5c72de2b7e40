import {
  clearFaceAnalysisCache,
  FACE_CACHE_CAPACITY,
  faceAnalysisCacheSize,
  faceAnalysisKey,
  memoizedAnalysis,
} from '../../functions/checks/local/face-cache';
import type { DetectedFace } from '../../functions/checks/local/faces';
import type { RgbImage } from '../../functions/checks/local/image';

/** The face-analysis memo: keying, sharing of in-flight analyses, failure eviction and the LRU bound. */
const face = (score: number): DetectedFace => ({
  box: { x: 0, y: 0, width: 10, height: 10 },
  score,
  descriptor: new Float32Array(128),
  yaw: 0,
  roll: 0,
});
const image = (fill: number, width = 4, height = 2): RgbImage => ({
  width,
  height,
  data: Buffer.alloc(width * height * 3, fill),
});

beforeEach(() => clearFaceAnalysisCache());

describe('faceAnalysisKey', () => {
  it('changes with the pixels, the size and every setting, not with the settings order', () => {
    const base = faceAnalysisKey(image(1), { minConfidence: 0.5, minRelativeFaceWidth: 0.2 });
    expect(faceAnalysisKey(image(1), { minRelativeFaceWidth: 0.2, minConfidence: 0.5 })).toBe(base);
    expect(faceAnalysisKey(image(2), { minConfidence: 0.5, minRelativeFaceWidth: 0.2 })).not.toBe(base);
    expect(faceAnalysisKey(image(1, 2, 4), { minConfidence: 0.5, minRelativeFaceWidth: 0.2 })).not.toBe(base);
    expect(faceAnalysisKey(image(1), { minConfidence: 0.3, minRelativeFaceWidth: 0.2 })).not.toBe(base);
    expect(faceAnalysisKey(image(1), { minConfidence: 0.5, minRelativeFaceWidth: 0.3 })).not.toBe(base);
  });
});

describe('memoizedAnalysis', () => {
  it('runs one analysis per key, shared by concurrent and later callers', async () => {
    let runs = 0;
    const analyse = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return [face(0.9)];
    };
    const [a, b] = await Promise.all([memoizedAnalysis('k', analyse), memoizedAnalysis('k', analyse)]);
    const c = await memoizedAnalysis('k', analyse);
    expect(runs).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a[0])).toBe(true);
    await memoizedAnalysis('other', analyse);
    expect(runs).toBe(2);
  });

  it('forgets a failed analysis so the next caller retries', async () => {
    await expect(memoizedAnalysis('k', () => Promise.reject(new Error('wasm failed')))).rejects.toThrow('wasm failed');
    expect(faceAnalysisCacheSize()).toBe(0);
    await expect(memoizedAnalysis('k', async () => [face(0.8)])).resolves.toHaveLength(1);
  });

  it(`keeps at most ${FACE_CACHE_CAPACITY} entries, evicting the least recently used`, async () => {
    let runs = 0;
    const analyse = async () => {
      runs++;
      return [] as DetectedFace[];
    };
    for (let i = 0; i < FACE_CACHE_CAPACITY; i++) await memoizedAnalysis(`k${i}`, analyse);
    await memoizedAnalysis('k0', analyse); // touch k0: k1 is now the least recently used
    await memoizedAnalysis('new', analyse);
    expect(faceAnalysisCacheSize()).toBe(FACE_CACHE_CAPACITY);
    expect(runs).toBe(FACE_CACHE_CAPACITY + 1);
    await memoizedAnalysis('k0', analyse);
    expect(runs).toBe(FACE_CACHE_CAPACITY + 1);
    await memoizedAnalysis('k1', analyse);
    expect(runs).toBe(FACE_CACHE_CAPACITY + 2);
  });
});
