/**
 * Cheap capture-quality checks run before uploading: brightness, sharpness (variance of the Laplacian
 * on a downscaled greyscale copy) and resolution. They only advise: the server has the last word.
 */

export type QualityIssue = 'tooDark' | 'blurry' | 'tooSmall';

export interface QualityReport {
  width: number;
  height: number;
  meanLuminance: number;
  laplacianVariance: number;
  issues: QualityIssue[];
}

export interface QualityThresholds {
  minMeanLuminance: number;
  minLaplacianVariance: number;
  minShortSide: number;
}

/** Defaults tuned to flag clearly bad photos only; a false alarm costs a retake, a miss costs an attempt. */
export const DEFAULT_QUALITY: QualityThresholds = { minMeanLuminance: 45, minLaplacianVariance: 12, minShortSide: 360 };

/** Width of the analysis copy; small enough to run in a few ms on a phone. */
const ANALYSIS_WIDTH = 320;

/** Greyscale luminance (Rec. 601) of RGBA pixels. */
export function toGrey(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    grey[i] = 0.299 * (rgba[i * 4] ?? 0) + 0.587 * (rgba[i * 4 + 1] ?? 0) + 0.114 * (rgba[i * 4 + 2] ?? 0);
  }
  return grey;
}

/** Mean and variance of the 4-neighbour Laplacian over the interior pixels. */
export function laplacianVariance(grey: Float32Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  const at = (j: number): number => grey[j] ?? 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = at(i - 1) + at(i + 1) + at(i - width) + at(i + width) - 4 * at(i);
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Judges a pixel buffer against the thresholds; `width`/`height` are the full-size image's. */
export function judgeQuality(
  grey: Float32Array,
  analysisWidth: number,
  analysisHeight: number,
  fullSize: { width: number; height: number },
  thresholds: QualityThresholds = DEFAULT_QUALITY,
): QualityReport {
  let total = 0;
  for (const value of grey) total += value;
  const meanLuminance = grey.length ? total / grey.length : 0;
  const variance = laplacianVariance(grey, analysisWidth, analysisHeight);
  const issues: QualityIssue[] = [];
  if (Math.min(fullSize.width, fullSize.height) < thresholds.minShortSide) issues.push('tooSmall');
  if (meanLuminance < thresholds.minMeanLuminance) issues.push('tooDark');
  // A very dark frame has no texture: report darkness only, the actionable cause.
  else if (variance < thresholds.minLaplacianVariance) issues.push('blurry');
  return { width: fullSize.width, height: fullSize.height, meanLuminance, laplacianVariance: variance, issues };
}

/** Analyses a captured canvas (downscaled copy). */
export function assessCanvas(
  source: HTMLCanvasElement,
  thresholds: QualityThresholds = DEFAULT_QUALITY,
): QualityReport {
  const scale = Math.min(1, ANALYSIS_WIDTH / source.width);
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const small = document.createElement('canvas');
  small.width = width;
  small.height = height;
  const context = small.getContext('2d', { willReadFrequently: true });
  if (!context)
    return { width: source.width, height: source.height, meanLuminance: 0, laplacianVariance: 0, issues: [] };
  context.drawImage(source, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  return judgeQuality(
    toGrey(data, width, height),
    width,
    height,
    { width: source.width, height: source.height },
    thresholds,
  );
}
