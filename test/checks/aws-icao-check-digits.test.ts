import { readFileSync } from 'node:fs';
import { computeCheckDigit, isValidCheckDigit, mrzCharValue } from '../../functions/checks/aws/icao-check-digits';
import { findMrzLines, mrzDate, parseMrz } from '../../functions/checks/aws/mrz-parse';
import { evaluateDocumentRules } from '../../functions/checks/aws/document-rules';
import { TESTDATA, TODAY } from './aws-fixtures';

interface LabelledDocument {
  file: string;
  type: 'TD1' | 'TD2' | 'TD3';
  mrz: string[];
  check_digits_valid: boolean;
}
const labels = JSON.parse(readFileSync(`${TESTDATA}/labels.json`, 'utf8')) as { documents: LabelledDocument[] };

describe('ICAO 9303 7-3-1 check digits', () => {
  it('values characters as digits, A=10..Z=35 and < = 0', () => {
    expect(mrzCharValue('7')).toBe(7);
    expect(mrzCharValue('A')).toBe(10);
    expect(mrzCharValue('Z')).toBe(35);
    expect(mrzCharValue('<')).toBe(0);
    expect(mrzCharValue('a')).toBeNull();
  });

  it('matches the ICAO specimen (Doc 9303 Utopia passport)', () => {
    expect(computeCheckDigit('L898902C3')).toBe(6);
    expect(computeCheckDigit('740812')).toBe(2);
    expect(computeCheckDigit('120415')).toBe(9);
    expect(computeCheckDigit('ZE184226B<<<<<')).toBe(1);
  });

  it('rejects characters outside the MRZ alphabet', () => {
    expect(() => computeCheckDigit('ab12')).toThrow(/invalid MRZ character/);
    expect(isValidCheckDigit('ab12', '0')).toBe(false);
  });

  it('accepts < as check digit only for an all-filler field', () => {
    expect(isValidCheckDigit('<<<<<<<<<<<<<<', '<')).toBe(true);
    expect(isValidCheckDigit('ZE184226B<<<<<', '<')).toBe(false);
  });

  it.each(labels.documents.map((d) => [d.file, d] as const))('%s: every check digit agrees with the label', (_file, doc) => {
    const fields = parseMrz(doc.mrz, TODAY);
    expect(fields).not.toBeNull();
    expect(fields?.mrzFormat).toBe(doc.type);
    const digits = Object.values(fields?.checkDigits ?? {});
    expect(digits.length).toBeGreaterThanOrEqual(4);
    expect(digits.every(Boolean)).toBe(doc.check_digits_valid);
  });

  it.each(labels.documents.map((d) => [d.file, d] as const))('%s: changing any check digit is detected', (_file, doc) => {
    // Positions of the check digits per format: [line, index].
    const positions: Record<string, Array<[number, number]>> = {
      TD3: [[1, 9], [1, 19], [1, 27], [1, 43]],
      TD2: [[1, 9], [1, 19], [1, 27], [1, 35]],
      TD1: [[1, 6], [1, 14], [1, 29]],
    };
    for (const [line, index] of positions[doc.type] ?? []) {
      const lines = [...doc.mrz];
      const original = lines[line]?.[index] ?? '0';
      const replacement = original === '<' ? '1' : String((Number(original) + 1) % 10);
      lines[line] = `${lines[line]?.slice(0, index)}${replacement}${lines[line]?.slice(index + 1)}`;
      const fields = parseMrz(lines, TODAY);
      expect(Object.values(fields?.checkDigits ?? {}).every(Boolean)).toBe(false);
    }
  });
});

describe('MRZ parsing', () => {
  it('reads the TD3 specimen fields', () => {
    const fields = parseMrz(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'], TODAY);
    expect(fields).toMatchObject({
      documentType: 'passport',
      mrzFormat: 'TD3',
      issuingCountry: 'UTO',
      documentNumber: 'L898902C3',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      expiryDate: '2012-04-15',
      sex: 'F',
    });
  });

  it('reads a TD1 card back and normalizes the German code D to DEU', () => {
    const fields = parseMrz(['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<'], TODAY);
    expect(fields).toMatchObject({
      documentType: 'id_card', mrzFormat: 'TD1', issuingCountry: 'DEU', nationality: 'DEU',
      documentNumber: 'T22000129', surname: 'MUSTERMANN', givenNames: 'ERIKA', birthDate: '1964-08-12', expiryDate: '2020-10-31', sex: 'X', // '<' = unspecified
    });
  });

  it('rejects lines of the wrong length or alphabet', () => {
    expect(parseMrz(['P<UTOERIKSSON', 'L898902C36'], TODAY)).toBeNull();
    expect(parseMrz(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<1?'], TODAY)).toBeNull();
  });

  it('resolves two-digit years: birth never in the future, expiry in this century', () => {
    expect(mrzDate('880611', 'birth', TODAY)).toBe('1988-06-11');
    expect(mrzDate('100101', 'birth', TODAY)).toBe('2010-01-01');
    expect(mrzDate('271231', 'birth', TODAY)).toBe('1927-12-31');
    expect(mrzDate('340610', 'expiry', TODAY)).toBe('2034-06-10');
    expect(mrzDate('991231', 'expiry', TODAY)).toBe('1999-12-31');
    expect(mrzDate('990231', 'expiry', TODAY)).toBeNull();
  });

  it('finds the MRZ among OCR lines, tolerating spaces and dropped trailing fillers', () => {
    const lines = ['PASSPORT', 'Surname', 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<', 'L898902C36 UTO7408122F1204159ZE184226B<<<<<10', 'footer'];
    expect(findMrzLines(lines)).toEqual(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10']);
    expect(findMrzLines(['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<'])).toHaveLength(3);
    expect(findMrzLines(['PASSPORT', 'no machine readable zone here'])).toBeNull();
  });
});

describe('document rules on MRZ fields', () => {
  const flow = { documentTypes: [], issuingCountries: [], minimumAge: null };
  const passport = () => parseMrz(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'], '2011-01-01');

  it('flags a failing composite with otherwise valid digits as MRZ_INCONSISTENT', () => {
    const fields = parseMrz(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<13'], '2011-01-01');
    if (!fields) throw new Error('parse failed');
    expect(evaluateDocumentRules(fields, flow, '2011-01-01')).toEqual({ reasonCodes: ['MRZ_CHECK_DIGIT_FAILED'], riskFlags: ['MRZ_INCONSISTENT', 'SPECIMEN_DOCUMENT'] });
  });

  it('treats an unreadable expiry as EXPIRATION_DATE and an unreadable birth date as DOCUMENT_UNREADABLE', () => {
    const fields = passport();
    if (!fields) throw new Error('parse failed');
    const unknown = { ...fields, expiryDate: null, birthDate: null };
    expect(evaluateDocumentRules(unknown, { ...flow, minimumAge: 18 }, '2011-01-01').reasonCodes.sort()).toEqual(['DOCUMENT_UNREADABLE', 'EXPIRATION_DATE']);
    expect(evaluateDocumentRules(fields, flow, '2012-04-15').reasonCodes).toEqual([]); // valid on its expiry day
    expect(evaluateDocumentRules(fields, flow, '2012-04-16').reasonCodes).toEqual(['EXPIRATION_DATE']);
  });

  it('raises UNDERAGE from the birth date and the minimum age, on the birthday boundary', () => {
    const fields = passport();
    if (!fields) throw new Error('parse failed');
    expect(evaluateDocumentRules(fields, { ...flow, minimumAge: 37 }, '2011-08-11').reasonCodes).toEqual(['UNDERAGE']);
    expect(evaluateDocumentRules(fields, { ...flow, minimumAge: 37 }, '2011-08-12').reasonCodes).toEqual([]);
  });
});
