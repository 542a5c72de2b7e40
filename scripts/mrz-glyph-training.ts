import { existsSync } from 'node:fs';
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
 * Training of the OCR-B glyph classifier (functions/checks/local/mrz-glyph-classifier.ts). Random MRZ-like
 * lines are rendered with the public-domain OCR-B font (Debian fonts-ocr-b), degraded (stroke weight, width,
 * background print, neighbouring lines, scale down to 7-36 px glyphs, blur, noise, JPEG), cut into cells by
 * the product's own segmentation (mrz-glyphs.ts) and used to train a 2-layer perceptron with Adam.
 * Everything is seeded: the same machine reproduces the same weights. Used by scripts/train-mrz-glyphs.ts
 * and by the reproduction test.
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
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
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

export const DEFAULT_TRAINING: TrainingConfig = {
  seed: 9303,
  lines: 1400,
  hidden: 128,
  epochs: 7,
  validationLines: 150,
};

const LENGTHS = [30, 36, 44];

/** A random line: mostly uniform over the 37 symbols (class balance), sometimes MRZ-like with filler runs. */
function randomLine(rand: () => number): string {
  const length = LENGTHS[Math.floor(rand() * LENGTHS.length)] as number;
  let text = '';
  if (rand() < 0.7) {
    for (let i = 0; i < length; i++) text += MRZ_SYMBOLS[Math.floor(rand() * MRZ_SYMBOLS.length)];
    return text;
  }
  while (text.length < length) {
    const r = rand();
    const run = 1 + Math.floor(rand() * 8);
    const pool = r < 0.35 ? '<' : r < 0.7 ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '0123456789';
    for (let i = 0; i < run; i++) text += pool[Math.floor(rand() * pool.length)];
  }
  return text.slice(0, length);
}

const escapeMarkup = (s: string) => s.replace(/</g, '&lt;');

/** One font's 37 glyphs, each in a cell one advance wide (OCR-B is monospaced: lines are cells side by side). */
interface GlyphAtlas {
  mask: Float32Array;
  width: number;
  height: number;
  advance: number;
  /** x of symbol 0's cell in the mask. */
  origin: number;
}

const atlases = new Map<string, GlyphAtlas>();

/**
 * Renders the 37 symbols once per font (white on black, about 37 px tall) and finds the cell grid: the advance
 * from two renders of different length, the origin where cell boundaries cut the least ink.
 */
async function atlasOf(font: string): Promise<GlyphAtlas> {
  const cached = atlases.get(font);
  if (cached) return cached;
  const render = (text: string) =>
    sharp({ text: { text: escapeMarkup(text), fontfile: font, font: 'OCR B 12', dpi: 300 } })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
  const [one, two] = await Promise.all([render(`${MRZ_SYMBOLS}`), render(`${MRZ_SYMBOLS}${MRZ_SYMBOLS}`)]);
  const advance = (two.info.width - one.info.width) / MRZ_SYMBOLS.length;
  const { width, height } = one.info;
  const mask = new Float32Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = (one.data[i] ?? 0) / 255;
  const column = (x: number) => {
    const xi = Math.round(x);
    if (xi < 0 || xi >= width) return 0;
    let s = 0;
    for (let y = 0; y < height; y++) s += mask[y * width + xi] ?? 0;
    return s;
  };
  let origin = 0;
  let best = Infinity;
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
async function renderLine(text: string, font: string): Promise<{ mask: Float32Array; width: number; height: number }> {
  const atlas = await atlasOf(font);
  const cell = Math.round(atlas.advance);
  const width = cell * text.length;
  const mask = new Float32Array(width * atlas.height);
  [...text].forEach((ch, i) => {
    const from = Math.round(atlas.origin + MRZ_SYMBOLS.indexOf(ch) * atlas.advance);
    for (let y = 0; y < atlas.height; y++) {
      for (let x = 0; x < cell; x++) {
        const sx = from + x;
        if (sx < 0 || sx >= atlas.width) continue;
        mask[y * width + i * cell + x] = atlas.mask[y * atlas.width + sx] ?? 0;
      }
    }
  });
  return { mask, width, height: atlas.height };
}

/** 3x3 max (dilate) or min (erode) of a mask: heavier or lighter print. */
function morph(mask: Float32Array, w: number, h: number, dilate: boolean): Float32Array {
  const out = new Float32Array(mask.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = mask[y * w + x] ?? 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const n = mask[yy * w + xx] ?? 0;
          v = dilate ? Math.max(v, n) : Math.min(v, n);
        }
      }
      out[y * w + x] = v;
    }
  }
  return out;
}

export interface LabelledCell {
  cell: Float32Array;
  label: number;
}

/**
 * One degraded line image with its box and text. The line (and optionally a neighbour line above or below,
 * as in a real MRZ block) is drawn on a light, textured background, then scaled, blurred, noised and
 * JPEG-encoded with sharp.
 */
async function degradedLine(
  rand: () => number,
  text: string,
  neighbour: string,
): Promise<{ image: RgbImage; box: { cx: number; cy: number; width: number; height: number } }> {
  const font = OCRB_FONTS[Math.floor(rand() * OCRB_FONTS.length)] as string;
  const line = await renderLine(text, font);
  let mask = line.mask;
  const weight = rand();
  if (weight < 0.2) mask = morph(mask, line.width, line.height, true);
  else if (weight < 0.35) mask = morph(mask, line.width, line.height, false);
  const stretch = 0.88 + rand() * 0.24;
  const other = neighbour && rand() < 0.6 ? await renderLine(neighbour, font) : null;
  const spacing = line.height * (1.25 + rand() * 0.6) * (rand() < 0.5 ? -1 : 1);

  // Canvas at render scale: text centred vertically with room for a neighbour line.
  const padX = Math.round(line.height * (0.8 + rand() * 1.5));
  const width = Math.round(line.width * stretch) + 2 * padX;
  const height = Math.round(line.height * 3.2);
  const top = Math.round((height - line.height) / 2);
  const bg = [200 + rand() * 55, 200 + rand() * 55, 200 + rand() * 55];
  const ink = [rand() * 70, rand() * 70, rand() * 70];
  const pattern = rand() < 0.5;
  const freq = 0.02 + rand() * 0.1;
  const amp = 10 + rand() * 40;
  const phase = rand() * 10;
  const patternColour = [rand(), rand(), rand()];
  const gradient = (rand() - 0.5) * 60;
  const rgb = Buffer.alloc(width * height * 3);
  const inkAt = (m: Float32Array, mw: number, mh: number, x: number, y: number) => {
    const sx = x / stretch;
    const x0 = Math.floor(sx);
    if (x0 < 0 || x0 + 1 >= mw || y < 0 || y >= mh) return 0;
    const f = sx - x0;
    return (m[y * mw + x0] ?? 0) * (1 - f) + (m[y * mw + x0 + 1] ?? 0) * f;
  };
  for (let y = 0; y < height; y++) {
    const rowPhase = phase + Math.sin(0.05 * y) * 3 + freq * 2 * y;
    for (let x = 0; x < width; x++) {
      let a = inkAt(mask, line.width, line.height, x - padX, y - top);
      if (other) {
        const oy = y - Math.round(top + spacing);
        a = Math.max(a, inkAt(other.mask, other.width, other.height, x - padX, oy));
      }
      const wave = pattern ? amp * (0.5 + 0.5 * Math.sin(freq * x + rowPhase)) : 0;
      for (let c = 0; c < 3; c++) {
        const paper = (bg[c] ?? 230) - wave * (patternColour[c] ?? 0) + (gradient * x) / width;
        rgb[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, paper * (1 - a) + (ink[c] ?? 0) * a));
      }
    }
  }

  // Scale so glyphs end up 7-36 px tall (the render's line box is ~1.2 glyph heights).
  const glyphTarget = 7 + rand() ** 1.3 * 29;
  const scale = glyphTarget / (line.height * 0.75);
  const outW = Math.max(16, Math.round(width * scale));
  const outH = Math.max(8, Math.round(height * scale));
  let pipeline = sharp(rgb, { raw: { width, height, channels: 3 } }).resize(outW, outH, { fit: 'fill' });
  const blur = rand();
  if (blur < 0.4) pipeline = pipeline.blur(0.3 + rand() * Math.max(0.3, glyphTarget / 14));
  const scaled = await pipeline.raw().toBuffer();
  const noise = rand() * 18;
  for (let i = 0; i < scaled.length; i++) {
    const v = (scaled[i] ?? 0) + (rand() + rand() + rand() - 1.5) * noise;
    scaled[i] = Math.max(0, Math.min(255, v));
  }
  const jpeg = await sharp(scaled, { raw: { width: outW, height: outH, channels: 3 } })
    .jpeg({ quality: 30 + Math.floor(rand() * 65) })
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

/** Trains the perceptron with Adam on shuffled minibatches; deterministic for a given seed and data. */
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
    const s = Math.sqrt(2 / fan);
    for (let i = 0; i < n; i++) a[i] = (rand() + rand() + rand() - 1.5) * s * 1.4;
    return a;
  };
  const net: GlyphNetwork = {
    inputs,
    hidden,
    outputs,
    w1: init(inputs * hidden, inputs),
    b1: new Float32Array(hidden),
    w2: init(hidden * outputs, hidden),
    b2: new Float32Array(outputs),
  };
  const params = [net.w1, net.b1, net.w2, net.b2];
  const grads = params.map((p) => new Float32Array(p.length));
  const m = params.map((p) => new Float32Array(p.length));
  const v = params.map((p) => new Float32Array(p.length));
  const [gw1, gb1, gw2, gb2] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
  const batch = 32;
  const order = cells.map((_, i) => i);
  const h = new Float32Array(hidden);
  const dh = new Float32Array(hidden);
  let step = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const lr = 0.002 * 0.6 ** epoch;
    let loss = 0;
    for (let start = 0; start < order.length; start += batch) {
      for (const g of grads) g.fill(0);
      const end = Math.min(order.length, start + batch);
      for (let b = start; b < end; b++) {
        const sample = cells[order[b] as number] as LabelledCell;
        const x = sample.cell;
        const p = classifyGlyph(net, x, h);
        loss -= Math.log(Math.max(1e-9, p[sample.label] ?? 0));
        dh.fill(0);
        for (let k = 0; k < outputs; k++) {
          const d = (p[k] ?? 0) - (k === sample.label ? 1 : 0);
          gb2[k] = (gb2[k] ?? 0) + d;
          const row = k * hidden;
          for (let j = 0; j < hidden; j++) {
            gw2[row + j] = (gw2[row + j] ?? 0) + d * (h[j] ?? 0);
            dh[j] = (dh[j] ?? 0) + d * (net.w2[row + j] ?? 0);
          }
        }
        for (let j = 0; j < hidden; j++) {
          if ((h[j] ?? 0) <= 0) continue;
          const d = dh[j] ?? 0;
          gb1[j] = (gb1[j] ?? 0) + d;
          const row = j * inputs;
          for (let i = 0; i < inputs; i++) gw1[row + i] = (gw1[row + i] ?? 0) + d * (x[i] ?? 0);
        }
      }
      step++;
      const n = end - start;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      params.forEach((param, pi) => {
        const g = grads[pi] as Float32Array;
        const mm = m[pi] as Float32Array;
        const vv = v[pi] as Float32Array;
        for (let i = 0; i < param.length; i++) {
          const gi = (g[i] ?? 0) / n + 1e-5 * (param[i] ?? 0);
          mm[i] = 0.9 * (mm[i] ?? 0) + 0.1 * gi;
          vv[i] = 0.999 * (vv[i] ?? 0) + 0.001 * gi * gi;
          param[i] = (param[i] ?? 0) - (lr * ((mm[i] ?? 0) / c1)) / (Math.sqrt((vv[i] ?? 0) / c2) + 1e-8);
        }
      });
    }
    log(`epoch ${epoch + 1}/${config.epochs}: loss ${(loss / order.length).toFixed(4)}`);
  }
  return net;
}

/** Share of cells whose most probable symbol is the label. */
export function accuracy(net: GlyphNetwork, cells: LabelledCell[]): number {
  let right = 0;
  for (const c of cells) {
    const p = classifyGlyph(net, c.cell);
    let best = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] ?? 0) > (p[best] ?? 0)) best = k;
    if (best === c.label) right++;
  }
  return cells.length > 0 ? right / cells.length : 0;
}

/** Trains with `config` and returns the weights file content (validated on a held-out seed). */
export async function trainWeights(
  config: TrainingConfig,
  log: (s: string) => void = () => {},
): Promise<{ file: GlyphWeightsFile; validationAccuracy: number }> {
  const started = performance.now();
  const cells = await generateCells(config.seed, config.lines);
  log(`${cells.length} training cells in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const net = train(cells, config, log);
  const validation = await generateCells(config.seed + 1_000_003, config.validationLines);
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
      fonts: OCRB_FONTS.map((f) => f.split('/').pop()),
      ...config,
      trainingCells: cells.length,
      validationCells: validation.length,
      validationAccuracy: Math.round(validationAccuracy * 10000) / 10000,
    },
  };
  return { file, validationAccuracy };
}
