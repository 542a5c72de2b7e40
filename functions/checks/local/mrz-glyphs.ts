import type { RgbImage } from './image';
import type { TextLineBox } from './ocr';

/**
 * Math, held in a module constant: under Jest, modules run in a vm context where every global lookup goes
 * through an interceptor, which made these loops ~10x slower in tests than in Node.
 */
const M = Math;
const M_INFINITY = Number.POSITIVE_INFINITY;

/**
 * Cuts one MRZ text line into its glyph cells. MRZ glyphs are monospaced OCR-B, and the number of characters
 * per line is fixed by the format (30, 36 or 44), so the line is resampled into a strip, the gaps between
 * glyphs are found in the column ink profile, and a grid of exactly `count` cells (pitch allowed to drift
 * slightly along the line, for perspective) is fitted to them. Each cell is normalized to the classifier's
 * input size between the line's fitted top and bottom, so the glyph's vertical position is kept (`<` sits
 * in the middle, letters fill the height).
 */

/** Classifier input size (pixels). */
export const CELL_WIDTH = 16;
export const CELL_HEIGHT = 20;
/** Height of the resampled line strip. */
const STRIP_HEIGHT = 40;

/** A grayscale strip: ink = 1, paper = 0. */
interface Strip {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Samples an oriented box (grown by `marginX` box heights on each side) into a strip of {@link STRIP_HEIGHT}
 * rows, same scale both ways. Darkness is measured on the brightest channel, so coloured security print
 * fades and black MRZ ink stays.
 */
function sampleStrip(image: RgbImage, box: TextLineBox, marginX: number): Strip {
  const scale = STRIP_HEIGHT / box.height;
  const width = M.max(8, M.round((box.width + 2 * marginX * box.height) * scale));
  const data = new Float32Array(width * STRIP_HEIGHT);
  const cos = M.cos(box.angle);
  const sin = M.sin(box.angle);
  const { width: iw, height: ih, data: pixels } = image;
  // Brightest channel of pixel (x, y), edge-clamped.
  const at = (x: number, y: number) => {
    const i = ((y < 0 ? 0 : y >= ih ? ih - 1 : y) * iw + (x < 0 ? 0 : x >= iw ? iw - 1 : x)) * 3;
    const r = pixels[i] as number;
    const g = pixels[i + 1] as number;
    const b = pixels[i + 2] as number;
    return M.max(r, g, b);
  };
  for (let v = 0; v < STRIP_HEIGHT; v++) {
    const dv = (v + 0.5 - STRIP_HEIGHT / 2) / scale;
    for (let u = 0; u < width; u++) {
      const du = (u + 0.5 - width / 2) / scale;
      const x = box.cx + du * cos - dv * sin - 0.5;
      const y = box.cy + du * sin + dv * cos - 0.5;
      // Bilinear brightest-channel value at (x, y).
      const x0 = M.floor(x);
      const y0 = M.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const value =
        at(x0, y0) * (1 - fx) * (1 - fy) +
        at(x0 + 1, y0) * fx * (1 - fy) +
        at(x0, y0 + 1) * (1 - fx) * fy +
        at(x0 + 1, y0 + 1) * fx * fy;
      data[v * width + u] = 255 - value;
    }
  }
  normalizeContrast(data, width, STRIP_HEIGHT);
  return { data, width, height: STRIP_HEIGHT };
}

/**
 * Maps darkness to [0, 1] per column block: paper level = a low percentile, ink level = a high percentile of
 * the block (a block spans about two glyphs, so it always holds both). Handles uneven light and glare.
 */
function normalizeContrast(data: Float32Array, width: number, height: number): void {
  const block = height;
  const blocks = M.max(1, M.ceil(width / block));
  const paper = new Float32Array(blocks);
  const ink = new Float32Array(blocks);
  const values = new Float32Array(M.min(width, 2 * block + 1) * height);
  for (let b = 0; b < blocks; b++) {
    const x0 = M.max(0, M.round((b - 0.5) * block));
    const x1 = M.min(width, M.round((b + 1.5) * block));
    const n = (x1 - x0) * height;
    let k = 0;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = x0; x < x1; x++) values[k++] = data[row + x] as number;
    }
    // The 98th, then (among the values below it) the 30th percentile: the values a full sort would give there.
    ink[b] = n > 0 ? select(values, 0, n, M.floor(n * 0.98)) : 255;
    paper[b] = n > 0 ? select(values, 0, M.floor(n * 0.98) + 1, M.floor(n * 0.3)) : 0;
  }
  // Ink level: never below a global fraction, so an empty block does not amplify paper noise into glyphs.
  const globalInk = [...ink].sort((a, c) => a - c)[M.floor(blocks * 0.7)] ?? 255;
  const low = new Float64Array(width);
  const range = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const b = M.min(blocks - 1, M.floor(x / block));
    const lo = paper[b] as number;
    const hi = M.max(ink[b] as number, lo + 0.5 * (globalInk - lo), lo + 24);
    low[x] = lo;
    range[x] = hi - lo;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = ((data[row + x] as number) - (low[x] as number)) / (range[x] as number);
      data[row + x] = M.min(1, M.max(0, v));
    }
  }
}

/**
 * The k-th smallest of a[from..to) (quickselect, O(n)); reorders that range so that a[from..k] <= a[k] <= a[k..to).
 */
function select(a: Float32Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot.
    let x = a[lo] as number;
    let y = a[mid] as number;
    const z = a[hi] as number;
    if (x > y) [x, y] = [y, x];
    const pivot = M.max(x, M.min(z, y));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}

/** Vertical band of the text in the strip (rows whose ink is a good part of the peak row's). */
function textBand(strip: Strip): { top: number; bottom: number } {
  const rows = new Float32Array(strip.height);
  for (let y = 0; y < strip.height; y++) {
    let s = 0;
    for (let x = 0; x < strip.width; x++) s += strip.data[y * strip.width + x] ?? 0;
    rows[y] = s;
  }
  const peak = M.max(...rows);
  const centre = rows.indexOf(peak);
  let top = centre;
  let bottom = centre;
  while (top > 0 && (rows[top - 1] ?? 0) > peak * 0.2) top--;
  while (bottom < strip.height - 1 && (rows[bottom + 1] ?? 0) > peak * 0.2) bottom++;
  return { top, bottom: bottom + 1 };
}

/** Column ink profile within the band, lightly smoothed. */
function columnProfile(strip: Strip, band: { top: number; bottom: number }): Float32Array {
  const raw = new Float32Array(strip.width);
  for (let x = 0; x < strip.width; x++) {
    let s = 0;
    for (let y = band.top; y < band.bottom; y++) s += strip.data[y * strip.width + x] ?? 0;
    raw[x] = s / M.max(1, band.bottom - band.top);
  }
  const out = new Float32Array(strip.width);
  for (let x = 0; x < strip.width; x++) {
    out[x] = 0.25 * (raw[x - 1] ?? raw[x] ?? 0) + 0.5 * (raw[x] ?? 0) + 0.25 * (raw[x + 1] ?? raw[x] ?? 0);
  }
  return out;
}

/**
 * Horizontal extent of the text: the longest run of inked columns with gaps under ~1.2 glyph heights, within
 * [minX, maxX] (the detector's box, a little wider on the right where it may stop short of filler runs).
 */
function textExtent(
  profile: Float32Array,
  glyphHeight: number,
  minX: number,
  maxX: number,
): { left: number; right: number } | null {
  // Solid dark columns (a table or card edge next to the MRZ in a photo) are not glyph strokes.
  const inked = (x: number) => x >= minX && x <= maxX && (profile[x] ?? 0) > 0.08 && (profile[x] ?? 0) < 0.85;
  const maxGap = 1.2 * glyphHeight;
  let best: { left: number; right: number } | null = null;
  let start = -1;
  let last = -1;
  for (let x = 0; x <= profile.length; x++) {
    if (x < profile.length && inked(x)) {
      if (start < 0 || x - last > maxGap) {
        if (start >= 0 && (!best || last - start > best.right - best.left)) best = { left: start, right: last + 1 };
        start = x;
      }
      last = x;
    }
  }
  if (start >= 0 && (!best || last - start > best.right - best.left)) best = { left: start, right: last + 1 };
  return best;
}

function profileAt(profile: Float32Array, x: number): number {
  const x0 = M.floor(x);
  const f = x - x0;
  return (profile[x0] ?? 1) * (1 - f) + (profile[x0 + 1] ?? 1) * f;
}

/** Cell boundaries: x(k) = origin + k * pitch + k^2 * drift, for k = 0..count. */
interface Grid {
  origin: number;
  pitch: number;
  drift: number;
}

const boundary = (g: Grid, k: number) => g.origin + k * g.pitch + k * k * g.drift;

/**
 * Fits the cell grid to the gaps of the profile: boundaries fall where there is least ink. The extent gives
 * the starting pitch (glyphs fill about 70 % of a cell, so the inked width is about count - 0.3 pitches).
 */
function fitGrid(profile: Float32Array, extent: { left: number; right: number }, count: number): Grid {
  const width = extent.right - extent.left;
  const base = width / (count - 0.3);
  const cost = (g: Grid) => {
    let c = 0;
    for (let k = 0; k <= count; k++) c += profileAt(profile, boundary(g, k));
    // Boundaries outside the text cost as if they cut a glyph.
    if (boundary(g, 0) > extent.left + 0.1 * g.pitch || boundary(g, count) < extent.right - 0.1 * g.pitch) c += count;
    return c;
  };
  let best: Grid = { origin: extent.left - 0.15 * base, pitch: base, drift: 0 };
  let bestCost = cost(best);
  const maxDrift = (0.06 * base) / count;
  for (let p = base * 0.95; p <= base * 1.05; p += base * 0.004) {
    for (let d = -maxDrift; d <= maxDrift + 1e-9; d += maxDrift / 3) {
      for (let o = extent.left - 0.45 * p; o <= extent.left + 0.05 * p; o += p * 0.04) {
        const g = { origin: o, pitch: p, drift: d };
        const c = cost(g);
        if (c < bestCost) {
          bestCost = c;
          best = g;
        }
      }
    }
  }
  return best;
}

/**
 * Moves each grid boundary (by at most a quarter pitch) to the least-inked column near it, so a slightly
 * uneven pitch (print, perspective, paper curvature) does not cut glyphs. A quadratic pull keeps boundaries
 * in wide filler gaps where the grid put them.
 */
function refineBoundaries(profile: Float32Array, grid: Grid, count: number): number[] {
  const out: number[] = [];
  const reach = grid.pitch * 0.25;
  for (let k = 0; k <= count; k++) {
    const at = boundary(grid, k);
    let best = at;
    let bestCost = M_INFINITY;
    for (let x = at - reach; x <= at + reach; x += 0.5) {
      const c = profileAt(profile, x) + 0.15 * ((x - at) / reach) ** 2;
      if (c < bestCost) {
        bestCost = c;
        best = x;
      }
    }
    out.push(best);
  }
  return out;
}

/** Robust straight line y = a + b x through the points (least squares after dropping outliers). */
function fitLine(points: Array<[number, number]>): { a: number; b: number } | null {
  let pts = points;
  for (let round = 0; round < 3; round++) {
    if (pts.length < 2) return null;
    const n = pts.length;
    const mx = pts.reduce((s, p) => s + p[0], 0) / n;
    const my = pts.reduce((s, p) => s + p[1], 0) / n;
    const sxx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
    const sxy = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
    const b = sxx > 0 ? sxy / sxx : 0;
    const a = my - b * mx;
    const residuals = pts.map((p) => M.abs(p[1] - (a + b * p[0])));
    const limit = M.max(1, [...residuals].sort((x, y) => x - y)[M.floor(n * 0.7)] ?? 1) * 2;
    const kept = pts.filter((_, i) => (residuals[i] ?? 0) <= limit);
    if (kept.length === pts.length || round === 2) return { a, b };
    pts = kept;
  }
  return null;
}

/**
 * The box turned and shifted to follow the text: the detector's angle can be off by a degree or two (merged
 * pieces, perspective), which over a 44-glyph line moves its ends out of the strip. The text's centre row is
 * found in eight segments along a first strip and a straight line through them corrects the box.
 */
function straighten(image: RgbImage, box: TextLineBox, margin: number): TextLineBox {
  const strip = sampleStrip(image, box, margin);
  const segments = 8;
  const points: Array<[number, number]> = [];
  for (let k = 0; k < segments; k++) {
    const x0 = M.floor((k * strip.width) / segments);
    const x1 = M.floor(((k + 1) * strip.width) / segments);
    let peak = -1;
    let peakValue = 0;
    for (let y = 1; y < strip.height - 1; y++) {
      let s = 0;
      for (let yy = y - 1; yy <= y + 1; yy++) for (let x = x0; x < x1; x++) s += strip.data[yy * strip.width + x] ?? 0;
      // Prefer rows near the middle: a neighbouring line may show at the strip's edges.
      const centred = s * (1 - (0.5 * M.abs(y - strip.height / 2)) / (strip.height / 2));
      if (centred > peakValue) {
        peakValue = centred;
        peak = y;
      }
    }
    if (peak >= 0 && peakValue > 0.05 * (x1 - x0) * 3) points.push([(x0 + x1) / 2, peak]);
  }
  const line = points.length >= 4 ? fitLine(points) : null;
  if (!line || M.abs(line.b) > 0.15) return box;
  const scale = STRIP_HEIGHT / box.height;
  const offset = (line.a + line.b * (strip.width / 2) - strip.height / 2) / scale;
  const angle = box.angle + M.atan(line.b);
  return {
    ...box,
    angle,
    cx: box.cx - offset * M.sin(box.angle),
    cy: box.cy + offset * M.cos(box.angle),
  };
}

/** The glyph cells of one MRZ line, ready for the classifier. */
export interface LineCells {
  /** `count` cells of CELL_WIDTH x CELL_HEIGHT values in [0, 1] (ink = 1). */
  cells: Float32Array[];
  /** Fitted pitch in strip pixels (for diagnostics). */
  pitch: number;
}

/**
 * Cuts the text line in `box` into exactly `count` glyph cells; null when no text run is found.
 */
export function extractCells(image: RgbImage, box: TextLineBox, count: number): LineCells | null {
  const margin = 0.6;
  const strip = sampleStrip(image, straighten(image, box, margin), margin);
  const band = textBand(strip);
  const glyphHeight = M.max(4, band.bottom - band.top);
  const profile = columnProfile(strip, band);
  const boxLeft = margin * STRIP_HEIGHT;
  const boxRight = strip.width - margin * STRIP_HEIGHT;
  const extent = textExtent(profile, glyphHeight, boxLeft - 0.25 * STRIP_HEIGHT, boxRight + 0.5 * STRIP_HEIGHT);
  if (!extent || extent.right - extent.left < count * glyphHeight * 0.25) return null;
  const grid = fitGrid(profile, extent, count);
  const bounds = refineBoundaries(profile, grid, count);

  // Per-cell ink rows, for the line's top and bottom (full-height glyphs only: `<` is short).
  const spans: Array<{ x: number; top: number; bottom: number }> = [];
  for (let k = 0; k < count; k++) {
    const x0 = M.max(0, M.floor(bounds[k] as number));
    const x1 = M.min(strip.width, M.ceil(bounds[k + 1] as number));
    let top = -1;
    let bottom = -1;
    for (let y = 0; y < strip.height; y++) {
      let s = 0;
      for (let x = x0; x < x1; x++) s += strip.data[y * strip.width + x] ?? 0;
      if (s / M.max(1, x1 - x0) > 0.2) {
        if (top < 0) top = y;
        bottom = y + 1;
      }
    }
    if (top >= 0) spans.push({ x: (x0 + x1) / 2, top, bottom });
  }
  const heights = spans.map((s) => s.bottom - s.top).sort((a, b) => a - b);
  const tall = heights[M.floor(heights.length * 0.8)] ?? glyphHeight;
  const full = spans.filter((s) => s.bottom - s.top >= 0.75 * tall);
  const topLine = fitLine(full.map((s) => [s.x, s.top])) ?? { a: band.top, b: 0 };
  const bottomLine = fitLine(full.map((s) => [s.x, s.bottom])) ?? { a: band.bottom, b: 0 };

  const cells: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    // Cells one pitch wide, centred between the refined boundaries (glyphs keep their width in the cell).
    const mid = ((bounds[k] as number) + (bounds[k + 1] as number)) / 2;
    const left = mid - grid.pitch / 2;
    const right = mid + grid.pitch / 2;
    const top = topLine.a + topLine.b * mid;
    const bottom = bottomLine.a + bottomLine.b * mid;
    const h = M.max(2, bottom - top);
    cells.push(resampleCell(strip, left, right, top - 0.08 * h, bottom + 0.08 * h));
  }
  return { cells, pitch: grid.pitch };
}

/** Area-averaged resampling of a strip rectangle to CELL_WIDTH x CELL_HEIGHT. */
function resampleCell(strip: Strip, left: number, right: number, top: number, bottom: number): Float32Array {
  const out = new Float32Array(CELL_WIDTH * CELL_HEIGHT);
  const sx = (right - left) / CELL_WIDTH;
  const sy = (bottom - top) / CELL_HEIGHT;
  // Sub-samples per output pixel along each axis (at least 2, enough to cover the source footprint).
  const nx = M.max(2, M.ceil(sx * 2));
  const ny = M.max(2, M.ceil(sy * 2));
  const { width, height, data } = strip;
  // Strip pixel (x, y); 0 outside the strip.
  const at = (x: number, y: number) =>
    x < 0 || y < 0 || x >= width || y >= height ? 0 : (data[y * width + x] as number);
  for (let cy = 0; cy < CELL_HEIGHT; cy++) {
    for (let cx = 0; cx < CELL_WIDTH; cx++) {
      let s = 0;
      for (let j = 0; j < ny; j++) {
        const y = top + (cy + (j + 0.5) / ny) * sy - 0.5;
        const y0 = M.floor(y);
        const fy = y - y0;
        for (let i = 0; i < nx; i++) {
          const x = left + (cx + (i + 0.5) / nx) * sx - 0.5;
          // Bilinear strip value at (x, y).
          const x0 = M.floor(x);
          const fx = x - x0;
          s +=
            at(x0, y0) * (1 - fx) * (1 - fy) +
            at(x0 + 1, y0) * fx * (1 - fy) +
            at(x0, y0 + 1) * (1 - fx) * fy +
            at(x0 + 1, y0 + 1) * fx * fy;
        }
      }
      out[cy * CELL_WIDTH + cx] = s / (nx * ny);
    }
  }
  return out;
}
