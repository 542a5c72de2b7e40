import { assembleMrz, findMrzBlock } from '../../functions/checks/local/mrz-text';
import { MRZ_ALPHABET, type RecognizedLine } from '../../functions/checks/local/ocr';

/**
 * OCR-side MRZ logic of the local provider (no models): position classes, filler fitting, check-digit corrections.
 * Check digits, parsing and dates are the domain's (test/unit/mrz.test.ts).
 */

/** A recognized line as the OCR would give it; `weak` marks positions read with low confidence. */
function line(text: string, weak: number[] = []): RecognizedLine {
  return {
    text,
    rawText: text,
    chars: [...text].map((char, i) => {
      const scores = new Float32Array(MRZ_ALPHABET.length);
      const confidence = weak.includes(i) ? 0.05 : 0.95;
      scores[MRZ_ALPHABET.indexOf(char)] = confidence;
      return { char, scores, confidence, step: i * 4 + 1 };
    }),
  };
}

const UTO = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];

describe('assembleMrz', () => {
  it('keeps a clean read unchanged with all check digits valid', () => {
    const read = assembleMrz(
      'TD3',
      UTO.map((l) => line(l)),
    );
    if (typeof read === 'string') throw new Error(read);
    expect(read.lines).toEqual(UTO);
    expect(Object.values(read.checkDigits).every(Boolean)).toBe(true);
  });

  it('maps digits in letter-only positions and letters in digit-only positions', () => {
    const read = assembleMrz('TD3', [
      line('P<UT0ERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<'),
      line('L898902C36UT07408I22F12O4159ZE184226B<<<<<10'),
    ]);
    if (typeof read === 'string') throw new Error(read);
    expect(read.lines).toEqual(UTO);
  });

  it('adds trailing fillers cut off by detection, and refuses to guess otherwise', () => {
    const read = assembleMrz('TD3', [line('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<'), line(UTO[1] as string)]);
    if (typeof read === 'string') throw new Error(read);
    expect(read.lines).toEqual(UTO);
    expect(assembleMrz('TD3', [line('P<UTOERIKSSON<<ANNA<MARIA'), line((UTO[1] as string).slice(0, 40))])).toBe(
      'length_mismatch',
    );
  });

  it('corrects an alphanumeric document number by its check digit only when exactly one candidate validates', () => {
    // "C" read as "G"? not a look-alike pair; "0" read as "O" in the number: unique fix.
    const read = assembleMrz('TD3', [line(UTO[0] as string), line('L8989O2C36UTO7408122F1204159ZE184226B<<<<<10')]);
    if (typeof read === 'string') throw new Error(read);
    expect(read.lines[1]).toBe(UTO[1]);
    expect(read.corrections).toContain('documentNumber: corrected by check digit');
  });

  it('leaves a wrong check digit failing instead of inventing a value', () => {
    const read = assembleMrz('TD3', [line(UTO[0] as string), line('L898902C36UTO7408122F1204158ZE184226B<<<<<10')]);
    if (typeof read === 'string') throw new Error(read);
    expect(read.checkDigits.expiryDate).toBe(false);
    expect(read.checkDigits.composite).toBe(false);
  });

  it('reports the lowest confidence among fields without check digit (names)', () => {
    const read = assembleMrz('TD3', [line(UTO[0] as string, [7]), line(UTO[1] as string)]);
    if (typeof read === 'string') throw new Error(read);
    expect(read.unprotectedConfidence).toBeLessThan(0.1);
  });

  it('handles TD1 and TD2 layouts', () => {
    const td1 = ['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<'];
    const r1 = assembleMrz(
      'TD1',
      td1.map((l) => line(l)),
    );
    if (typeof r1 === 'string') throw new Error(r1);
    expect(r1.lines).toEqual(td1);
    expect(Object.values(r1.checkDigits).every(Boolean)).toBe(true);
    const td2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
    const r2 = assembleMrz(
      'TD2',
      td2.map((l) => line(l)),
    );
    if (typeof r2 === 'string') throw new Error(r2);
    expect(r2.lines).toEqual(td2);
    expect(Object.values(r2.checkDigits).every(Boolean)).toBe(true);
  });
});

describe('implausible reads', () => {
  it('rejects unknown country codes (a misread UTO -> OTO has no check digit to catch it)', () => {
    expect(assembleMrz('TD3', [line('P<OTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<'), line(UTO[1] as string)])).toBe(
      'implausible',
    );
    expect(assembleMrz('TD3', [line(UTO[0] as string), line('L898902C36OTO7408122F1204159ZE184226B<<<<<10')])).toBe(
      'implausible',
    );
  });

  it('rejects stray glyphs inside the name filler', () => {
    expect(assembleMrz('TD3', [line('P<UTOERIKSSON<<ANNA<MARIA<<<<<<K<<C<<<<<<<<<'), line(UTO[1] as string)])).toBe(
      'implausible',
    );
  });
});

describe('findMrzBlock', () => {
  it('picks the MRZ lines among other text and tells the format by line length', () => {
    const placed = [
      { line: line('PASSPORTPASSEPORT'), y: 10, height: 20 },
      ...UTO.map((l, i) => ({ line: line(l), y: 500 + i * 40, height: 25 })),
    ];
    const block = findMrzBlock(placed);
    expect(block?.format).toBe('TD3');
    expect(block?.lines.map((l) => l.text)).toEqual(UTO);
    const td1 = ['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<'];
    expect(findMrzBlock(td1.map((l, i) => ({ line: line(l), y: i * 30, height: 20 })))?.format).toBe('TD1');
    expect(findMrzBlock([{ line: line('HELLO'), y: 0, height: 20 }])).toBeNull();
  });
});
