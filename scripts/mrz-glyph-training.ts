import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { MRZ_SYMBOLS } from '../functions/domain/mrz-decoding';
import type { RgbImage } from '../functions/checks/local/image';
import {
  classifyGlyph,
  encodeFloats,
  type GlyphNetwork,
  type GlyphWeightsFile,
} from '../functions/checks/local/mrz-glyph-classifier';
import { CELL_HEIGHT, CELL_WIDTH, extractCells } from '../functions/checks/local/mrz-glyphs';

/**
 * Math, held in a module constant: under Jest, modules run in a vm context where every global lookup goes
 * through an interceptor, which made these loops ~10x slower in tests than in Node.
 */
const M = Math;
const M_INFINITY = Number.POSITIVE_INFINITY;

/**
 * Training of the OCR-B glyph classifier (functions/checks/local/mrz-glyph-classifier.ts). Random MRZ-like
 * lines are composed from the public-domain OCR-B fonts (Debian fonts-ocr-b; each font's 37 glyphs rendered
 * once by sharp), degraded (stroke weight, width, background print, neighbouring lines, scale to 7-36 px
 * glyphs, blur, noise, JPEG), cut into cells by the product's own segmentation (mrz-glyphs.ts) and used to
 * train a 2-layer perceptron with Adam. Used by scripts/train-mrz-glyphs.ts (`npm run train:mrz`) and by the
 * reproduction test (test/checks/mrz-glyph-training.test.ts).
 *
 * Deterministic by construction: one seeded PRNG; the per-line image work (scaling, blur, noise) is done here
 * in JavaScript (libvips' blur takes a CPU-dependent SIMD path: its results differ with VIPS_NOVECTOR=1, so
 * they could differ between machines); sharp only renders the glyph atlases (pinned sharp + font file) and
 * does the JPEG round trip (libjpeg-turbo, same bytes with and without its SIMD). Each font's atlas is
 * rendered in a child process that sees no font but that file: fontconfig chooses by family name, all six
 * fonts-ocr-b files are family "OCR B", and in one process the first file registered wins (until 2026-12-06
 * both "fonts" of the training were the first one drawn, OCR B Sharp), and the system's fonts and settings
 * would take part. Two runs on this machine (Node 20.20.2, sharp 0.35.5) gave bit-identical weights.
 *
 * Cost of the default config (256 hidden, 6 epochs; 2026-12-06, 2-core machine at load average ~2): 133 s wall /
 * 137 s CPU, of which ~41 s generating 51,256 cells (most of it the product's extractCells) and ~87 s for the 6
 * epochs (128 hidden and 4 epochs took 65 s). The script before (render-scale composition, libvips resize/blur,
 * per-sample loops, 7 epochs) took 215 s wall. The shipped weights are this script's default config (since
 * 2026-12-06; the earlier ones, 2026-12-05, were not reproducible: see docs/checks.md).
 */

export const OCRB_FONTS = ['/usr/share/fonts/opentype/ocr-b/OCRB.otf', '/usr/share/fonts/opentype/ocr-b/OCRBS.otf'];

export function fontsAvailable(): boolean {
  return OCRB_FONTS.every((f) => existsSync(f));
}

/** Small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = M.imul(t ^ (t >>> 15), t | 1);
    t ^= t + M.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrainingConfig {
  seed: number;
  lines: number;
  hidden: number;
  epochs: number;
  validationLines: number;
}

/**
 * Version of the data generator and training loop, recorded in the weights file (`training.generator`): 2 since
 * 2026-12-06 (deterministic generator above, both fonts really used; epochs and hidden units are in the config). Weights without it were made
 * by the earlier script, which the repository no longer holds and this one does not reproduce.
 */
export const GENERATOR = 2;

/**
 * The config of the shipped weights. 256 hidden units and 6 epochs since 2026-12-06 (were 128 and 4): with 4
 * epochs the training loss was still falling (0.184 -> 0.165 by epoch 7 at 128 hidden) and the held-out
 * validation accuracy rising (97.41 -> 97.48 %); twice the hidden layer fits the data better (loss 0.143 after 6
 * epochs, validation 97.66 %, tuning part 288/300 vs 287/300, 0 wrong). Chosen among four variants by the
 * validation accuracy and the tuning part only (docs/checks.md lists them); stronger augmentation scored no
 * better on the tuning part, so the generator is unchanged.
 */
export const DEFAULT_TRAINING: TrainingConfig = {
  seed: 9303,
  lines: 1400,
  hidden: 256,
  epochs: 6,
  validationLines: 150,
};

const LENGTHS = [30, 36, 44];

/** A random line: mostly uniform over the 37 symbols (class balance), sometimes MRZ-like with filler runs. */
function randomLine(rand: () => number): string {
  const length = LENGTHS[M.floor(rand() * LENGTHS.length)] as number;
  let text = '';
  if (rand() < 0.7) {
    for (let i = 0; i < length; i++) text += MRZ_SYMBOLS[M.floor(rand() * MRZ_SYMBOLS.length)];
    return text;
  }
  while (text.length < length) {
    const r = rand();
    const run = 1 + M.floor(rand() * 8);
    const pool = r < 0.35 ? '<' : r < 0.7 ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '0123456789';
    for (let i = 0; i < run; i++) text += pool[M.floor(rand() * pool.length)];
  }
  return text.slice(0, length);
}

/** A one-channel image, ink = 1. */
interface Mask {
  data: Float32Array;
  width: number;
  height: number;
}

/** One font's 37 glyphs, each in a cell one advance wide (OCR-B is monospaced: lines are cells side by side). */
interface GlyphAtlas {
  mask: Float32Array;
  width: number;
  height: number;
  advance: number;
  /** x of symbol 0's cell in the mask. */
  origin: number;
}

/** Renders texts with one font file in a child process whose fontconfig knows no other font (see above). */
const RENDER_CHILD = `
const { sharpPath, font, texts } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const sharp = require(sharpPath);
const esc = (s) => s.replace(/</g, '&lt;');
Promise.all(texts.map((t) => sharp({ text: { text: esc(t), fontfile: font, font: 'OCR B 12', dpi: 300 } })
  .extractChannel(0).raw().toBuffer({ resolveWithObject: true })))
  .then((rs) => process.stdout.write(JSON.stringify(rs.map((r) => ({ width: r.info.width, height: r.info.height, data: r.data.toString('base64') })))));
`;

let fontconfigFile: string | null = null;

function renderIsolated(font: string, texts: string[]): Array<{ width: number; height: number; data: Buffer }> {
  if (!fontconfigFile) {
    fontconfigFile = path.join(mkdtempSync(path.join(tmpdir(), 'mrz-ocrb-')), 'fonts.conf');
    writeFileSync(fontconfigFile, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
  }
  const out = execFileSync(process.execPath, ['-e', RENDER_CHILD], {
    input: JSON.stringify({ sharpPath: require.resolve('sharp'), font, texts }),
    env: { ...process.env, FONTCONFIG_FILE: fontconfigFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(out.toString()) as Array<{ width: number; height: number; data: string }>).map((r) => ({
    ...r,
    data: Buffer.from(r.data, 'base64'),
  }));
}

const atlases = new Map<string, GlyphAtlas>();

/**
 * Renders the 37 symbols once per font (white on black, about 37 px tall) and finds the cell grid: the advance
 * from two renders of different length, the origin where cell boundaries cut the least ink.
 */
function atlasOf(font: string): GlyphAtlas {
  const cached = atlases.get(font);
  if (cached) return cached;
  const [one, two] = renderIsolated(font, [MRZ_SYMBOLS, `${MRZ_SYMBOLS}${MRZ_SYMBOLS}`]) as [
    { width: number; height: number; data: Buffer },
    { width: number; height: number; data: Buffer },
  ];
  const advance = (two.width - one.width) / MRZ_SYMBOLS.length;
  const { width, height } = one;
  const mask = new Float32Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = (one.data[i] as number) / 255;
  const column = (x: number) => {
    const xi = M.round(x);
    if (xi < 0 || xi >= width) return 0;
    let s = 0;
    for (let y = 0; y < height; y++) s += mask[y * width + xi] as number;
    return s;
  };
  let origin = 0;
  let best = M_INFINITY;
  for (let o = -advance; o <= 0; o += 0.5) {
    let c = 0;
    for (let k = 0; k <= MRZ_SYMBOLS.length; k++) c += column(o + k * advance);
    if (c < best) {
      best = c;
      origin = o;
    }
  }
  const atlas = { mask, width, height, advance, origin };
  atlases.set(font, atlas);
  return atlas;
}

/** White-on-black OCR-B rendering of `text` (one channel, 0-1) composed from the font's glyph cells. */
function renderLine(text: string, font: string): Mask {
  const atlas = atlasOf(font);
  const cell = M.round(atlas.advance);
  const width = cell * text.length;
  const data = new Float32Array(width * atlas.height);
  for (let i = 0; i < text.length; i++) {
    const from = M.round(atlas.origin + MRZ_SYMBOLS.indexOf(text[i] as string) * atlas.advance);
    const x0 = M.max(0, -from);
    const x1 = M.min(cell, atlas.width - from);
    if (x1 <= x0) continue;
    for (let y = 0; y < atlas.height; y++) {
      const src = y * atlas.width + from;
      data.set(atlas.mask.subarray(src + x0, src + x1), y * width + i * cell + x0);
    }
  }
  return { data, width, height: atlas.height };
}

/** 3x3 max (dilate) or min (erode) of a mask, as two 3-tap passes: heavier or lighter print. */
function morph(mask: Mask, dilate: boolean): Mask {
  const { width: w, height: h, data } = mask;
  const pick = dilate ? M.max : M.min;
  const rows = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      let v = data[r + x] as number;
      if (x > 0) v = pick(v, data[r + x - 1] as number);
      if (x < w - 1) v = pick(v, data[r + x + 1] as number);
      rows[r + x] = v;
    }
  }
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = rows[y * w + x] as number;
      if (y > 0) v = pick(v, rows[(y - 1) * w + x] as number);
      if (y < h - 1) v = pick(v, rows[(y + 1) * w + x] as number);
      out[y * w + x] = v;
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * 1-D resampling taps: output pixel k covers source [c - r, c + r) with c = centre(k) and r = max(0.5, radius)
 * (area average when shrinking, linear interpolation when enlarging); source pixel i covers [i, i + 1), pixels
 * outside the source count as 0.
 */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

function taps(outputs: number, sourceSize: number, centre: (k: number) => number, radius: number): Taps {
  const r = M.max(0.5, radius);
  const stride = M.ceil(2 * r) + 1;
  const first = new Int32Array(outputs);
  const count = new Int32Array(outputs);
  const weights = new Float32Array(outputs * stride);
  for (let k = 0; k < outputs; k++) {
    const lo = centre(k) - r;
    const hi = lo + 2 * r;
    const i0 = M.max(0, M.floor(lo));
    const i1 = M.min(sourceSize, M.ceil(hi));
    first[k] = i0;
    count[k] = M.max(0, i1 - i0);
    for (let i = i0; i < i1; i++) {
      weights[k * stride + i - i0] = (M.min(hi, i + 1) - M.max(lo, i)) / (2 * r);
    }
  }
  return { first, count, weights, stride };
}

/** A mask resampled separably to `outW` x `outH` (horizontal taps over columns, vertical over rows). */
function resample(mask: Mask, across: Taps, down: Taps, outW: number, outH: number): Float32Array {
  const tmp = new Float32Array(mask.height * outW);
  for (let y = 0; y < mask.height; y++) {
    const src = y * mask.width;
    for (let x = 0; x < outW; x++) {
      const n = across.count[x] as number;
      if (n === 0) continue;
      const f = src + (across.first[x] as number);
      const wo = x * across.stride;
      let s = 0;
      for (let t = 0; t < n; t++) s += (mask.data[f + t] as number) * (across.weights[wo + t] as number);
      tmp[y * outW + x] = s;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const n = down.count[y] as number;
    const f = down.first[y] as number;
    const wo = y * down.stride;
    for (let t = 0; t < n; t++) {
      const w = down.weights[wo + t] as number;
      const src = (f + t) * outW;
      const dst = y * outW;
      for (let x = 0; x < outW; x++) out[dst + x] = (out[dst + x] as number) + (tmp[src + x] as number) * w;
    }
  }
  return out;
}

/** Gaussian blur of a one-channel image in place (separable, edges clamped). */
function gaussianBlur(image: Float32Array, width: number, height: number, sigma: number): void {
  const radius = M.max(1, M.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = M.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = (kernel[i] as number) / sum;
  const tmp = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = -radius; t <= radius; t++) {
        const xx = x + t < 0 ? 0 : x + t >= width ? width - 1 : x + t;
        s += (image[row + xx] as number) * (kernel[t + radius] as number);
      }
      tmp[row + x] = s;
    }
  }
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let t = -radius; t <= radius; t++) {
      const yy = y + t < 0 ? 0 : y + t >= height ? height - 1 : y + t;
      const k = kernel[t + radius] as number;
      const row = yy * width;
      for (let x = 0; x < width; x++) acc[x] = (acc[x] as number) + (tmp[row + x] as number) * k;
    }
    for (let x = 0; x < width; x++) image[y * width + x] = acc[x] as number;
  }
}

export interface LabelledCell {
  cell: Float32Array;
  label: number;
}

/**
 * One degraded line image with its box and text. The line (and optionally a neighbour line above or below,
 * as in a real MRZ block) is laid out at render scale (~37 px glyphs) on a light, textured background and
 * sampled straight at the output scale (7-36 px glyphs), then blurred, noised and JPEG-encoded.
 */
async function degradedLine(
  rand: () => number,
  text: string,
  neighbour: string,
): Promise<{ image: RgbImage; box: { cx: number; cy: number; width: number; height: number } }> {
  const font = OCRB_FONTS[M.floor(rand() * OCRB_FONTS.length)] as string;
  let line = renderLine(text, font);
  const weight = rand();
  if (weight < 0.2) line = morph(line, true);
  else if (weight < 0.35) line = morph(line, false);
  const stretch = 0.88 + rand() * 0.24;
  const other = neighbour && rand() < 0.6 ? renderLine(neighbour, font) : null;
  const spacing = line.height * (1.25 + rand() * 0.6) * (rand() < 0.5 ? -1 : 1);

  // Canvas at render scale: text centred vertically with room for a neighbour line.
  const padX = M.round(line.height * (0.8 + rand() * 1.5));
  const width = M.round(line.width * stretch) + 2 * padX;
  const height = M.round(line.height * 3.2);
  const top = M.round((height - line.height) / 2);
  const bg = [200 + rand() * 55, 200 + rand() * 55, 200 + rand() * 55] as const;
  const ink = [rand() * 70, rand() * 70, rand() * 70] as const;
  const pattern = rand() < 0.5;
  const freq = 0.02 + rand() * 0.1;
  const amp = 10 + rand() * 40;
  const phase = rand() * 10;
  const patternColour = [rand(), rand(), rand()] as const;
  const gradient = (rand() - 0.5) * 60;

  // Output size: glyphs 7-36 px tall (the render's line box is ~1.2 glyph heights).
  const glyphTarget = 7 + rand() ** 1.3 * 29;
  const scale = glyphTarget / (line.height * 0.75);
  const outW = M.max(16, M.round(width * scale));
  const outH = M.max(8, M.round(height * scale));
  const sx = outW / width;
  const sy = outH / height;

  // Ink coverage at output scale, per line: output pixels map back through the canvas to the line masks.
  const across = taps(outW, line.width, (x) => ((x + 0.5) / sx - padX) / stretch, 0.5 / (sx * stretch));
  const down = (offset: number) => taps(outH, line.height, (y) => (y + 0.5) / sy - offset, 0.5 / sy);
  const alpha = resample(line, across, down(top), outW, outH);
  if (other) {
    const acrossOther = taps(outW, other.width, (x) => ((x + 0.5) / sx - padX) / stretch, 0.5 / (sx * stretch));
    const second = resample(other, acrossOther, down(top + spacing), outW, outH);
    for (let i = 0; i < alpha.length; i++) alpha[i] = M.max(alpha[i] as number, second[i] as number);
  }

  for (let i = 0; i < alpha.length; i++) alpha[i] = M.min(1, alpha[i] as number);
  const blur = rand();
  if (blur < 0.4) gaussianBlur(alpha, outW, outH, 0.3 + rand() * M.max(0.3, glyphTarget / 14));

  // Paper (colour, gradient, a wave pattern) under the ink; the wave's sine split into per-column and per-row
  // factors: sin(f x + r) = sin(f x) cos(r) + cos(f x) sin(r).
  const sinX = new Float64Array(outW);
  const cosX = new Float64Array(outW);
  const shade = new Float64Array(outW);
  for (let x = 0; x < outW; x++) {
    const cx = (x + 0.5) / sx;
    sinX[x] = M.sin(freq * cx);
    cosX[x] = M.cos(freq * cx);
    shade[x] = (gradient * cx) / width;
  }
  const noise = rand() * 18;
  // Grain per channel: the sum of the two 16-bit halves of a xorshift32 draw (triangular, standard deviation
  // noise / 2), seeded from the line's generator.
  let state = M.floor(rand() * 4294967295) | 1;
  const grainScale = (1.2247 * noise) / 65535;
  const scaled = new Uint8Array(outW * outH * 3);
  const [bg0, bg1, bg2] = bg;
  const [ink0, ink1, ink2] = ink;
  const [pc0, pc1, pc2] = patternColour;
  for (let y = 0; y < outH; y++) {
    const cy = (y + 0.5) / sy;
    const rowPhase = phase + M.sin(0.05 * cy) * 3 + freq * 2 * cy;
    const cosR = pattern ? amp * 0.5 * M.cos(rowPhase) : 0;
    const sinR = pattern ? amp * 0.5 * M.sin(rowPhase) : 0;
    const base = pattern ? amp * 0.5 : 0;
    for (let x = 0; x < outW; x++) {
      const a = alpha[y * outW + x] as number;
      const wave = base + (sinX[x] as number) * cosR + (cosX[x] as number) * sinR;
      const o = (y * outW + x) * 3;
      const d = shade[x] as number;
      const keep = 1 - a;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      let v =
        (bg0 - wave * pc0 + d) * keep + ink0 * a + (((state >>> 16) & 0xffff) + (state & 0xffff) - 65535) * grainScale;
      scaled[o] = M.round(M.min(255, M.max(0, v)));
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      v =
        (bg1 - wave * pc1 + d) * keep + ink1 * a + (((state >>> 16) & 0xffff) + (state & 0xffff) - 65535) * grainScale;
      scaled[o + 1] = M.round(M.min(255, M.max(0, v)));
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      v =
        (bg2 - wave * pc2 + d) * keep + ink2 * a + (((state >>> 16) & 0xffff) + (state & 0xffff) - 65535) * grainScale;
      scaled[o + 2] = M.round(M.min(255, M.max(0, v)));
    }
  }
  const jpeg = await sharp(scaled, { raw: { width: outW, height: outH, channels: 3 } })
    .jpeg({ quality: 30 + M.floor(rand() * 65) })
    .toBuffer();
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const image: RgbImage = { width: info.width, height: info.height, data };

  // The box a text detector would give: roughly the text, a bit taller, sometimes a bit short or long.
  const textW = line.width * stretch * scale;
  const textH = line.height * scale;
  const box = {
    cx: (padX + (line.width * stretch) / 2) * scale + (rand() - 0.5) * textH * 0.6,
    cy: (top + line.height / 2) * scale + (rand() - 0.5) * textH * 0.2,
    width: textW * (0.97 + rand() * 0.08),
    height: textH * (1.1 + rand() * 0.7),
  };
  return { image, box };
}

/** Labelled glyph cells from `lines` random degraded lines, cut by the product's segmentation. */
export async function generateCells(seed: number, lines: number): Promise<LabelledCell[]> {
  const rand = rng(seed);
  const out: LabelledCell[] = [];
  for (let n = 0; n < lines; n++) {
    const text = randomLine(rand);
    const neighbour = randomLine(rand).slice(0, text.length);
    const { image, box } = await degradedLine(rand, text, neighbour);
    const angle = (rand() - 0.5) * 0.02;
    const cut = extractCells(image, { ...box, angle, score: 1 }, text.length);
    if (!cut) continue;
    cut.cells.forEach((cell, i) => {
      out.push({ cell, label: MRZ_SYMBOLS.indexOf(text[i] ?? '<') });
    });
  }
  return out;
}

/**
 * Trains the perceptron with Adam on shuffled minibatches of 32 (learning rate 0.002, x0.6 per epoch, L2 1e-5);
 * deterministic for a given seed and data. Each minibatch is done as small matrix products with the sums in
 * registers, four samples (forward) or four inputs (first-layer gradient) at a time, so a weight is loaded
 * once for four multiply-adds; the gradient of a minibatch is summed over its samples in a fixed order.
 */
export function train(
  cells: LabelledCell[],
  config: TrainingConfig,
  log: (s: string) => void = () => {},
): GlyphNetwork {
  const rand = rng(config.seed ^ 0x5bd1e995);
  const inputs = CELL_WIDTH * CELL_HEIGHT;
  const hidden = config.hidden;
  const outputs = MRZ_SYMBOLS.length;
  const init = (n: number, fan: number) => {
    const a = new Float32Array(n);
    const s = M.sqrt(2 / fan);
    for (let i = 0; i < n; i++) a[i] = (rand() + rand() + rand() - 1.5) * s * 1.4;
    return a;
  };
  const w1 = init(inputs * hidden, inputs);
  const b1 = new Float32Array(hidden);
  const w2 = init(hidden * outputs, hidden);
  const b2 = new Float32Array(outputs);
  const params = [w1, b1, w2, b2];
  const grads = params.map((p) => new Float32Array(p.length));
  const m = params.map((p) => new Float32Array(p.length));
  const v = params.map((p) => new Float32Array(p.length));
  const [gw1, gb1, gw2, gb2] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
  const batch = 32;
  // Per minibatch, row-major and transposed: inputs [sample][in] and [in][sample], hidden activations
  // [sample][hidden] and [hidden][sample], their gradients [hidden][sample], output gradients both ways.
  const xs = new Float32Array(batch * inputs);
  const xt = new Float32Array(inputs * batch);
  const hs = new Float64Array(batch * hidden);
  const dht = new Float64Array(hidden * batch);
  const ht = new Float64Array(hidden * batch);
  const dz = new Float64Array(batch * outputs);
  const dzt = new Float64Array(outputs * batch);
  const order = cells.map((_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = M.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    const lr = 0.002 * 0.6 ** epoch;
    let loss = 0;
    for (let start = 0; start < order.length; start += batch) {
      const n = M.min(order.length, start + batch) - start;
      for (let b = 0; b < n; b++) {
        const x = (cells[order[start + b] as number] as LabelledCell).cell;
        xs.set(x, b * inputs);
        for (let i = 0; i < inputs; i++) xt[i * batch + b] = x[i] as number;
      }
      // Forward, first layer: hs[b][j] = b1[j] + w1[j] . x_b, four samples per pass over a weight row.
      for (let j = 0; j < hidden; j++) {
        const row = j * inputs;
        let b = 0;
        for (; b + 4 <= n; b += 4) {
          const o0 = b * inputs;
          const o1 = o0 + inputs;
          const o2 = o1 + inputs;
          const o3 = o2 + inputs;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let i = 0; i < inputs; i++) {
            const w = w1[row + i] as number;
            s0 += w * (xs[o0 + i] as number);
            s1 += w * (xs[o1 + i] as number);
            s2 += w * (xs[o2 + i] as number);
            s3 += w * (xs[o3 + i] as number);
          }
          hs[b * hidden + j] = s0;
          hs[(b + 1) * hidden + j] = s1;
          hs[(b + 2) * hidden + j] = s2;
          hs[(b + 3) * hidden + j] = s3;
        }
        for (; b < n; b++) {
          const o = b * inputs;
          let s = 0;
          for (let i = 0; i < inputs; i++) s += (w1[row + i] as number) * (xs[o + i] as number);
          hs[b * hidden + j] = s;
        }
      }
      gb1.fill(0);
      for (let b = 0; b < n; b++) {
        const ho = b * hidden;
        for (let j = 0; j < hidden; j++) {
          const z = (hs[ho + j] as number) + (b1[j] as number);
          const a = M.max(z, 0);
          hs[ho + j] = a;
          ht[j * batch + b] = a;
        }
      }
      // Output layer and softmax; dz[b][k] (and [k][b]) = p - onehot.
      for (let b = 0; b < n; b++) {
        const label = (cells[order[start + b] as number] as LabelledCell).label;
        const ho = b * hidden;
        const zo = b * outputs;
        let max = -M_INFINITY;
        for (let k = 0; k < outputs; k++) {
          let s = b2[k] as number;
          const row = k * hidden;
          for (let j = 0; j < hidden; j++) s += (w2[row + j] as number) * (hs[ho + j] as number);
          dz[zo + k] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let k = 0; k < outputs; k++) {
          const e = M.exp((dz[zo + k] as number) - max);
          dz[zo + k] = e;
          sum += e;
        }
        for (let k = 0; k < outputs; k++) {
          const pk = (dz[zo + k] as number) / sum;
          if (k === label) loss -= M.log(M.max(1e-9, pk));
          const d = pk - (k === label ? 1 : 0);
          dz[zo + k] = d;
          dzt[k * batch + b] = d;
        }
      }
      // Output-layer gradients: gw2[k][j] = sum over samples of dz[b][k] * h[b][j].
      for (let k = 0; k < outputs; k++) {
        const zo = k * batch;
        let sb = 0;
        for (let b = 0; b < n; b++) sb += dzt[zo + b] as number;
        gb2[k] = sb;
        const row = k * hidden;
        for (let j = 0; j < hidden; j++) {
          const ho = j * batch;
          let s = 0;
          for (let b = 0; b < n; b++) s += (dzt[zo + b] as number) * (ht[ho + b] as number);
          gw2[row + j] = s;
        }
      }
      // Hidden gradients through the ReLU: dh[b][j] = (h > 0) * sum over k of dz[b][k] * w2[k][j].
      for (let j = 0; j < hidden; j++) {
        const ho = j * batch;
        let sb = 0;
        for (let b = 0; b < n; b++) {
          if ((ht[ho + b] as number) <= 0) {
            dht[ho + b] = 0;
            continue;
          }
          const zo = b * outputs;
          let s = 0;
          for (let k = 0; k < outputs; k++) s += (dz[zo + k] as number) * (w2[k * hidden + j] as number);
          dht[ho + b] = s;
          sb += s;
        }
        gb1[j] = sb;
      }
      // First-layer gradient: gw1[j][i] = sum over samples of dh[b][j] * x_b[i], four inputs at a time.
      for (let j = 0; j < hidden; j++) {
        const dro = j * batch;
        const row = j * inputs;
        let active = false;
        for (let b = 0; b < n; b++) if (dht[dro + b] !== 0) active = true;
        if (!active) {
          gw1.fill(0, row, row + inputs);
          continue;
        }
        for (let i = 0; i < inputs; i += 4) {
          const x0 = i * batch;
          const x1 = x0 + batch;
          const x2 = x1 + batch;
          const x3 = x2 + batch;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let b = 0; b < n; b++) {
            const d = dht[dro + b] as number;
            s0 += d * (xt[x0 + b] as number);
            s1 += d * (xt[x1 + b] as number);
            s2 += d * (xt[x2 + b] as number);
            s3 += d * (xt[x3 + b] as number);
          }
          gw1[row + i] = s0;
          gw1[row + i + 1] = s1;
          gw1[row + i + 2] = s2;
          gw1[row + i + 3] = s3;
        }
      }
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      for (let pi = 0; pi < params.length; pi++) {
        const param = params[pi] as Float32Array;
        const g = grads[pi] as Float32Array;
        const mm = m[pi] as Float32Array;
        const vv = v[pi] as Float32Array;
        for (let i = 0; i < param.length; i++) {
          const w = param[i] as number;
          const gi = (g[i] as number) / n + 1e-5 * w;
          const mi = 0.9 * (mm[i] as number) + 0.1 * gi;
          const vi = 0.999 * (vv[i] as number) + 0.001 * gi * gi;
          mm[i] = mi;
          vv[i] = vi;
          param[i] = w - (lr * (mi / c1)) / (M.sqrt(vi / c2) + 1e-8);
        }
      }
    }
    log(`epoch ${epoch + 1}/${config.epochs}: loss ${(loss / order.length).toFixed(4)}`);
  }
  return { inputs, hidden, outputs, w1, b1, w2, b2 };
}

/** Each cell's most probable symbol under `net`. */
export function predictions(net: GlyphNetwork, cells: LabelledCell[]): Int32Array {
  const out = new Int32Array(cells.length);
  const h = new Float32Array(net.hidden);
  cells.forEach((c, n) => {
    const p = classifyGlyph(net, c.cell, h);
    let best = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
    out[n] = best;
  });
  return out;
}

/** Share of cells whose most probable symbol is the label. */
export function accuracy(net: GlyphNetwork, cells: LabelledCell[]): number {
  const best = predictions(net, cells);
  let right = 0;
  cells.forEach((c, n) => {
    if (best[n] === c.label) right++;
  });
  return cells.length > 0 ? right / cells.length : 0;
}

/** Seed of the held-out validation lines for a training seed. */
export const validationSeed = (seed: number) => seed + 1_000_003;

/** The training config recorded in a weights file's `training` block. */
export function configOf(training: Record<string, unknown>): TrainingConfig {
  const field = (name: keyof TrainingConfig) => {
    const value = training[name];
    if (typeof value !== 'number') throw new Error(`weights file: training.${name} is not a number`);
    return value;
  };
  return {
    seed: field('seed'),
    lines: field('lines'),
    hidden: field('hidden'),
    epochs: field('epochs'),
    validationLines: field('validationLines'),
  };
}

/** Trains with `config` and returns the weights file content (validated on a held-out seed). */
export async function trainWeights(
  config: TrainingConfig,
  log: (s: string) => void = () => {},
): Promise<{ file: GlyphWeightsFile; net: GlyphNetwork; validation: LabelledCell[]; validationAccuracy: number }> {
  let started = performance.now();
  const cells = await generateCells(config.seed, config.lines);
  log(`${cells.length} training cells in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  const net = train(cells, config, log);
  log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const validation = await generateCells(validationSeed(config.seed), config.validationLines);
  const validationAccuracy = accuracy(net, validation);
  log(`validation accuracy ${(validationAccuracy * 100).toFixed(2)} % on ${validation.length} cells`);
  const file: GlyphWeightsFile = {
    symbols: MRZ_SYMBOLS,
    cellWidth: CELL_WIDTH,
    cellHeight: CELL_HEIGHT,
    hidden: config.hidden,
    w1: encodeFloats(net.w1),
    b1: encodeFloats(net.b1),
    w2: encodeFloats(net.w2),
    b2: encodeFloats(net.b2),
    training: {
      script: 'scripts/train-mrz-glyphs.ts',
      generator: GENERATOR,
      fonts: OCRB_FONTS.map((f) => f.split('/').pop()),
      ...config,
      trainingCells: cells.length,
      validationCells: validation.length,
      validationAccuracy: M.round(validationAccuracy * 10000) / 10000,
    },
  };
  return { file, net, validation, validationAccuracy };
}
