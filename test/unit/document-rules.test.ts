import {
  ageOn,
  checkDigitFindings,
  evaluateDocumentRules,
  isSpecimen,
  type DocumentRulesFlow,
} from '../../functions/domain/document-rules';
import { parseMrz } from '../../functions/domain/mrz';
import type { DocumentFields } from '../../functions/domain/model';

/** The flow's document rules of the domain (functions/domain/document-rules.ts), used by every check provider. */

const TODAY = '2026-11-29';
const open: DocumentRulesFlow = { documentTypes: [], issuingCountries: [], minimumAge: null };

/** A valid, unexpired, non-specimen German passport read from an MRZ. */
const passport: DocumentFields = {
  documentType: 'passport',
  mrzFormat: 'TD3',
  mrzLines: ['P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<', 'C01X00T478D<<6408125F3410316<<<<<<<<<<<<<<<4'],
  issuingCountry: 'DEU',
  documentNumber: 'C01X00T47',
  surname: 'MUSTERMANN',
  givenNames: 'ERIKA',
  nationality: 'DEU',
  birthDate: '1964-08-12',
  expiryDate: '2034-10-31',
  sex: 'F',
  checkDigits: { documentNumber: true, birthDate: true, expiryDate: true, optional: true, composite: true },
};

describe('ageOn', () => {
  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('2008-11-29', TODAY)).toBe(18);
    expect(ageOn('2008-11-30', TODAY)).toBe(17);
    expect(ageOn('2008-12-01', TODAY)).toBe(17);
    expect(ageOn('1964-08-12', TODAY)).toBe(62);
  });

  it('handles a 29 February birthday in common years (18 on 1 March)', () => {
    expect(ageOn('2000-02-29', '2018-02-28')).toBe(17);
    expect(ageOn('2000-02-29', '2018-03-01')).toBe(18);
  });
});

describe('checkDigitFindings', () => {
  it('passes when every digit validates or none was reported (AnalyzeID without MRZ)', () => {
    expect(checkDigitFindings(passport.checkDigits)).toEqual({ reasonCodes: [], riskFlags: [] });
    expect(checkDigitFindings({})).toEqual({ reasonCodes: [], riskFlags: [] });
  });

  it.each(['documentNumber', 'birthDate', 'expiryDate', 'optional'])(
    'fails a %s digit as MRZ_CHECK_DIGIT_FAILED without MRZ_INCONSISTENT',
    (field) => {
      expect(checkDigitFindings({ ...passport.checkDigits, [field]: false })).toEqual({
        reasonCodes: ['MRZ_CHECK_DIGIT_FAILED'],
        riskFlags: [],
      });
      expect(checkDigitFindings({ ...passport.checkDigits, [field]: false, composite: false })).toEqual({
        reasonCodes: ['MRZ_CHECK_DIGIT_FAILED'],
        riskFlags: [],
      });
    },
  );

  it('flags a failing composite with passing field digits as MRZ_INCONSISTENT', () => {
    expect(checkDigitFindings({ ...passport.checkDigits, composite: false })).toEqual({
      reasonCodes: ['MRZ_CHECK_DIGIT_FAILED'],
      riskFlags: ['MRZ_INCONSISTENT'],
    });
  });
});

describe('evaluateDocumentRules', () => {
  it('accepts a valid document under an open flow', () => {
    expect(evaluateDocumentRules(passport, open, TODAY)).toEqual({ reasonCodes: [], riskFlags: [] });
  });

  it('applies the check digits', () => {
    expect(
      evaluateDocumentRules({ ...passport, checkDigits: { ...passport.checkDigits, composite: false } }, open, TODAY),
    ).toEqual({ reasonCodes: ['MRZ_CHECK_DIGIT_FAILED'], riskFlags: ['MRZ_INCONSISTENT'] });
    expect(
      evaluateDocumentRules({ ...passport, checkDigits: { ...passport.checkDigits, birthDate: false } }, open, TODAY)
        .reasonCodes,
    ).toEqual(['MRZ_CHECK_DIGIT_FAILED']);
  });

  it('checks the accepted document types', () => {
    expect(
      evaluateDocumentRules(passport, { ...open, documentTypes: ['id_card', 'residence_permit'] }, TODAY).reasonCodes,
    ).toEqual(['DOCUMENT_TYPE_NOT_ACCEPTED']);
    expect(evaluateDocumentRules(passport, { ...open, documentTypes: ['passport'] }, TODAY).reasonCodes).toEqual([]);
    expect(
      evaluateDocumentRules({ ...passport, documentType: null }, { ...open, documentTypes: ['passport'] }, TODAY)
        .reasonCodes,
    ).toEqual(['DOCUMENT_TYPE_NOT_ACCEPTED']);
    expect(evaluateDocumentRules({ ...passport, documentType: null }, open, TODAY).reasonCodes).toEqual([]);
  });

  it('checks the accepted issuing countries (3-letter codes; D is read as DEU)', () => {
    expect(evaluateDocumentRules(passport, { ...open, issuingCountries: ['FRA'] }, TODAY).reasonCodes).toEqual([
      'COUNTRY_NOT_ACCEPTED',
    ]);
    expect(evaluateDocumentRules(passport, { ...open, issuingCountries: ['FRA', 'DEU'] }, TODAY).reasonCodes).toEqual(
      [],
    );
    expect(
      evaluateDocumentRules({ ...passport, issuingCountry: null }, { ...open, issuingCountries: ['DEU'] }, TODAY)
        .reasonCodes,
    ).toEqual(['COUNTRY_NOT_ACCEPTED']);
    expect(evaluateDocumentRules({ ...passport, issuingCountry: null }, open, TODAY).reasonCodes).toEqual([]);
  });

  it('checks expiry inclusive of the expiry day; an unreadable expiry cannot prove validity', () => {
    expect(evaluateDocumentRules(passport, open, '2034-10-31').reasonCodes).toEqual([]);
    expect(evaluateDocumentRules(passport, open, '2034-11-01').reasonCodes).toEqual(['EXPIRATION_DATE']);
    expect(evaluateDocumentRules({ ...passport, expiryDate: null }, open, TODAY).reasonCodes).toEqual([
      'EXPIRATION_DATE',
    ]);
  });

  it('checks the minimum age on the birthday boundary (UNDERAGE)', () => {
    expect(evaluateDocumentRules(passport, { ...open, minimumAge: 18 }, '1982-08-11').reasonCodes).toEqual([
      'UNDERAGE',
    ]);
    expect(evaluateDocumentRules(passport, { ...open, minimumAge: 18 }, '1982-08-12').reasonCodes).toEqual([]);
    expect(evaluateDocumentRules(passport, { ...open, minimumAge: 63 }, TODAY).reasonCodes).toEqual(['UNDERAGE']);
  });

  it('gives DOCUMENT_UNREADABLE (retry), not UNDERAGE (final), when a minimum age is set and the birth date is unreadable', () => {
    expect(
      evaluateDocumentRules({ ...passport, birthDate: null }, { ...open, minimumAge: 18 }, TODAY).reasonCodes,
    ).toEqual(['DOCUMENT_UNREADABLE']);
    expect(evaluateDocumentRules({ ...passport, birthDate: null }, open, TODAY).reasonCodes).toEqual([]);
  });

  it('raises every applicable code once, in rule order', () => {
    const fields: DocumentFields = {
      ...passport,
      documentType: 'id_card',
      issuingCountry: 'FRA',
      expiryDate: null,
      birthDate: null,
      checkDigits: { documentNumber: false },
    };
    expect(
      evaluateDocumentRules(fields, { documentTypes: ['passport'], issuingCountries: ['DEU'], minimumAge: 18 }, TODAY)
        .reasonCodes,
    ).toEqual([
      'MRZ_CHECK_DIGIT_FAILED',
      'DOCUMENT_TYPE_NOT_ACCEPTED',
      'COUNTRY_NOT_ACCEPTED',
      'EXPIRATION_DATE',
      'DOCUMENT_UNREADABLE',
    ]);
  });

  it('raises SPECIMEN_DOCUMENT as a risk flag only', () => {
    const specimen = { ...passport, issuingCountry: 'UTO' };
    expect(evaluateDocumentRules(specimen, open, TODAY)).toEqual({ reasonCodes: [], riskFlags: ['SPECIMEN_DOCUMENT'] });
  });

  it('parses and judges the ICAO Utopia passport end to end', () => {
    const fields = parseMrz(
      ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<13'],
      '2011-01-01',
    );
    if (!fields) throw new Error('parse failed');
    expect(evaluateDocumentRules(fields, open, '2011-01-01')).toEqual({
      reasonCodes: ['MRZ_CHECK_DIGIT_FAILED'],
      riskFlags: ['MRZ_INCONSISTENT', 'SPECIMEN_DOCUMENT'],
    });
    expect(evaluateDocumentRules(fields, open, '2012-04-16').reasonCodes).toEqual([
      'MRZ_CHECK_DIGIT_FAILED',
      'EXPIRATION_DATE',
    ]);
  });
});

describe('isSpecimen', () => {
  it('recognizes the ICAO test state as issuing state or nationality', () => {
    expect(isSpecimen({ ...passport, issuingCountry: 'UTO' })).toBe(true);
    expect(isSpecimen({ ...passport, nationality: 'UTO' })).toBe(true);
  });

  it('recognizes the word SPECIMEN in the name or the MRZ, not inside a longer name', () => {
    expect(isSpecimen({ ...passport, surname: 'SPECIMEN' })).toBe(true);
    expect(isSpecimen({ ...passport, givenNames: 'PAULA SPECIMEN' })).toBe(true);
    expect(
      isSpecimen({
        ...passport,
        mrzLines: ['P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<', 'C01X00T478D<<6408125F3410316<SPECIMEN<<<<<4'],
      }),
    ).toBe(true);
    expect(isSpecimen({ ...passport, surname: 'SPECIMENOVA', mrzLines: null })).toBe(false);
    expect(isSpecimen(passport)).toBe(false);
  });
});
