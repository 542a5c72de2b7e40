import {
  allowedSymbols,
  DEFAULT_MRZ_DECODE_OPTIONS,
  decodeMrz,
  MRZ_SYMBOLS,
  TEXT_DECODE_OPTIONS,
  textToProbabilities,
} from '../../functions/domain/mrz-decoding';
import { computeCheckDigit, type MrzFormat } from '../../functions/domain/mrz';
import { randomMrz } from '../mrz-eval/documents';

/** Grammar-constrained MRZ decoding (functions/domain/mrz-decoding.ts): repairs, refusals, never a wrong read. */

const UTO_TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const UTO_TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
const DEU_TD1 = ['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<'];
const UTO_TD1_LONG_NUMBER = [
  'I<UTOD23145890<7349<<<<<<<<<<<',
  '3407127M9507122UTO<<<<<<<<<<<2',
  'STEVENSON<<PETER<JOHN<<<<<<<<<',
];

/** Confident probabilities for `lines`: the symbol gets `p`, the rest share 1 - p. */
function confident(lines: readonly string[], p = 0.999): number[][][] {
  return lines.map((line) =>
    [...line].map((ch) => {
      const dist = Array<number>(MRZ_SYMBOLS.length).fill((1 - p) / (MRZ_SYMBOLS.length - 1));
      dist[MRZ_SYMBOLS.indexOf(ch)] = p;
      return dist;
    }),
  );
}

/** Sets the distribution at (line, index) to the given symbol probabilities (others near zero). */
function set(probs: number[][][], line: number, index: number, values: Record<string, number>): void {
  const dist = Array<number>(MRZ_SYMBOLS.length).fill(1e-4);
  for (const [ch, p] of Object.entries(values)) dist[MRZ_SYMBOLS.indexOf(ch)] = p;
  (probs[line] as number[][])[index] = dist;
}

function expectRead(format: MrzFormat, probs: number[][][], expected: readonly string[]): void {
  const result = decodeMrz(format, probs);
  if (!result.ok) throw new Error(`refused: ${result.refusal} ${result.detail}`);
  expect(result.read.lines).toEqual(expected);
}

describe('decodeMrz', () => {
  it.each([
    ['TD3', UTO_TD3],
    ['TD2', UTO_TD2],
    ['TD1', DEU_TD1],
    ['TD1', UTO_TD1_LONG_NUMBER],
  ] as const)('reads a clean %s exactly, with no corrections', (format, lines) => {
    const result = decodeMrz(format, confident(lines));
    if (!result.ok) throw new Error(result.refusal);
    expect(result.read.lines).toEqual(lines);
    expect(result.read.corrections).toEqual([]);
    expect(result.read.protectedPosterior).toBeGreaterThan(0.99);
  });

  it('uses the position grammar: digits in dates, letters in names and codes', () => {
    const probs = confident(UTO_TD3);
    set(probs, 1, 16, { B: 0.7, '8': 0.3 }); // birth date 740812: "B" is no digit
    set(probs, 0, 7, { '1': 0.7, I: 0.3 }); // ERIKSSON: "1" is no letter
    const result = decodeMrz('TD3', probs);
    if (!result.ok) throw new Error(result.refusal);
    expect(result.read.lines).toEqual(UTO_TD3);
    expect(result.read.corrections).toEqual(['1:8 1->I', '2:17 B->8']);
  });

  it('repairs a look-alike in an alphanumeric document number with its check digit', () => {
    const probs = confident(UTO_TD3);
    set(probs, 1, 5, { O: 0.6, '0': 0.4 }); // L898902C3: "0" read as "O" is allowed there, but fails the digit
    expectRead('TD3', probs, UTO_TD3);
  });

  it('chooses, among readings that satisfy every check digit, the most probable one', () => {
    const probs = confident(UTO_TD3);
    // The expiry date's last digit is unsure between 5 and 6; only 5 satisfies its check digit (9).
    set(probs, 1, 26, { '6': 0.55, '5': 0.45 });
    expectRead('TD3', probs, UTO_TD3);
  });

  it('refuses a confident read whose check digit fails (a tampered MRZ is not repaired)', () => {
    const tampered = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408132F1204159ZE184226B<<<<<10'];
    const result = decodeMrz('TD3', confident(tampered, 0.999));
    expect(result.ok).toBe(false);
  });

  it('refuses when two readings satisfy the check digits about equally well', () => {
    const probs = confident(UTO_TD3);
    // Birth date digit and its check digit both unsure so that 740812/2 and 740813/3 both validate.
    set(probs, 1, 18, { '2': 0.5, '3': 0.5 });
    set(probs, 1, 19, { '2': 0.5, '3': 0.5 });
    // The composite cannot settle it when it is unsure as well.
    set(probs, 1, 43, {
      '0': 0.5,
      '3': 0.5,
      '6': 0.5,
      '9': 0.5,
      '2': 0.5,
      '5': 0.5,
      '8': 0.5,
      '1': 0.5,
      '4': 0.5,
      '7': 0.5,
    });
    const result = decodeMrz('TD3', probs);
    expect(result).toMatchObject({ ok: false, refusal: 'ambiguous' });
  });

  it('refuses an unsure symbol that no check digit protects (names, codes, sex)', () => {
    const probs = confident(UTO_TD3);
    set(probs, 0, 16, { N: 0.5, M: 0.5 }); // ANNA vs AMNA: no check digit can tell
    expect(decodeMrz('TD3', probs)).toMatchObject({ ok: false, refusal: 'low_confidence' });
  });

  it('refuses an unknown country code and a malformed name field', () => {
    const otherState = ['P<OTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', UTO_TD3[1] as string];
    expect(decodeMrz('TD3', confident(otherState))).toMatchObject({ ok: false, refusal: 'implausible' });
    const strayName = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<K<<C<<<<<<<<<', UTO_TD3[1] as string];
    expect(decodeMrz('TD3', confident(strayName))).toMatchObject({ ok: false, refusal: 'implausible' });
  });

  it('refuses a reading that needs a symbol the reader all but excluded', () => {
    const probs = confident(UTO_TD3);
    set(probs, 1, 21, { '3': 0.99998, '1': 0.00002 }); // expiry 120415 read 320415 with certainty
    expect(decodeMrz('TD3', probs).ok).toBe(false);
  });

  describe('symbols only the composite check digit protects (TD1/TD2 optional data)', () => {
    // A TD1 card whose line-1 optional data `NO3HX1` has no check digit of its own: only the composite covers it.
    const line1 = 'I<UTOD231458907NO3HX1<<<<<<<<<';
    const line2 = '7408122F1204159UTO<<<<<<<<<<<';
    const compositeOf = (l1: string) =>
      computeCheckDigit(`${l1.slice(5, 30)}${line2.slice(0, 7)}${line2.slice(8, 15)}${line2.slice(18, 29)}`);
    const truth = [line1, `${line2}${compositeOf(line1)}`, 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
    // The same card with the O of NO3HX1 read as the digit 0: the composite digit that would make it valid.
    const misread = `${line1.slice(0, 16)}0${line1.slice(17)}`;
    const colludingDigit = String(compositeOf(misread));
    const options = { ...DEFAULT_MRZ_DECODE_OPTIONS, minCompositeOnlyConfidence: 0.6, minProtectedPosterior: 0.7 };

    it('reads them when each is read clearly', () => {
      const result = decodeMrz('TD1', confident(truth), options);
      if (!result.ok) throw new Error(`refused: ${result.refusal} ${result.detail}`);
      expect(result.read.lines).toEqual(truth);
      expect(result.read.compositeOnlyConfidence).toBeGreaterThan(0.99);
    });

    it('refuses a confident substitution that satisfies the composite when the symbol itself is unsure', () => {
      const probs = confident(truth);
      set(probs, 0, 16, { '0': 0.55, O: 0.45 });
      set(probs, 1, 29, { [colludingDigit]: 0.999 }); // the composite digit misread, confidently, the colluding way
      // Without the rule the decoder is sure of the wrong reading: both errors satisfy the one digit together.
      const unguarded = decodeMrz('TD1', probs, { ...options, minCompositeOnlyConfidence: 0 });
      if (!unguarded.ok) throw new Error(`refused: ${unguarded.refusal}`);
      expect(unguarded.read.lines[0]).toBe(misread);
      expect(unguarded.read.protectedPosterior).toBeGreaterThan(0.99);
      expect(decodeMrz('TD1', probs, options)).toMatchObject({ ok: false, refusal: 'low_confidence' });
    });

    it('refuses when the composite digit, their only witness, is itself unsure', () => {
      const probs = confident(truth);
      set(probs, 0, 16, { '0': 0.2, O: 0.8 });
      set(probs, 1, 29, { [colludingDigit]: 0.5, [String(compositeOf(line1))]: 0.5 });
      const result = decodeMrz('TD1', probs, options);
      expect(result).toMatchObject({ ok: false, refusal: 'low_confidence' });
      expect(result.ok ? '' : result.detail).toMatch(/composite-only/);
    });

    it('lets the composite confirm a symbol that is clearly, not certainly, read', () => {
      const probs = confident(truth);
      set(probs, 0, 16, { '0': 0.3, O: 0.7 });
      const result = decodeMrz('TD1', probs, options);
      if (!result.ok) throw new Error(`refused: ${result.refusal} ${result.detail}`);
      expect(result.read.lines).toEqual(truth);
    });

    it('applies to TD2 optional data too, and not to TD3 (its optional data has its own digit)', () => {
      const probs = confident(UTO_TD2);
      set(probs, 1, 30, { B: 0.45, '<': 0.55 }); // the composite prefers `<`, but the glyph itself is a coin flip
      expect(decodeMrz('TD2', probs, options)).toMatchObject({ ok: false, refusal: 'low_confidence' });
      const td3 = decodeMrz('TD3', confident(UTO_TD3), options);
      expect(td3.ok && td3.read.compositeOnlyConfidence).toBe(1);
    });
  });

  it('refuses probabilities of the wrong shape', () => {
    expect(decodeMrz('TD3', confident(UTO_TD2))).toMatchObject({ ok: false, refusal: 'wrong_shape' });
  });

  it('knows the grammar of every position', () => {
    expect(allowedSymbols('TD3', 0, 0)).toBe('PV');
    expect(allowedSymbols('TD3', 1, 13)).toBe('0123456789');
    expect(allowedSymbols('TD3', 1, 20)).toBe('MFX<');
    expect(allowedSymbols('TD1', 2, 3)).toMatch(/^[A-Z<]{27}$/);
  });

  it('never returns a wrong reading when one symbol of a random valid MRZ is misread', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let repaired = 0;
    for (let n = 0; n < 150; n++) {
      const format = (['TD1', 'TD2', 'TD3'] as const)[n % 3] as MrzFormat;
      const truth = randomMrz(rand, format);
      const probs = confident(truth);
      const line = Math.floor(rand() * truth.length);
      const index = Math.floor(rand() * (truth[line] as string).length);
      const right = (truth[line] as string)[index] as string;
      const wrong = MRZ_SYMBOLS[Math.floor(rand() * MRZ_SYMBOLS.length)] as string;
      if (wrong === right) continue;
      set(probs, line, index, { [wrong]: 0.7, [right]: 0.3 });
      const result = decodeMrz(format, probs);
      if (result.ok) {
        expect(result.read.lines).toEqual(truth);
        repaired++;
      }
    }
    // Most single misreads are repaired (check digits, grammar); names and codes are refused instead.
    expect(repaired).toBeGreaterThan(40);
  });
});

describe('textToProbabilities (text OCR such as Textract)', () => {
  it('repairs look-alike glyphs where the grammar or a check digit demands it', () => {
    const read = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L8989O2C36UTO74O8122F12O4159ZE184226B<<<<<10'];
    const result = decodeMrz('TD3', textToProbabilities(read), TEXT_DECODE_OPTIONS);
    if (!result.ok) throw new Error(result.refusal);
    expect(result.read.lines).toEqual(UTO_TD3);
  });

  it('does not repair a changed digit that is no look-alike', () => {
    const read = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408132F1204159ZE184226B<<<<<10'];
    expect(decodeMrz('TD3', textToProbabilities(read), TEXT_DECODE_OPTIONS).ok).toBe(false);
  });
});
