import { alignLine, linePositionProbabilities } from '../../functions/checks/local/mrz-alignment';
import { PADDLE_MRZ_DECODE_OPTIONS } from '../../functions/checks/local/mrz-reader';
import { MRZ_ALPHABET, type LinePosteriors } from '../../functions/checks/local/ocr';
import { decodeMrz } from '../../functions/domain/mrz-decoding';
import { MRZ_LAYOUT, type MrzFormat } from '../../functions/domain/mrz';

/**
 * The PaddleOCR reader's decoding path without the models: CTC posteriors (as the recognizer gives them) are
 * aligned to the MRZ line length (functions/checks/local/mrz-alignment.ts) and decoded with the grammar and
 * the check digits under the reader's thresholds. The posteriors are built the way the recognizer emits them:
 * one peak time step per glyph, blanks between, a glyph every PITCH steps.
 */

const UTO_TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const PITCH = 4;

/** One time step: `probs` over MRZ symbols, the rest blank. */
type Step = Record<string, number>;

/** A peak per glyph (the glyph at `p`, the rest blank), `PITCH - 1` blank steps after each. */
function stepsOf(text: string, p = 0.95): Step[] {
  return [...text].flatMap((ch) => [{ [ch]: p }, ...Array.from({ length: PITCH - 1 }, () => ({}))]);
}

function posteriorsOf(steps: Step[]): LinePosteriors {
  const symbols = steps.map((step) => {
    const scores = new Float32Array(MRZ_ALPHABET.length).fill(0.0005);
    for (const [ch, p] of Object.entries(step)) scores[MRZ_ALPHABET.indexOf(ch)] = p;
    return scores;
  });
  const mass = symbols.map((s) => s.reduce((a, b) => a + b, 0));
  return {
    symbols,
    blank: Float32Array.from(mass, (m) => Math.max(0.001, 1 - m - 0.002)),
    other: Float32Array.from(mass, () => 0.002),
  };
}

function decodeSteps(format: MrzFormat, lines: Step[][]) {
  const rows = lines.map((steps) => linePositionProbabilities(posteriorsOf([{}, ...steps]), MRZ_LAYOUT[format].length));
  if (rows.some((r) => r === null)) return null;
  return decodeMrz(format, rows as Float64Array[][], PADDLE_MRZ_DECODE_OPTIONS);
}

function expectExact(result: ReturnType<typeof decodeSteps>, lines: string[]): void {
  if (!result) throw new Error('line not fitted');
  if (!result.ok) throw new Error(`refused: ${result.refusal} ${result.detail}`);
  expect(result.read.lines).toEqual(lines);
}

describe('alignLine (CTC posteriors to a fixed number of characters)', () => {
  it('gives sharp distributions where every glyph has its peak', () => {
    const rows = alignLine(posteriorsOf([{}, ...stepsOf('AB<<12')]), 6);
    expect(rows?.map((r) => MRZ_ALPHABET[r.indexOf(Math.max(...r))]).join('')).toBe('AB<<12');
    for (const row of rows ?? []) expect(Math.max(...row)).toBeGreaterThan(0.95);
  });

  it('refuses a length the time steps cannot hold', () => {
    expect(alignLine(posteriorsOf(stepsOf('AB')), 20)).toBeNull();
  });
});

describe('PaddleOCR reader decoding (aligned posteriors + grammar-constrained decoder)', () => {
  it('reads a clean TD3 exactly', () => {
    expectExact(
      decodeSteps(
        'TD3',
        UTO_TD3.map((l) => stepsOf(l)),
      ),
      UTO_TD3,
    );
  });

  it('splits a filler run the recognizer emitted as one long glyph (<< without a blank between)', () => {
    const line = stepsOf(UTO_TD3[0] as string);
    // Glyphs 14 and 15 are "<<": one continuous run of filler over both cells.
    for (let t = 13 * PITCH; t < 15 * PITCH; t++) line[t] = { '<': 0.95 };
    expectExact(decodeSteps('TD3', [line, stepsOf(UTO_TD3[1] as string)]), UTO_TD3);
  });

  it('keeps one glyph that the recognizer read twice a step apart', () => {
    const line = stepsOf(UTO_TD3[0] as string);
    line[6 * PITCH + 1] = { S: 0.9 }; // "ERIKSSON": the first S peaks again one step later
    expectExact(decodeSteps('TD3', [line, stepsOf(UTO_TD3[1] as string)]), UTO_TD3);
  });

  it('repairs a date digit by the check digit when the recognizer hesitated', () => {
    const line = stepsOf(UTO_TD3[1] as string);
    line[13 * PITCH] = { '1': 0.55, '7': 0.4 }; // birth date 740812 read as 140812 at 55 %
    expectExact(decodeSteps('TD3', [stepsOf(UTO_TD3[0] as string), line]), UTO_TD3);
  });

  it('reads a letter O seen as the digit 0 in a letter-only field', () => {
    const line = stepsOf(UTO_TD3[0] as string);
    line[11 * PITCH] = { '0': 0.9, O: 0.05 }; // ERIKSS0N
    expectExact(decodeSteps('TD3', [line, stepsOf(UTO_TD3[1] as string)]), UTO_TD3);
  });

  it('refuses a name glyph the recognizer lost instead of inventing it', () => {
    const line = stepsOf(UTO_TD3[0] as string);
    line[16 * PITCH] = { N: 0.02, M: 0.02, H: 0.015 }; // "ANNA": the first N all but lost in the blank
    const result = decodeSteps('TD3', [line, stepsOf(UTO_TD3[1] as string)]);
    expect(result?.ok).toBe(false);
  });

  it('refuses a name glyph read between two letters', () => {
    const line = stepsOf(UTO_TD3[0] as string);
    line[20 * PITCH] = { M: 0.45, N: 0.4 }; // "MARIA" or "NARIA"
    const result = decodeSteps('TD3', [line, stepsOf(UTO_TD3[1] as string)]);
    expect(result).toMatchObject({ ok: false, refusal: 'low_confidence' });
  });

  it('refuses a protected field whose digit no reading can make valid', () => {
    const line = stepsOf(UTO_TD3[1] as string);
    line[9 * PITCH] = { '5': 0.97 }; // document number check digit 6 -> 5, seen clearly: tampered or misprinted
    const result = decodeSteps('TD3', [stepsOf(UTO_TD3[0] as string), line]);
    expect(result?.ok).toBe(false);
  });

  it('cannot fit a line with a character too many inside it', () => {
    const text = `${(UTO_TD3[1] as string).slice(0, 20)}7${(UTO_TD3[1] as string).slice(20)}`;
    expect(linePositionProbabilities(posteriorsOf(stepsOf(text)), 44)).toBeNull();
  });

  it('does not drop a tail filler to make room for a letter read twice in the name (that shifts the name)', () => {
    const doubled = `P<UTOERIKSSSON<<ANNA<MARIA${'<'.repeat(19)}`; // 45 glyphs: one S too many
    expect(linePositionProbabilities(posteriorsOf([{}, ...stepsOf(doubled)]), 44)).toBeNull();
  });
});
