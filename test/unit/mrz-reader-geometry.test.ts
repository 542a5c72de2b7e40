import { coveredBy, fitBoxToLength, stackedOn } from '../../functions/checks/local/mrz-reader';
import { MRZ_ALPHABET, type RecognizedLine, type TextLineBox } from '../../functions/checks/local/ocr';

/**
 * The MRZ reader's box geometry without the models: a line box cut short of its filler tail (or running past the
 * line's end) is refitted to the format's length at the line's own glyph pitch; pieces of a line found separately
 * are recognized as covered; a line stacked on a longer one of the same block gets its right end.
 */

const PITCH = 4;
/** Source pixels per recognizer time step in these boxes. */
const STEP_PX = 2;

/** A recognized line whose posteriors hold one peak per glyph every PITCH steps (blank elsewhere), `tail` blank steps after. */
function lineOf(text: string, tail = 0, peakGap: (i: number) => number = () => PITCH): RecognizedLine {
  const symbols: Float32Array[] = [];
  const blank: number[] = [];
  const push = (ch: string | null) => {
    const scores = new Float32Array(MRZ_ALPHABET.length).fill(0.0005);
    if (ch) scores[MRZ_ALPHABET.indexOf(ch)] = 0.95;
    symbols.push(scores);
    blank.push(ch ? 0.03 : 0.97);
  };
  push(null);
  [...text].forEach((ch, i) => {
    push(ch);
    for (let k = 1; k < peakGap(i); k++) push(null);
  });
  for (let k = 0; k < tail; k++) push(null);
  return {
    text,
    chars: [],
    rawText: text,
    posteriors: { symbols, blank: Float32Array.from(blank), other: new Float32Array(symbols.length).fill(0.002) },
  };
}

/** A horizontal box (left edge at x = 100) holding `line`'s time steps. */
function boxOf(line: RecognizedLine, y = 200, angle = 0): TextLineBox {
  const width = (line.posteriors?.symbols.length ?? 0) * STEP_PX;
  return { cx: 100 + width / 2, cy: y, width, height: 12, angle, score: 0.9 };
}

const leftOf = (b: TextLineBox) => b.cx - (b.width / 2) * Math.cos(b.angle);

describe('fitBoxToLength', () => {
  it('extends a box that stopped before the filler tail to the whole line, keeping its left end', () => {
    const line = lineOf('IDUTOD23145890<<<<<<<<<<<');
    const box = boxOf(line);
    const fitted = fitBoxToLength(box, line, 30, false);
    expect(fitted).not.toBeNull();
    // First glyph at step 1, half a pitch before it the text starts: 30.6 pitches from there.
    expect(fitted?.width).toBeCloseTo((1 - PITCH / 2 + 30.6 * PITCH) * STEP_PX, 5);
    expect(leftOf(fitted as TextLineBox)).toBeCloseTo(leftOf(box), 5);
  });

  it('does not shorten a box long enough for the line whose filler run was read short (merged fillers)', () => {
    const line = lineOf('IDUTOD23145890<<<<<<<<<<<<<<<', 12);
    expect(fitBoxToLength(boxOf(line), line, 30, false)).toBeNull();
  });

  it('leaves a box that holds the whole line alone', () => {
    const line = lineOf('IDUTOD23145890<<<<<<<<<<<<<<<<');
    expect(fitBoxToLength(boxOf(line), line, 30, true)).toBeNull();
  });

  it('cuts a box it extended (a probe) that runs on past the line end back to the line', () => {
    const line = lineOf('IDUTOD23145890<<<<<<<<<<<<<<<<NV', 20);
    const fitted = fitBoxToLength(boxOf(line), line, 30, true);
    expect(fitted?.width).toBeCloseTo((1 - PITCH / 2 + 30.6 * PITCH) * STEP_PX, 5);
  });

  it('does not cut a box as detected (its pitch may be measured on stray marks)', () => {
    const line = lineOf('IDUTOD23145890<<<<<<<<<<<<<<<<NV', 20);
    expect(fitBoxToLength(boxOf(line), line, 30, false)).toBeNull();
  });

  it('does not cut a line because a glyph inside it was read twice (the cut is geometric)', () => {
    // 31 peaks: the 6th glyph shows twice (D, then 0 one step later); the line still spans 30 pitches.
    const line = lineOf('IDUTOD023145890<<<<<<<<<<<<<<<<', 0, (i) => (i === 5 ? 1 : i === 6 ? PITCH - 1 : PITCH));
    expect(line.text).toHaveLength(31);
    expect(fitBoxToLength(boxOf(line), line, 30, true)).toBeNull();
  });

  it('gives up on a line too short to measure its pitch', () => {
    const line = lineOf('ID<<');
    expect(fitBoxToLength(boxOf(line), line, 30, true)).toBeNull();
  });
});

describe('coveredBy and stackedOn', () => {
  const full: TextLineBox = { cx: 400, cy: 300, width: 600, height: 20, angle: 0, score: 0.9 };

  it('sees a piece of the same line as covered, and a line above as not', () => {
    expect(coveredBy(full, { cx: 600, cy: 302, width: 150, height: 12, angle: 0, score: 0.9 })).toBe(true);
    expect(coveredBy(full, { cx: 600, cy: 340, width: 150, height: 20, angle: 0, score: 0.9 })).toBe(false);
    expect(coveredBy(full, { cx: 800, cy: 300, width: 150, height: 20, angle: 0, score: 0.9 })).toBe(false);
  });

  it('extends a shorter line stacked on a full one, left-aligned, along its own direction', () => {
    const short: TextLineBox = { cx: 250, cy: 260, width: 300, height: 20, angle: 0.02, score: 0.9 };
    const extended = stackedOn(full, short, true);
    expect(extended.angle).toBe(0.02);
    expect(leftOf(extended)).toBeCloseTo(leftOf(short), 5);
    // Its right end reaches where the full line's right end projects onto its own direction.
    expect(leftOf(extended) + extended.width * Math.cos(0.02)).toBeCloseTo(700, -1);
  });

  it('leaves lines that are not stacked on it (other rows, other left edge) alone', () => {
    const far: TextLineBox = { cx: 250, cy: 100, width: 300, height: 20, angle: 0, score: 0.9 };
    const indented: TextLineBox = { cx: 450, cy: 260, width: 300, height: 20, angle: 0, score: 0.9 };
    expect(stackedOn(full, far, true)).toBe(far);
    expect(stackedOn(full, indented, true)).toBe(indented);
  });
});
