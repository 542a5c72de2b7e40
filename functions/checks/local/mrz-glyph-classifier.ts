import { MRZ_SYMBOLS } from '../../domain/mrz-decoding';
import { CELL_HEIGHT, CELL_WIDTH } from './mrz-glyphs';
import weightsFile from './mrz-glyph-weights.json';

/**
 * OCR-B glyph classifier: a small two-layer perceptron over a normalized glyph cell (see mrz-glyphs.ts),
 * giving a probability for each of the 37 MRZ symbols. Trained by scripts/train-mrz-glyphs.ts on glyphs
 * rendered from the public-domain OCR-B font with augmentation; the weights ship in mrz-glyph-weights.json
 * (the product never reads the font). Pure TypeScript inference: about 90k multiply-adds per glyph (256 hidden units).
 */

/** Serialized weights: float32 arrays as base64, row-major [out][in]. */
export interface GlyphWeightsFile {
  symbols: string;
  cellWidth: number;
  cellHeight: number;
  hidden: number;
  w1: string;
  b1: string;
  w2: string;
  b2: string;
  /** How the weights were made (script, seed, samples), for the reproduction test and the reader. */
  training: Record<string, unknown>;
}

/** A loaded network. */
export interface GlyphNetwork {
  inputs: number;
  hidden: number;
  outputs: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export function decodeFloats(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

export function encodeFloats(values: Float32Array): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

/** Parses a weights file, checking that it matches the symbol set and cell size this code uses. */
export function loadGlyphNetwork(file: GlyphWeightsFile): GlyphNetwork {
  if (file.symbols !== MRZ_SYMBOLS || file.cellWidth !== CELL_WIDTH || file.cellHeight !== CELL_HEIGHT) {
    throw new Error('MRZ glyph weights do not match the symbol set or cell size');
  }
  const inputs = CELL_WIDTH * CELL_HEIGHT;
  const net: GlyphNetwork = {
    inputs,
    hidden: file.hidden,
    outputs: MRZ_SYMBOLS.length,
    w1: decodeFloats(file.w1),
    b1: decodeFloats(file.b1),
    w2: decodeFloats(file.w2),
    b2: decodeFloats(file.b2),
  };
  if (net.w1.length !== inputs * net.hidden || net.w2.length !== net.hidden * net.outputs) {
    throw new Error('MRZ glyph weights have the wrong shape');
  }
  return net;
}

/** Forward pass: hidden ReLU activations (written to `hiddenOut` when given) and softmax probabilities. */
export function classifyGlyph(net: GlyphNetwork, input: Float32Array, hiddenOut?: Float32Array): Float32Array {
  // Arrays and sizes in locals and plain indexed reads (the shapes were checked at load): the first layer is
  // ~90k multiply-adds a glyph and runs for every cell of every candidate line. Same summation order as ever.
  const { inputs, hidden, outputs, w1, b1, w2, b2 } = net;
  const h = hiddenOut ?? new Float32Array(hidden);
  const n = Math.min(inputs, input.length);
  for (let j = 0; j < hidden; j++) {
    let s = b1[j] as number;
    const row = j * inputs;
    let i = 0;
    // Four at a time, still added one after another (the same rounding as the plain loop).
    for (; i + 3 < n; i += 4) {
      s += (w1[row + i] as number) * (input[i] as number);
      s += (w1[row + i + 1] as number) * (input[i + 1] as number);
      s += (w1[row + i + 2] as number) * (input[i + 2] as number);
      s += (w1[row + i + 3] as number) * (input[i + 3] as number);
    }
    for (; i < n; i++) s += (w1[row + i] as number) * (input[i] as number);
    h[j] = Math.max(s, 0);
  }
  const out = new Float32Array(outputs);
  let max = -Infinity;
  for (let k = 0; k < outputs; k++) {
    let s = b2[k] as number;
    const row = k * hidden;
    for (let j = 0; j < hidden; j++) s += (w2[row + j] as number) * (h[j] as number);
    out[k] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let k = 0; k < net.outputs; k++) {
    const e = Math.exp((out[k] ?? 0) - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < net.outputs; k++) out[k] = (out[k] ?? 0) / sum;
  return out;
}

let shipped: GlyphNetwork | null = null;

/** The network shipped with the product (parsed once per process). */
export function shippedGlyphNetwork(): GlyphNetwork {
  shipped ??= loadGlyphNetwork(weightsFile as GlyphWeightsFile);
  return shipped;
}
