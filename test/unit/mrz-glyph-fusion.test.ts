import { lineAgreement, splitOAndZeroByShape, weighByShape } from '../../functions/checks/local/mrz-glyph-fusion';
import { MRZ_SYMBOLS } from '../../functions/domain/mrz-decoding';

/** The O/0 split from the OCR-B glyph classifier (functions/checks/local/mrz-glyph-fusion.ts). */

function row(values: Record<string, number>): Float64Array {
  const out = new Float64Array(MRZ_SYMBOLS.length).fill(1e-4);
  for (const [ch, p] of Object.entries(values)) out[MRZ_SYMBOLS.indexOf(ch)] = p;
  return out;
}
const f32 = (r: Float64Array) => Float32Array.from(r);
const p = (r: ArrayLike<number>, ch: string) => r[MRZ_SYMBOLS.indexOf(ch)] as number;

/** A line `text` read confidently by both recognizers. */
const line = (text: string) => [...text].map((ch) => row({ [ch]: 0.98 }));

describe('splitOAndZeroByShape', () => {
  const text = 'NO3HX1<<<<<<<<<<<<<<';

  it("keeps PaddleOCR's O-or-0 mass and splits it by the classifier's shape ratio", () => {
    const paddle = line(text);
    paddle[1] = row({ '0': 0.97, O: 0.02 }); // PaddleOCR reads the letter O among digits as 0
    const shapes = line(text).map(f32);
    shapes[1] = f32(row({ O: 0.8, '0': 0.2 }));
    const [fused] = splitOAndZeroByShape([paddle], [shapes]);
    const r = (fused as Float64Array[])[1] as Float64Array;
    expect(p(r, 'O')).toBeCloseTo(0.99 * 0.8, 6);
    expect(p(r, '0')).toBeCloseTo(0.99 * 0.2, 6);
    expect(p(r, 'N')).toBeCloseTo(1e-4, 8);
  });

  it('never makes the split certain', () => {
    const paddle = line(text);
    const shapes = line(text).map(f32);
    shapes[1] = f32(row({ O: 0.9999 }));
    const r = (splitOAndZeroByShape([paddle], [shapes])[0] as Float64Array[])[1] as Float64Array;
    expect(p(r, '0') / (p(r, 'O') + p(r, '0'))).toBeCloseTo(0.03, 6);
  });

  it('leaves a line alone when its glyph cells do not line up with the reading (a shifted grid)', () => {
    const paddle = line(text);
    paddle[1] = row({ '0': 0.97, O: 0.02 });
    const shifted = line(`${text.slice(1)}<`).map(f32); // every cell holds its neighbour's glyph
    shifted[1] = f32(row({ O: 0.9 }));
    expect(lineAgreement(paddle, shifted)).toBeLessThan(0.85);
    expect(splitOAndZeroByShape([paddle], [shifted])[0]).toBe(paddle);
  });

  it('leaves positions where either recognizer sees no O-like glyph, and lines without cells', () => {
    const paddle = line(text);
    paddle[2] = row({ '3': 0.6, '0': 0.3 });
    const shapes = line(text).map(f32);
    shapes[2] = f32(row({ O: 0.4, '3': 0.5 }));
    const fused = splitOAndZeroByShape([paddle, line(text)], [shapes, null]);
    expect((fused[0] as Float64Array[])[2]).toBe(paddle[2]);
    expect(fused[1]).toEqual(line(text));
  });
});

describe('weighByShape', () => {
  const text = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';

  it("settles PaddleOCR's hesitation with the glyph's shape, keeping the row's total", () => {
    const paddle = line(text);
    paddle[12] = row({ '0': 0.45, O: 0.1, U: 0.4 }); // UTO: an unsure O (O-or-0 0.55) against U
    paddle[11] = row({ T: 0.5, '7': 0.45 });
    const shapes = line(text).map(f32);
    shapes[11] = f32(row({ T: 0.9, '7': 0.05 }));
    const fused = weighByShape([paddle], [shapes])[0] as Float64Array[];
    const t = fused[11] as Float64Array;
    expect(p(t, 'T') / p(t, '7')).toBeGreaterThan(3);
    expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(paddle[11]?.reduce((a, b) => a + b, 0) ?? 0, 9);
    // O and 0 are weighed as one: their split stays PaddleOCR's (splitOAndZeroByShape sets it).
    const o = fused[12] as Float64Array;
    expect(p(o, 'O') / p(o, '0')).toBeCloseTo(0.1 / 0.45, 9);
  });

  it('does not let one misjudged glyph overturn a confident reading', () => {
    const paddle = line(text);
    const shapes = line(text).map(f32);
    shapes[3] = f32(row({ '3': 0.97 })); // the classifier sees 3 where PaddleOCR is sure of 8
    const fused = weighByShape([paddle], [shapes])[0] as Float64Array[];
    expect(p(fused[3] as Float64Array, '8')).toBeGreaterThan(0.9);
  });

  it('leaves a line whose cells do not line up with the reading', () => {
    const paddle = line(text);
    const shifted = line(`${text.slice(1)}<`).map(f32);
    expect(weighByShape([paddle], [shifted])[0]).toBe(paddle);
  });
});
