import { MRZ_SYMBOLS } from '../../domain/mrz-decoding';
import type { RgbImage } from './image';
import { classifyGlyph, shippedGlyphNetwork, type GlyphNetwork } from './mrz-glyph-classifier';
import { extractCells } from './mrz-glyphs';
import type { TextLineBox } from './ocr';

/**
 * The letter O and the digit 0, told apart by the OCR-B glyph classifier instead of PaddleOCR.
 *
 * OCR-B draws them differently on purpose (a round O, a narrow 0), but PaddleOCR's general recognizer does not
 * look at that: it reads the pair from the context it was trained on, so the letter O among digits comes out
 * as 0 with a probability of 0.98 (measured on the tuning part of test/mrz-eval). Check digits can repair that
 * in a document number, but not where only the composite digit covers the character (TD1/TD2 optional data:
 * the decoder refuses such repairs), and every repair costs posterior. The glyph classifier
 * (mrz-glyph-classifier.ts, trained on OCR-B) looks at the shape: per position, PaddleOCR's probability of
 * "O or 0" is kept and split between the two by the classifier's ratio.
 *
 * Only for lines whose glyph cells line up with PaddleOCR's reading: the cells are cut by the ink profile
 * (mrz-glyphs.ts), and a grid shifted by a glyph would hand each position its neighbour's shape. A line is
 * used only when the classifier's best symbol agrees with PaddleOCR's at most positions (O and 0 counted as
 * one), and a position only when both see an O-like glyph there.
 */

const O = MRZ_SYMBOLS.indexOf('O');
const ZERO = MRZ_SYMBOLS.indexOf('0');

/** Lowest share of positions where the two recognizers agree for a line's cells to count as aligned. */
export const MIN_LINE_AGREEMENT = 0.85;
/** Lowest probability of "O or 0" in both recognizers for a position's split to be replaced. */
const MIN_PAIR_MASS = 0.5;
/** The classifier's split is kept away from certainty: one small model's view of one glyph. */
const SPLIT_FLOOR = 0.03;

/** The OCR-B classifier's probabilities per position of each line (null for a line whose cells were not found). */
export function classifyBlock(
  image: RgbImage,
  boxes: readonly TextLineBox[],
  length: number,
  network: GlyphNetwork = shippedGlyphNetwork(),
): Array<Float32Array[] | null> {
  return boxes.map((box) => {
    const cut = extractCells(image, box, length);
    return cut ? cut.cells.map((cell) => classifyGlyph(network, cell)) : null;
  });
}

function argmaxFolded(dist: ArrayLike<number>): number {
  let best = 0;
  for (let s = 1; s < dist.length; s++) if ((dist[s] ?? 0) > (dist[best] ?? 0)) best = s;
  return best === O ? ZERO : best;
}

/** Share of positions where both recognizers' best symbols agree (O and 0 as one). */
export function lineAgreement(paddle: readonly ArrayLike<number>[], glyphs: readonly ArrayLike<number>[]): number {
  if (paddle.length !== glyphs.length || paddle.length === 0) return 0;
  let same = 0;
  paddle.forEach((row, i) => {
    if (argmaxFolded(row) === argmaxFolded(glyphs[i] as ArrayLike<number>)) same++;
  });
  return same / paddle.length;
}

/**
 * PaddleOCR's per-position probabilities with the O/0 split taken from the glyph classifier where its cells
 * line up with the line (see the module comment). Lines that do not qualify are returned unchanged.
 */
export function splitOAndZeroByShape(
  paddle: readonly Float64Array[][],
  glyphs: ReadonlyArray<Float32Array[] | null>,
): Float64Array[][] {
  return mapAgreeingLines(paddle, glyphs, (row, shape) => {
    const mass = (row[O] as number) + (row[ZERO] as number);
    const shapeMass = (shape[O] as number) + (shape[ZERO] as number);
    if (mass < MIN_PAIR_MASS || shapeMass < MIN_PAIR_MASS) return row;
    const ratio = Math.min(1 - SPLIT_FLOOR, Math.max(SPLIT_FLOOR, (shape[O] as number) / shapeMass));
    const out = Float64Array.from(row);
    out[O] = mass * ratio;
    out[ZERO] = mass * (1 - ratio);
    return out;
  });
}

/**
 * Applies `fuse` to each position's PaddleOCR row and classifier probabilities, on lines whose glyph cells line
 * up with the reading; other lines are returned unchanged.
 */
function mapAgreeingLines(
  paddle: readonly Float64Array[][],
  glyphs: ReadonlyArray<Float32Array[] | null>,
  fuse: (row: Float64Array, shape: Float32Array) => Float64Array,
): Float64Array[][] {
  return paddle.map((rows, l) => {
    const shapes = glyphs[l];
    if (!shapes || lineAgreement(rows, shapes) < MIN_LINE_AGREEMENT) return rows;
    return rows.map((row, i) => fuse(row, shapes[i] as Float32Array));
  });
}

/** Weight of the classifier's vote in {@link weighByShape} (an exponent: 0.5 = a square-root vote). */
const SHAPE_WEIGHT = 0.5;
/** Added to the classifier's probability so that one glyph it misjudges cannot veto PaddleOCR's reading. */
const SHAPE_FLOOR = 0.01;

/**
 * PaddleOCR's per-position probabilities weighed by the glyph classifier's (a product of the two experts, the
 * classifier's vote softened by a square root and a floor) on lines whose cells line up with the reading. O and
 * 0 are weighed together (their split is {@link splitOAndZeroByShape}'s). Each row keeps its total.
 */
export function weighByShape(
  paddle: readonly Float64Array[][],
  glyphs: ReadonlyArray<Float32Array[] | null>,
): Float64Array[][] {
  return mapAgreeingLines(paddle, glyphs, (row, shape) => {
    const out = new Float64Array(row.length);
    let before = 0;
    let after = 0;
    for (let s = 0; s < row.length; s++) {
      const vote = s === O || s === ZERO ? (shape[O] as number) + (shape[ZERO] as number) : (shape[s] as number);
      out[s] = (row[s] as number) * (vote + SHAPE_FLOOR) ** SHAPE_WEIGHT;
      before += row[s] as number;
      after += out[s] as number;
    }
    for (let s = 0; s < out.length; s++) out[s] = ((out[s] as number) * before) / after;
    return out;
  });
}
