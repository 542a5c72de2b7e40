import {
  DEFAULT_MRZ_DECODE_OPTIONS,
  decodeMrz,
  type MrzDecodeOptions,
  type MrzDecodeRefusal,
  type MrzDecoded,
} from '../../domain/mrz-decoding';
import { checkDigitsOf, MRZ_LAYOUT, type MrzFormat } from '../../domain/mrz';
import { resizeImage, type RgbImage } from './image';
import { classifyGlyph, shippedGlyphNetwork, type GlyphNetwork } from './mrz-glyph-classifier';
import { extractCells } from './mrz-glyphs';
import { detectTextLines, type OcrModels, type TextLineBox } from './ocr';
import { alignStacks, mergeCollinear } from './mrz-reader';

/**
 * EXPERIMENTAL, not yet wired into the document check (see docs/checks.md): finds and reads the MRZ on one
 * document image. PaddleOCR's text-line detector finds the lines; MRZ-shaped
 * groups of lines (2 or 3 long, parallel, equally spaced lines) are cut into glyph cells (mrz-glyphs.ts),
 * each cell gets a probability for every MRZ symbol from the OCR-B classifier (mrz-glyph-classifier.ts), and
 * the domain decoder (functions/domain/mrz-decoding.ts) picks the most probable reading that satisfies the
 * grammar and every check digit, or refuses.
 */

/** Small scans (ID-card backs are often ~250 px wide) are upscaled so the detector sees MRZ glyphs. */
const MIN_OCR_WIDTH = 900;

/** Result of reading an MRZ. */
export interface MrzGlyphReadResult {
  format: MrzFormat;
  lines: string[];
  /** Per-field check-digit validity on the final lines (all true for a decoded read). */
  checkDigits: Record<string, boolean>;
  /** Lowest grammar-normalized probability among symbols no check digit protects (names, codes, sex). */
  unprotectedConfidence: number;
  /** Posterior of the chosen numbers and dates among all readings that satisfy the check digits. */
  protectedPosterior: number;
  /** Symbols changed from the classifier's best guess by the grammar and check digits. */
  corrections: string[];
}

/** Why no MRZ was read: none found, or the decoder's refusal of the best candidate block. */
export type MrzGlyphReadFailure = 'not_found' | MrzDecodeRefusal;

/** Position of a box across the text direction (for ordering lines top to bottom). */
const lineY = (box: TextLineBox) => -box.cx * Math.sin(box.angle) + box.cy * Math.cos(box.angle);

/**
 * Groups of 2 or 3 consecutive long lines that could be an MRZ block: parallel, similar height and length,
 * closely and evenly stacked. Bottom-most first (the MRZ sits at the bottom of the page).
 */
export function candidateBlocks(boxes: TextLineBox[]): TextLineBox[][] {
  const sorted = boxes.slice().sort((a, b) => lineY(a) - lineY(b));
  const fits = (a: TextLineBox, b: TextLineBox) => {
    const h = Math.max(a.height, b.height);
    const gap = lineY(b) - lineY(a);
    return (
      Math.abs(a.angle - b.angle) < 0.06 &&
      Math.min(a.height, b.height) / h > 0.6 &&
      Math.min(a.width, b.width) / Math.max(a.width, b.width) > 0.75 &&
      gap > 0.7 * h &&
      gap < 3 * h
    );
  };
  const blocks: TextLineBox[][] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    for (const count of [3, 2]) {
      const group = sorted.slice(i - count + 1, i + 1);
      if (group.length !== count || i - count + 1 < 0) continue;
      if (group.every((b, k) => k === 0 || fits(group[k - 1] as TextLineBox, b))) blocks.push(group);
    }
  }
  return blocks;
}

/** Per line, per position: the classifier's probabilities over the MRZ symbols; null if a line cannot be cut. */
export function classifyLines(
  network: GlyphNetwork,
  image: RgbImage,
  boxes: TextLineBox[],
  length: number,
): Float32Array[][] | null {
  const lines: Float32Array[][] = [];
  for (const box of boxes) {
    const cut = extractCells(image, box, length);
    if (!cut) return null;
    lines.push(cut.cells.map((cell) => classifyGlyph(network, cell)));
  }
  return lines;
}

/** Formats a block of `count` lines can be, most likely first by the lines' aspect ratio. */
function formatsFor(boxes: TextLineBox[]): MrzFormat[] {
  if (boxes.length === 3) return ['TD1'];
  // A TD3 line (44 glyphs) is ~22 % longer for its height than a TD2 line (36): try the nearer one first.
  const aspect = boxes.reduce((s, b) => s + b.width / b.height, 0) / boxes.length;
  return aspect > 22 ? ['TD3', 'TD2'] : ['TD2', 'TD3'];
}

export interface MrzGlyphRead {
  result: MrzGlyphReadResult | MrzGlyphReadFailure;
  /** Candidate blocks decoded (for timings/debug). */
  blocksTried: number;
}

function toResult(read: MrzDecoded): MrzGlyphReadResult {
  return {
    format: read.format,
    lines: read.lines,
    checkDigits: checkDigitsOf(read.format, read.lines),
    unprotectedConfidence: read.unprotectedConfidence,
    protectedPosterior: read.protectedPosterior,
    corrections: read.corrections,
  };
}

/** Refusals ranked by how much they say about the document (a found-but-unsure MRZ over no MRZ). */
const FAILURE_RANK: Record<MrzGlyphReadFailure, number> = {
  not_found: 0,
  wrong_shape: 1,
  no_valid_reading: 2,
  too_many_corrections: 3,
  implausible: 4,
  low_confidence: 5,
  ambiguous: 6,
};

/** Most long text lines considered (the MRZ block is among the bottom-most long lines). */
const MAX_BLOCKS = 8;

/** Reads the MRZ of one image; `not_found` when no MRZ-shaped block is present. */
export async function readMrzWithGlyphs(
  models: OcrModels,
  source: RgbImage,
  options: MrzDecodeOptions = DEFAULT_MRZ_DECODE_OPTIONS,
  network: GlyphNetwork = shippedGlyphNetwork(),
): Promise<MrzGlyphRead> {
  let image = source;
  if (image.width < MIN_OCR_WIDTH) {
    const factor = MIN_OCR_WIDTH / image.width;
    image = await resizeImage(image, MIN_OCR_WIDTH, Math.round(image.height * factor));
  }
  const boxes = alignStacks(mergeCollinear(await detectTextLines(models, image)));
  // MRZ lines are long (>= 30 glyphs) and span a good part of the document.
  const longLines = boxes.filter((b) => b.width / b.height > 8 && b.width > image.width * 0.2);
  const blocks = candidateBlocks(longLines).slice(0, MAX_BLOCKS);
  let failure: MrzGlyphReadFailure = 'not_found';
  let tried = 0;
  for (const block of blocks) {
    tried++;
    let best: MrzDecoded | null = null;
    for (const format of formatsFor(block)) {
      const probs = classifyLines(network, image, block, MRZ_LAYOUT[format].length);
      if (!probs) continue;
      const decoded = decodeMrz(format, probs, options);
      if (decoded.ok) {
        if (!best || decoded.read.logProbability > best.logProbability) best = decoded.read;
      } else if (FAILURE_RANK[decoded.refusal] > FAILURE_RANK[failure]) failure = decoded.refusal;
    }
    if (best) return { result: toResult(best), blocksTried: tried };
  }
  return { result: failure, blocksTried: tried };
}
