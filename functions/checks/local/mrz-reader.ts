import { checkDigitsOf, MRZ_LAYOUT } from '../../domain/mrz';
import { decodeMrz, type MrzDecodeOptions } from '../../domain/mrz-decoding';
import { resizeImage, type RgbImage } from './image';
import { expectedSlots, linePositionProbabilities, textSpan } from './mrz-alignment';
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
    for (const [i, b] of out.entries()) out[i] = stackedOn(anchor, b);
  }
  return out;
}

/** Whether `b` lies on `line`'s row within its extent (a piece of the same line found separately). */
export function coveredBy(line: TextLineBox, b: TextLineBox): boolean {
  if (b === line) return false;
  const cos = Math.cos(line.angle);
  const sin = Math.sin(line.angle);
  const dx = b.cx - line.cx;
  const dy = b.cy - line.cy;
  const u = dx * cos + dy * sin;
  const v = -dx * sin + dy * cos;
  return Math.abs(v) < 0.5 * line.height && Math.abs(u) + b.width / 2 <= line.width / 2 + 0.5 * line.height;
}

/**
 * `b` with the right edge of `anchor` when it is a shorter line stacked under or over it with the same left
 * edge and height (a line of the same MRZ block); `b` itself otherwise.
 */
export function stackedOn(anchor: TextLineBox, b: TextLineBox, keepAngle = false): TextLineBox {
  if (b === anchor || b.width >= anchor.width) return b;
  const cos = Math.cos(anchor.angle);
  const sin = Math.sin(anchor.angle);
  const anchorLeft = -anchor.width / 2;
  const dx = b.cx - anchor.cx;
  const dy = b.cy - anchor.cy;
  const u = dx * cos + dy * sin;
  const v = -dx * sin + dy * cos;
  const left = u - b.width / 2;
  const stacked = Math.abs(v) > 0.8 * anchor.height && Math.abs(v) < 3.2 * anchor.height;
  const aligned = Math.abs(left - anchorLeft) < 1.5 * anchor.height;
  if (!stacked || !aligned || Math.abs(b.height - anchor.height) > 0.5 * anchor.height) return b;
  const right = anchor.width / 2;
  if (keepAngle) {
    // Along the box's own direction (lines of a photographed block converge): to where the anchor's end projects.
    const ex = anchor.cx + right * cos;
    const ey = anchor.cy + right * sin;
    const bcos = Math.cos(b.angle);
    const bsin = Math.sin(b.angle);
    const leftX = b.cx - (b.width / 2) * bcos;
    const leftY = b.cy - (b.width / 2) * bsin;
    const width = (ex - leftX) * bcos + (ey - leftY) * bsin;
    if (width <= b.width) return b;
    return { ...b, width, cx: leftX + (width / 2) * bcos, cy: leftY + (width / 2) * bsin };
  }
  const mid = (left + right) / 2;
  // Keep the box's own perpendicular offset; take the anchor's extent along the line.
  return {
    ...b,
    cx: anchor.cx + mid * cos - v * sin,
    cy: anchor.cy + mid * sin + v * cos,
    width: right - left,
    angle: anchor.angle,
  };
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
  /** Per line: whether its box was made longer than detected (a probe of its filler tail, or stacked on one). */
  extended: boolean[];
  /** Number of long text lines recognized. */
  linesRead: number;
}

/** A text line read during the block search, with its box. */
type Placed = PlacedLine & { box: TextLineBox };

/**
 * Height of the boxes of the second search, as a share of the detected height. The detector's boxes are grown
 * around the text core by a fixed share of their size (ocr.ts, unclip); on a turned or slanted document the core
 * of an MRZ line comes out thick and its grown box reaches into the neighbouring MRZ line (one to 1.5 glyph
 * heights away), and the recognizer then reads glyphs of both lines (doubled letters, 45-50 glyphs instead of
 * 36). Measured on the tuning part of test/mrz-eval (seeds 145, 168, 287): 0.6 to 0.7 of the height reads
 * those lines cleanly, 0.9 does not.
 */
const TIGHT_HEIGHT = 0.65;

/**
 * Finds the MRZ block on one image (bottom-up), or null with the number of lines read. When the detected
 * boxes give no block, the search is run once more on the same boxes cut to {@link TIGHT_HEIGHT}: a block
 * found either way is decoded under the same check digits and thresholds.
 */
export async function locateMrzBlock(
  models: OcrModels,
  source: RgbImage,
): Promise<LocatedMrzBlock | { linesRead: number }> {
  let image = source;
  if (image.width < MIN_OCR_WIDTH) {
    const factor = MIN_OCR_WIDTH / image.width;
    image = await resizeImage(image, MIN_OCR_WIDTH, Math.round(image.height * factor));
  }
  const detected = alignStacks(mergeCollinear(await detectTextLines(models, image)));
  const first = await searchMrzBlock(models, image, detected);
  if ('format' in first) return first;
  const tight = detected.map((b) => ({ ...b, height: b.height * TIGHT_HEIGHT }));
  const second = await searchMrzBlock(models, image, tight);
  return 'format' in second ? second : { linesRead: first.linesRead + second.linesRead };
}

/** The bottom-up search of {@link locateMrzBlock} over one set of line boxes. */
async function searchMrzBlock(
  models: OcrModels,
  image: RgbImage,
  boxes: readonly TextLineBox[],
): Promise<LocatedMrzBlock | { linesRead: number }> {
  const lineY = (box: TextLineBox) => -box.cx * Math.sin(box.angle) + box.cy * Math.cos(box.angle);
  // The MRZ sits at the bottom of the page: read bottom-up and stop at the first complete MRZ block.
  let pending = boxes.slice().sort((a, b) => lineY(b) - lineY(a));
  // MRZ lines are long (>= 30 glyphs) and span a good part of the document width; a line whose filler tail
  // the detection missed is shorter (see probeFillerTail), so the bar is lower than a full line.
  const mayBeMrzLine = (b: TextLineBox) => b.width / b.height > MIN_LINE_ASPECT && b.width > image.width * 0.12;
  const placed: Placed[] = [];
  // Boxes this search made longer than detected (probes, lines stacked on them): once the block's format is
  // known they are cut back to the line (fitBoxToLength), since what lies past an MRZ line is not part of it.
  const extended = new Set<TextLineBox>();
  const stackOn = (anchor: TextLineBox, b: TextLineBox) => {
    const out = stackedOn(anchor, b, true);
    if (out !== b) extended.add(out);
    return out;
  };
  let block: ReturnType<typeof findMrzBlock> = null;
  for (let candidate = pending.shift(); candidate; candidate = pending.shift()) {
    if (!mayBeMrzLine(candidate)) continue;
    // A piece of a line already read (a filler run detected on its own) is no line of its own.
    if (placed.some((p) => coveredBy(p.box, candidate))) continue;
    // Sequential on purpose: onnxruntime already uses both cores within one run.
    const first = await recognizeLine(models, image, candidate);
    const { line, box } = await probeFillerTail(models, image, candidate, first);
    // A line found longer than detected: the lines stacked on it (same block) get its right end too.
    if (box !== candidate) {
      extended.add(box);
      pending = pending.map((b) => stackOn(box, b));
    }
    // Pieces of this line read before it are dropped.
    for (let i = placed.length - 1; i >= 0; i--) if (coveredBy(box, (placed[i] as Placed).box)) placed.splice(i, 1);
    // Lines already read that are stacked on a full MRZ line but stopped short are read again at its length.
    if (line.text.includes('<') && box.width / box.height >= 12) {
      for (const p of placed) {
        const longer = stackOn(box, p.box);
        if (longer === p.box) continue;
        const again = await recognizeLine(models, image, longer);
        if (again.text.length > p.line.text.length)
          Object.assign(p, { line: again, box: longer, height: longer.height });
      }
    }
    placed.push({ line, y: lineY(box), height: box.height, box });
    block = findMrzBlock(placed);
    if (block) break;
  }
  if (!block) return { linesRead: placed.length };
  const blockBoxes = block.lines.map((l) => placed.find((p) => p.line === l)?.box as TextLineBox);
  return {
    format: block.format,
    lines: block.lines,
    boxes: blockBoxes,
    extended: blockBoxes.map((b) => extended.has(b)),
    image,
    linesRead: placed.length,
  };
}

/** Lowest length/height ratio of a text box read as a possible MRZ line (a 30-glyph line is ~20). */
const MIN_LINE_ASPECT = 5;
/** Line lengths of the formats: a line read at one of them (give or take one) is taken as complete. */
const FULL_LENGTHS = [30, 36, 44];
/** How far a probe reaches: the longest line (44) and a margin, in glyphs from the line's first character. */
const PROBE_GLYPHS = 46;

/** Moves the right end of `box` to `end` time steps of `line`'s recognition from its left end. */
function withRightEnd(box: TextLineBox, steps: number, end: number): TextLineBox {
  const stepPx = box.width / steps;
  const width = Math.max(box.height, end * stepPx);
  const shift = (width - box.width) / 2;
  return {
    ...box,
    width,
    cx: box.cx + shift * Math.cos(box.angle),
    cy: box.cy + shift * Math.sin(box.angle),
  };
}

/**
 * Text detection often stops where a long filler run starts (`<<<<` has little ink), so a line ending in
 * fillers may be shorter than any MRZ line and hide what follows the run (TD1 line 2 ends in the composite
 * check digit; TD3 line 2 in two digits). Such a line is read again in a box reaching the longest MRZ line's
 * length at the line's own glyph pitch; what lies beyond the document's edge is cut again once the block's
 * format is known ({@link fitBoxToLength}).
 */
async function probeFillerTail(
  models: OcrModels,
  image: RgbImage,
  box: TextLineBox,
  line: RecognizedLine,
): Promise<{ line: RecognizedLine; box: TextLineBox }> {
  const complete = FULL_LENGTHS.some((n) => Math.abs(line.text.length - n) <= 1);
  if (complete || !line.text.includes('<') || !line.posteriors) return { line, box };
  const span = textSpan(line.posteriors);
  if (!span) return { line, box };
  const end = span.start + PROBE_GLYPHS * span.pitch;
  if (end <= span.steps) return { line, box };
  const probe = withRightEnd(box, span.steps, end);
  const longer = await recognizeLine(models, image, probe);
  return longer.text.length > line.text.length ? { line: longer, box: probe } : { line, box };
}

/**
 * The box of one block line with its right end where a line of `length` glyphs ends (at the line's own pitch,
 * plus 0.6 glyph of margin), or null when the box already fits: the box stopped short of the line (the
 * alignment would otherwise have to assume fillers there, and TD1/TD3 lines end in check digits), or a box
 * this reader extended (`extendedBox`: a probe) runs on past the line's end (whatever lies beyond an MRZ line
 * is not part of it; a box as detected is not cut: its pitch may be measured on stray marks before the line).
 * Only the geometry decides: a character read twice inside the line does not move the cut.
 */
export function fitBoxToLength(
  box: TextLineBox,
  line: RecognizedLine,
  length: number,
  extendedBox: boolean,
): TextLineBox | null {
  if (!line.posteriors) return null;
  const span = textSpan(line.posteriors);
  if (!span) return null;
  const end = span.start + (length + 0.6) * span.pitch;
  const expected = expectedSlots(line.posteriors, length);
  // Fillers missing at the end of a box that holds the whole line's length were merged, not cut off.
  const cutShort = expected !== null && expected.beyond > 0 && end > span.steps;
  const runsOn = extendedBox && end < span.steps - 1.5 * span.pitch;
  if (!cutShort && !runsOn) return null;
  return withRightEnd(box, span.steps, end);
}

/** Reads the MRZ of one image; `not_found` when no MRZ-shaped block is present. */
export async function readMrz(
  models: OcrModels,
  source: RgbImage,
  options: MrzDecodeOptions = PADDLE_MRZ_DECODE_OPTIONS,
): Promise<MrzImageRead> {
  const located = await locateMrzBlock(models, source);
  if (!('format' in located)) return { result: 'not_found', linesRead: located.linesRead };
  const { image, format, lines, boxes, extended, linesRead } = located;
  return { result: await decodeBlock(models, image, format, lines, boxes, extended, options), linesRead };
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
  firstRead: RecognizedLine[],
  located: TextLineBox[],
  extended: boolean[],
  options: MrzDecodeOptions,
): Promise<MrzReadResult | MrzReadFailure> {
  const length = MRZ_LAYOUT[format].length;
  // Lines whose box stopped short of the line's end are read again in a box of the line's length. A box this
  // reader extended past the line's end keeps its reading, cut after the line's last glyph: read again in a
  // shorter box, the recognizer (which looks at the whole line at once) may read the same glyphs differently.
  const first = firstRead.slice();
  const boxes = located.slice();
  const cellBoxes = located.slice();
  const kept: Array<number | null> = located.map(() => null);
  for (const [i, box] of boxes.entries()) {
    const line = first[i] as RecognizedLine;
    const fitted = fitBoxToLength(box, line, length, extended[i] === true);
    if (!fitted) continue;
    if (fitted.width < box.width) {
      kept[i] = fitted.width / box.width;
      first[i] = keepShare(line, fitted.width / box.width);
      cellBoxes[i] = fitted;
      continue;
    }
    const again = await recognizeLine(models, image, fitted);
    if (fitLine(again, length) === null && fitLine(line, length) !== null) continue;
    first[i] = again;
    boxes[i] = fitted;
    cellBoxes[i] = fitted;
  }
  const shapes = classifyBlock(image, cellBoxes, length);
  const samplings: Array<Array<Float64Array[] | null>> = [first.map((line) => fitLine(line, length))];
  let refusal: MrzReadFailure = 'length_mismatch';
  for (let attempt = 0; attempt <= VARIANT_HEIGHTS.length; attempt++) {
    if (attempt > 0) {
      const factor = VARIANT_HEIGHTS[attempt - 1] as number;
      const lines: Array<Float64Array[] | null> = [];
      for (const [i, box] of boxes.entries()) {
        const again = await recognizeLine(models, image, { ...box, height: box.height * factor });
        lines.push(fitLine(keepShare(again, kept[i] ?? 1), length));
      }
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

/** The line's reading over the first `share` of its time steps (all of them at 1). */
function keepShare(line: RecognizedLine, share: number): RecognizedLine {
  const posteriors = line.posteriors;
  if (!posteriors || share >= 1) return line;
  const steps = Math.ceil(posteriors.symbols.length * share);
  return {
    ...line,
    posteriors: {
      symbols: posteriors.symbols.slice(0, steps),
      blank: posteriors.blank.slice(0, steps),
      other: posteriors.other.slice(0, steps),
    },
  };
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
