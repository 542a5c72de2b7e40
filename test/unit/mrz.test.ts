import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allCheckDigitsValid,
  CHECK_DIGIT_RULES,
  checkDigitsOf,
  computeCheckDigit,
  documentTypeFromCode,
  isValidCheckDigit,
  MRZ_LAYOUT,
  mrzCharValue,
  mrzDate,
  mrzFormatOf,
  normalizeCountry,
  parseMrz,
  type MrzFormat,
} from '../../functions/domain/mrz';
import { knownStates, plausibleMrz } from '../../functions/domain/mrz-plausibility';
import { TESTDATA } from '../support/testdata';

/** ICAO 9303 MRZ logic of the domain (functions/domain/mrz.ts, mrz-plausibility.ts), checked against the shared test set's labels. */

interface LabelledDocument {
  file: string;
  type: MrzFormat;
  mrz: string[];
  check_digits_valid: boolean;
}
const labels = JSON.parse(readFileSync(join(TESTDATA, 'labels.json'), 'utf8')) as { documents: LabelledDocument[] };
const TODAY = '2026-11-29';
/**
 * Specimens with codes outside the ICAO list (Slovenia's `SI<`, ICAO: SVN; the old German specimen code `BDR`):
 * the local reader rejects them as implausible rather than trust an unverifiable country code.
 */
const NON_ICAO_STATES = new Set(['documents/td1_svn_specimen_back.jpg', 'documents/td3_bdr_mustermann.jpg']);

const UTO_TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const UTO_TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
const DEU_TD1 = ['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<'];
/** ICAO 9303 part 5 example of a TD1 document number longer than 9 characters (D23145890734). */
const UTO_TD1_LONG_NUMBER = [
  'I<UTOD23145890<7349<<<<<<<<<<<',
  '3407127M9507122UTO<<<<<<<<<<<2',
  'STEVENSON<<PETER<JOHN<<<<<<<<<',
];

/** The line with one character replaced. */
function withChar(lines: readonly string[], line: number, index: number, ch: string): string[] {
  const out = [...lines];
  const l = out[line] ?? '';
  out[line] = `${l.slice(0, index)}${ch}${l.slice(index + 1)}`;
  return out;
}

/** A different MRZ character of the same kind (digit for digit, letter for letter, digit for filler). */
function otherChar(ch: string): string {
  if (ch === '<') return '1';
  if (/[0-9]/.test(ch)) return String((Number(ch) + 1) % 10);
  return ch === 'Z' ? 'A' : String.fromCharCode(ch.charCodeAt(0) + 1);
}

describe('ICAO 9303 7-3-1 check digits', () => {
  it('values characters as digits, A=10..Z=35 and < = 0, nothing else', () => {
    expect(['0', '7', '9', 'A', 'Z', '<'].map(mrzCharValue)).toEqual([0, 7, 9, 10, 35, 0]);
    expect(['a', '?', ' ', ''].map(mrzCharValue)).toEqual([null, null, null, null]);
  });

  it('matches the ICAO specimen (Doc 9303 Utopia passport)', () => {
    expect(computeCheckDigit('L898902C3')).toBe(6);
    expect(computeCheckDigit('740812')).toBe(2);
    expect(computeCheckDigit('120415')).toBe(9);
    expect(computeCheckDigit('ZE184226B<<<<<')).toBe(1);
    expect(computeCheckDigit('<<<<<<')).toBe(0);
  });

  it('throws on characters outside the MRZ alphabet but judges a misread digit invalid, not an error', () => {
    expect(() => computeCheckDigit('ab12')).toThrow(/invalid MRZ character/);
    expect(isValidCheckDigit('ab12', '0')).toBe(false);
    expect(isValidCheckDigit('740812', '?')).toBe(false);
    expect(isValidCheckDigit('740812', 'Z')).toBe(false);
  });

  it('accepts < as check digit only for an all-filler field', () => {
    expect(isValidCheckDigit('<<<<<<<<<<<<<<', '<')).toBe(true);
    expect(isValidCheckDigit('<<<<<<<<<<<<<<', '0')).toBe(true);
    expect(isValidCheckDigit('ZE184226B<<<<<', '<')).toBe(false);
  });

  it('needs at least one reported digit for allCheckDigitsValid', () => {
    expect(allCheckDigitsValid({})).toBe(false);
    expect(allCheckDigitsValid({ documentNumber: true, composite: true })).toBe(true);
    expect(allCheckDigitsValid({ documentNumber: true, composite: false })).toBe(false);
  });
});

describe.each(labels.documents.map((d) => [d.file, d] as const))('labelled MRZ %s', (_file, doc) => {
  const rules = CHECK_DIGIT_RULES[doc.type];

  it('parses with the labelled format and the labelled check-digit verdict', () => {
    const fields = parseMrz(doc.mrz, TODAY);
    expect(fields?.mrzFormat).toBe(doc.type);
    expect(mrzFormatOf(doc.mrz)).toBe(doc.type);
    expect(Object.keys(fields?.checkDigits ?? {}).sort()).toEqual(rules.map((r) => r.field).sort());
    expect(allCheckDigitsValid(fields?.checkDigits ?? {})).toBe(doc.check_digits_valid);
    expect(plausibleMrz(doc.type, doc.mrz)).toBe(true);
    expect(knownStates(doc.type, doc.mrz)).toBe(!NON_ICAO_STATES.has(doc.file));
  });

  it.each(rules.map((r) => [r.field, r] as const))(
    'detects a changed %s check digit (and only that field and the composite fail)',
    (field, rule) => {
      const original = doc.mrz[rule.digit.line]?.[rule.digit.index] ?? '';
      const digits = checkDigitsOf(doc.type, withChar(doc.mrz, rule.digit.line, rule.digit.index, otherChar(original)));
      expect(digits[field]).toBe(false);
      for (const other of rules) {
        // The composite covers the field digits, so a changed field digit fails it as well.
        if (other.field !== field && other.field !== 'composite')
          expect({ [other.field]: digits[other.field] }).toEqual({ [other.field]: true });
      }
    },
  );

  it.each(rules.filter((r) => r.field !== 'composite').map((r) => [r.field, r] as const))(
    'detects a changed character in the %s field',
    (field, rule) => {
      const data = rule.data[0];
      if (!data) throw new Error('rule without data');
      // The first character of the field: a document number, a date or optional data (a filler there becomes a digit).
      const original = doc.mrz[data.line]?.[data.start] ?? '';
      const digits = checkDigitsOf(doc.type, withChar(doc.mrz, data.line, data.start, otherChar(original)));
      expect(digits[field]).toBe(false);
      expect(digits.composite).toBe(false);
    },
  );
});

describe('check-digit layout', () => {
  it('covers the TD1, TD2 and TD3 fields at their ICAO positions', () => {
    expect(CHECK_DIGIT_RULES.TD3.map((r) => [r.field, r.digit.line, r.digit.index])).toEqual([
      ['documentNumber', 1, 9],
      ['birthDate', 1, 19],
      ['expiryDate', 1, 27],
      ['optional', 1, 42],
      ['composite', 1, 43],
    ]);
    expect(CHECK_DIGIT_RULES.TD2.map((r) => [r.field, r.digit.line, r.digit.index])).toEqual([
      ['documentNumber', 1, 9],
      ['birthDate', 1, 19],
      ['expiryDate', 1, 27],
      ['composite', 1, 35],
    ]);
    expect(CHECK_DIGIT_RULES.TD1.map((r) => [r.field, r.digit.line, r.digit.index])).toEqual([
      ['documentNumber', 0, 14],
      ['birthDate', 1, 6],
      ['expiryDate', 1, 14],
      ['composite', 1, 29],
    ]);
    expect(MRZ_LAYOUT).toEqual({
      TD1: { lines: 3, length: 30 },
      TD2: { lines: 2, length: 36 },
      TD3: { lines: 2, length: 44 },
    });
  });
});

describe('parseMrz', () => {
  it('reads the TD3 specimen fields', () => {
    expect(parseMrz(UTO_TD3, TODAY)).toEqual({
      documentType: 'passport',
      mrzFormat: 'TD3',
      mrzLines: UTO_TD3,
      issuingCountry: 'UTO',
      documentNumber: 'L898902C3',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      expiryDate: '2012-04-15',
      sex: 'F',
      checkDigits: { documentNumber: true, birthDate: true, expiryDate: true, optional: true, composite: true },
    });
  });

  it('reads the TD2 specimen fields', () => {
    expect(parseMrz(UTO_TD2, TODAY)).toMatchObject({
      documentType: 'id_card',
      mrzFormat: 'TD2',
      issuingCountry: 'UTO',
      documentNumber: 'D23145890',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      expiryDate: '2012-04-15',
      sex: 'F',
      checkDigits: { documentNumber: true, birthDate: true, expiryDate: true, composite: true },
    });
  });

  it('reads a TD1 card back, normalizes the German code D to DEU and reports the < sex as unspecified (X)', () => {
    expect(parseMrz(DEU_TD1, TODAY)).toMatchObject({
      documentType: 'id_card',
      mrzFormat: 'TD1',
      issuingCountry: 'DEU',
      nationality: 'DEU',
      documentNumber: 'T22000129',
      surname: 'MUSTERMANN',
      givenNames: 'ERIKA',
      birthDate: '1964-08-12',
      expiryDate: '2020-10-31',
      sex: 'X',
    });
  });

  it('keeps the UTO test state and non-standard codes such as SI<', () => {
    const fields = parseMrz(
      ['I<SI<09999100180706966505468<<', '6606079F0807276SI<<<<<<<<<<<<0', 'VZOREC<<TINA<<<<<<<<<<<<<<<<<<'],
      TODAY,
    );
    expect(fields).toMatchObject({
      issuingCountry: 'SI',
      nationality: 'SI',
      documentNumber: '099991001',
      surname: 'VZOREC',
      givenNames: 'TINA',
      birthDate: '1966-06-07',
      expiryDate: '2008-07-27',
      sex: 'F',
      documentType: 'id_card',
    });
    expect(allCheckDigitsValid(fields?.checkDigits ?? {})).toBe(true);
  });

  it('joins a TD1 document number longer than 9 characters and validates its check digit at the end', () => {
    const fields = parseMrz(UTO_TD1_LONG_NUMBER, TODAY);
    expect(fields).toMatchObject({
      documentNumber: 'D23145890734',
      surname: 'STEVENSON',
      givenNames: 'PETER JOHN',
      sex: 'M',
    });
    expect(fields?.checkDigits).toEqual({ documentNumber: true, birthDate: true, expiryDate: true, composite: true });
    expect(checkDigitsOf('TD1', withChar(UTO_TD1_LONG_NUMBER, 0, 18, '8')).documentNumber).toBe(false);
  });

  it('joins a long TD2 document number continued in the optional data', () => {
    const number = 'D23145890734';
    const body = `${number.slice(0, 9)}<UTO7408122F1204159${number.slice(9)}${computeCheckDigit(number)}<<<`;
    const composite = computeCheckDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 35));
    const lines = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', `${body}${composite}`];
    expect(parseMrz(lines, TODAY)).toMatchObject({
      documentNumber: number,
      checkDigits: { documentNumber: true, composite: true },
    });
  });

  it('tolerates surrounding spaces and lower case, rejects wrong lengths and alphabets', () => {
    expect(
      parseMrz(
        UTO_TD3.map((l) => ` ${l.toLowerCase()} `),
        TODAY,
      )?.documentNumber,
    ).toBe('L898902C3');
    expect(parseMrz(['P<UTOERIKSSON', 'L898902C36'], TODAY)).toBeNull();
    expect(parseMrz([UTO_TD3[0] as string, `${(UTO_TD3[1] as string).slice(0, 43)}?`], TODAY)).toBeNull();
    expect(parseMrz([UTO_TD3[0] as string, UTO_TD2[1] as string], TODAY)).toBeNull();
    expect(mrzFormatOf([...DEU_TD1, DEU_TD1[0] as string])).toBeNull();
  });

  it('returns fields with failing digits marked, leaving the verdict to the rules', () => {
    const fields = parseMrz(withChar(UTO_TD3, 1, 43, '3'), TODAY);
    expect(fields?.surname).toBe('ERIKSSON');
    expect(fields?.checkDigits).toEqual({
      documentNumber: true,
      birthDate: true,
      expiryDate: true,
      optional: true,
      composite: false,
    });
  });

  it('gives null dates for impossible calendar dates', () => {
    expect(parseMrz(withChar(UTO_TD3, 1, 17, '3'), TODAY)?.birthDate).toBeNull(); // day 32
  });
});

describe('mrzDate', () => {
  it('puts birth dates in the latest century not after today', () => {
    expect(mrzDate('740812', 'birth', TODAY)).toBe('1974-08-12');
    expect(mrzDate('100101', 'birth', TODAY)).toBe('2010-01-01');
    expect(mrzDate('261129', 'birth', TODAY)).toBe('2026-11-29'); // born today
    expect(mrzDate('261130', 'birth', TODAY)).toBe('1926-11-30'); // tomorrow in 20YY -> 19YY
    expect(mrzDate('271231', 'birth', TODAY)).toBe('1927-12-31');
  });

  it('puts expiry dates in 20YY unless more than 50 years ahead', () => {
    expect(mrzDate('341231', 'expiry', TODAY)).toBe('2034-12-31');
    expect(mrzDate('760101', 'expiry', TODAY)).toBe('2076-01-01'); // 50 years ahead: still 20YY
    expect(mrzDate('770101', 'expiry', TODAY)).toBe('1977-01-01');
    expect(mrzDate('991231', 'expiry', TODAY)).toBe('1999-12-31');
  });

  it('rejects impossible dates and non-digits', () => {
    expect(mrzDate('741312', 'birth', TODAY)).toBeNull();
    expect(mrzDate('990231', 'expiry', TODAY)).toBeNull();
    expect(mrzDate('000229', 'birth', TODAY)).toBe('2000-02-29');
    expect(mrzDate('010229', 'birth', TODAY)).toBeNull();
    expect(mrzDate('7408<<', 'birth', TODAY)).toBeNull();
    expect(mrzDate('74081', 'birth', TODAY)).toBeNull();
  });
});

describe('codes', () => {
  it('maps ICAO document codes to document types', () => {
    expect(
      ['P', 'PP', 'P<', 'ID', 'I<', 'I', 'A<', 'C<', 'IR', 'AR', 'CR', 'RP', 'V<', 'X<'].map(documentTypeFromCode),
    ).toEqual([
      'passport',
      'passport',
      'passport',
      'id_card',
      'id_card',
      'id_card',
      'id_card',
      'id_card',
      'residence_permit',
      'residence_permit',
      'residence_permit',
      'residence_permit',
      null,
      null,
    ]);
  });

  it('strips fillers from country codes and normalizes D to DEU', () => {
    expect(['D<<', 'SI<', 'UTO', '<<<'].map(normalizeCountry)).toEqual(['DEU', 'SI', 'UTO', null]);
  });
});

describe('plausibility of fields without check digit', () => {
  it('rejects unknown country codes (a misread UTO -> OTO has no check digit to catch it)', () => {
    expect(knownStates('TD3', ['P<OTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', UTO_TD3[1] as string])).toBe(false);
    expect(knownStates('TD3', [UTO_TD3[0] as string, 'L898902C36OTO7408122F1204159ZE184226B<<<<<10'])).toBe(false);
    expect(knownStates('TD1', withChar(DEU_TD1, 1, 15, 'Q'))).toBe(false);
    expect(knownStates('TD1', DEU_TD1)).toBe(true);
  });

  it('accepts every code form ICAO 9303 Part 3 §5 defines, and refuses codes outside it', () => {
    const td3 = (issuer: string, nationality: string) => [
      `P<${issuer}MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<`,
      `CA000000<4${nationality}6408125F1802212<<<<<<<<<<<<<<<6`,
    ];
    // Germany's single-letter code D, filler-padded, as issuing state and nationality (§5, note on Germany).
    expect(knownStates('TD3', td3('D<<', 'D<<'))).toBe(true);
    // Codes for persons without a nationality and for organizations (§5.2, §5.3).
    for (const code of [
      'XXA',
      'XXB',
      'XXC',
      'XXX',
      'UNO',
      'UNA',
      'UNK',
      'EUE',
      'GBD',
      'GBN',
      'GBO',
      'GBP',
      'GBS',
      'XOM',
    ]) {
      expect([code, knownStates('TD3', td3('D<<', code))]).toEqual([code, true]);
    }
    // Not ICAO codes: a printer's specimen code (Bundesdruckerei's BDR) and a two-letter ISO 3166 code.
    expect(knownStates('TD3', td3('BDR', 'D<<'))).toBe(false);
    expect(knownStates('TD3', td3('SI<', 'SI<'))).toBe(false);
  });

  it('rejects a malformed name field and stray glyphs inside filler runs', () => {
    expect(plausibleMrz('TD3', ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<K<<C<<<<<<<<<', UTO_TD3[1] as string])).toBe(false);
    expect(plausibleMrz('TD3', ['P<UTOERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', UTO_TD3[1] as string])).toBe(false);
    expect(plausibleMrz('TD3', [UTO_TD3[0] as string, 'L898902C36UTO7408122F1204159ZE184226B<<<<A10'])).toBe(false);
    expect(plausibleMrz('TD1', withChar(DEU_TD1, 0, 25, 'X'))).toBe(false);
    expect(plausibleMrz('TD3', UTO_TD3)).toBe(true);
  });
});
