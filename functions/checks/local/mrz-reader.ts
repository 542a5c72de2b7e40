import { checkDigitsOf, MRZ_LAYOUT } from '../../domain/mrz';
import { decodeMrz, type MrzDecodeOptions } from '../../domain/mrz-decoding';
import { resizeImage, type RgbImage } from './image';
import { linePositionProbabilities } from './mrz-alignment';
import { classifyBlock, splitOAndZeroByShape, weighByShape } from './mrz-glyph-fusion';
import { detectTextLines, recognizeLine, type OcrModels, type RecognizedLine, type TextLineBox } from './ocr';
import { findMrzBlock, type MrzReadFailure, type MrzReadResult, type PlacedLine } from './mrz-text';

/**
 * Finds and reads the MRZ on one document image: text-line detection, merging of line pieces, recognition of
 * long lines only, MRZ block search (mrz-text.ts), then alignment of each line's CTC posteriors to the line length
 * (mrz-alignment.ts) and grammar-constrained decoding with the check digits (domain/mrz-decoding.ts).
 */

/** Small scans (ID-card backs are often ~250 px wide) are upscaled so MRZ glyphs reach ~20 px. */
const MIN_OCR_WIDTH = 900;

/** Merges boxes lying on one text line (DB detection splits MRZ lines at wide filler gaps). */
export function mergeCollinear(boxes: TextLineBox[]): TextLineBox[] {
  const pending = boxes.slice().sort((a, b) => b.width - a.width);
  const merged: TextLineBox[] = [];
  while (pending.length > 0) {
    const seed = pending.shift() as TextLineBox;
    const cos = Math.cos(seed.angle);
    const sin = Math.sin(seed.angle);
    let minU = -seed.width / 2,
      maxU = seed.width / 2;
    let height = seed.height;
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = 0; i < pending.length; i++) {
        const b = pending[i] as TextLineBox;
        const dx = b.cx - seed.cx;
        const dy = b.cy - seed.cy;
        const u = dx * cos + dy * sin;
        const v = -dx * sin + dy * cos;
        const sameRow =
          Math.abs(v) < 0.35 * seed.height && b.height < 1.5 * seed.height && b.height > 0.6 * seed.height;
        const gap = Math.max(minU - (u + b.width / 2), u - b.width / 2 - maxU);
        if (!sameRow || gap > 2.5 * seed.height) continue;
        minU = Math.min(minU, u - b.width / 2);
        maxU = Math.max(maxU, u + b.width / 2);
        height = Math.max(height, b.height);
        pending.splice(i, 1);
        i--;
        changed = true;
      }
    }
    const mid = (minU + maxU) / 2;
    merged.push({ ...seed, cx: seed.cx + mid * cos, cy: seed.cy + mid * sin, width: maxU - minU, height });
  }
  return merged;
}

/**
 * MRZ lines of one block are left-aligned and equally long, but detection often stops short on a line whose
 * tail is all fillers. Boxes stacked under/over a long line with the same left edge get its right edge.
 */
export function alignStacks(boxes: TextLineBox[]): TextLineBox[] {
  const out = boxes.map((b) => ({ ...b }));
  const longest = out.slice().sort((a, b) => b.width - a.width);
  for (const anchor of longest) {
    if (anchor.width / anchor.height < 12) continue;
    const cos = Math.cos(anchor.angle);
    const sin = Math.sin(anchor.angle);
    const anchorLeft = -anchor.width / 2;
    for (const b of out) {
      if (b === anchor || b.width >= anchor.width) continue;
      const dx = b.cx - anchor.cx;
      const dy = b.cy - anchor.cy;
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      const left = u - b.width / 2;
      const stacked = Math.abs(v) > 0.8 * anchor.height && Math.abs(v) < 3.2 * anchor.height;
      const aligned = Math.abs(left - anchorLeft) < 1.5 * anchor.height;
      if (!stacked || !aligned || Math.abs(b.height - anchor.height) > 0.5 * anchor.height) continue;
      const right = anchor.width / 2;
      const width = right - left;
      const mid = (left + right) / 2;
      // Keep the box's own perpendicular offset; take the anchor's extent along the line.
      b.cx = anchor.cx + mid * cos - v * sin;
      b.cy = anchor.cy + mid * sin + v * cos;
      b.width = width;
      b.angle = anchor.angle;
    }
  }
  return out;
}

export interface MrzImageRead {
  result: MrzReadResult | MrzReadFailure;
  /** Number of long text lines recognized (for timings/debug). */
  linesRead: number;
}

/** The MRZ block found on an image: its format, its lines as first recognized, and their boxes. */
export interface LocatedMrzBlock {
  format: MrzReadResult['format'];
  lines: RecognizedLine[];
  boxes: TextLineBox[];
  /** The image the boxes refer to (upscaled when the source was small). */
  image: RgbImage;
  /** Number of long text lines recognized. */
  linesRead: number;
}

/** Finds the MRZ block on one image (bottom-up), or null with the number of lines read. */
export async function locateMrzBlock(
  models: OcrModels,
  source: RgbImage,
): Promise<LocatedMrzBlock | { linesRead: number }> {
  let image = source;
  if (image.width < MIN_OCR_WIDTH) {
    const factor = MIN_OCR_WIDTH / image.width;
    image = await resizeImage(image, MIN_OCR_WIDTH, Math.round(image.height * factor));
  }
  const boxes = alignStacks(mergeCollinear(await detectTextLines(models, image)));
  // MRZ lines are long (>= 30 glyphs) and span a good part of the document width.
  const candidates = boxes.filter((b) => b.width / b.height > 8 && b.width > image.width * 0.3);
  const placed: Array<PlacedLine & { box: TextLineBox }> = [];
  const lineY = (box: TextLineBox) => -box.cx * Math.sin(box.angle) + box.cy * Math.cos(box.angle);
  // The MRZ sits at the bottom of the page: read bottom-up and stop at the first complete MRZ block.
  let block: ReturnType<typeof findMrzBlock> = null;
  for (const box of candidates.sort((a, b) => lineY(b) - lineY(a))) {
    // Sequential on purpose: onnxruntime already uses both cores within one run.
    const line = await recognizeLine(models, image, box);
    placed.push({ line, y: lineY(box), height: box.height, box });
    block = findMrzBlock(placed);
    if (block) break;
  }
  if (!block) return { linesRead: placed.length };
  const blockBoxes = block.lines.map((l) => placed.find((p) => p.line === l)?.box as TextLineBox);
  return { format: block.format, lines: block.lines, boxes: blockBoxes, image, linesRead: placed.length };
}

/** Reads the MRZ of one image; `not_found` when no MRZ-shaped block is present. */
export async function readMrz(
  models: OcrModels,
  source: RgbImage,
  options: MrzDecodeOptions = PADDLE_MRZ_DECODE_OPTIONS,
): Promise<MrzImageRead> {
  const located = await locateMrzBlock(models, source);
  if (!('format' in located)) return { result: 'not_found', linesRead: located.linesRead };
  const { image, format, lines, boxes, linesRead } = located;
  return { result: await decodeBlock(models, image, format, lines, boxes, options), linesRead };
}

/** Box-height variants: further samplings of the same glyphs when the first recognition is not enough. */
const VARIANT_HEIGHTS = [1.2, 0.88];

/**
 * Decoder thresholds for the PaddleOCR reader's aligned probabilities, chosen on the TUNING part of the
 * synthetic documents only (test/mrz-eval, seeds 1-60; `node --import tsx test/mrz-eval/tune.ts`): every wrong
 * reading there had a protected posterior <= 0.42 (right ones >= 0.57). The posterior must be 0.7, not just
 * above the wrong ones: a reading barely more likely than all other valid readings together is a guess (the
 * first evaluation run, at 0.5, accepted one wrong alphanumeric document number at 0.52). Names and codes have no check digit:
 * a symbol must hold at least 0.6 of its position's grammar-allowed probability, so a near coin flip between
 * two letters (0.53 against 0.47) is refused; right readings there went down to 0.50, wrong ones (shifted
 * names, misread codes) reached 0.61, also refused by their posterior. Corrections are mostly a digit 0 read
 * where the grammar demands the letter O; they are no sign of doubt.
 */
export const PADDLE_MRZ_DECODE_OPTIONS: MrzDecodeOptions = {
  minProtectedPosterior: 0.7,
  minUnprotectedConfidence: 0.6,
  minCompositeOnlyConfidence: 0.6,
  minSymbolProbability: 0.001,
  maxCorrections: 6,
};

/**
 * Decodes the block: each line's CTC posteriors are aligned to the format's line length (per-position symbol
 * probabilities, mrz-alignment.ts), then the grammar-constrained decoder (domain/mrz-decoding.ts) picks the
 * most probable reading that satisfies every check digit, or refuses one it is not sure of. Check digits
 * protect numbers and dates; names and country codes rest on the per-character confidence threshold.
 * When the first recognition is refused, differently sampled recognitions of the same boxes are added and the
 * probabilities averaged (more evidence, one decision on it), never a vote between separately decoded texts.
 */
async function decodeBlock(
  models: OcrModels,
  image: RgbImage,
  format: MrzReadResult['format'],
  first: RecognizedLine[],
  boxes: TextLineBox[],
  options: MrzDecodeOptions,
): Promise<MrzReadResult | MrzReadFailure> {
  const length = MRZ_LAYOUT[format].length;
  const shapes = classifyBlock(image, boxes, length);
  const samplings: Array<Array<Float64Array[] | null>> = [first.map((line) => fitLine(line, length))];
  let refusal: MrzReadFailure = 'length_mismatch';
  for (let attempt = 0; attempt <= VARIANT_HEIGHTS.length; attempt++) {
    if (attempt > 0) {
      const factor = VARIANT_HEIGHTS[attempt - 1] as number;
      const lines: Array<Float64Array[] | null> = [];
      for (const box of boxes)
        lines.push(fitLine(await recognizeLine(models, image, { ...box, height: box.height * factor }), length));
      samplings.push(lines);
    }
    const probabilities = boxes.map((_, i) => averageRows(samplings.map((s) => s[i] ?? null)));
    if (probabilities.some((rows) => rows === null)) continue;
    const fused = weighByShape(splitOAndZeroByShape(probabilities as Float64Array[][], shapes), shapes);
    const decoded = decodeMrz(format, fused, options);
    if (!decoded.ok) {
      refusal = decoded.refusal === 'wrong_shape' ? 'length_mismatch' : decoded.refusal;
      continue;
    }
    const { lines, unprotectedConfidence, protectedPosterior, compositeOnlyConfidence, corrections } = decoded.read;
    const checkDigits = checkDigitsOf(format, lines);
    return {
      format,
      lines,
      checkDigits,
      unprotectedConfidence,
      protectedPosterior,
      compositeOnlyConfidence,
      corrections,
    };
  }
  return refusal;
}

/** Position-wise mean of the samplings that fitted the line; null when none did. */
function averageRows(samplings: Array<Float64Array[] | null>): Float64Array[] | null {
  const fitted = samplings.filter((s): s is Float64Array[] => s !== null);
  const firstFit = fitted[0];
  if (!firstFit) return null;
  return firstFit.map((_, position) => {
    const row = new Float64Array(firstFit[position]?.length ?? 0);
    for (const rows of fitted) {
      const r = rows[position] as Float64Array;
      for (let s = 0; s < row.length; s++) row[s] = (row[s] as number) + (r[s] as number) / fitted.length;
    }
    return row;
  });
}

function fitLine(line: RecognizedLine | undefined, length: number): Float64Array[] | null {
  return line?.posteriors ? linePositionProbabilities(line.posteriors, length) : null;
}
