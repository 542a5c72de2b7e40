import type { Flow } from '../../domain/model';
import type { ReasonCode } from '../../domain/reason-codes';
import type { RiskFlag } from '../../domain/risk-flags';
import type { DocumentFields } from '../../ports/checks';

/**
 * Flow rules over fields read from a document: accepted type and issuing country, check digits,
 * expiry, minimum age and specimen detection. Pure: the same fields, flow and date always give the
 * same codes, whichever engine (MRZ or AnalyzeID) read the fields.
 */

export interface DocumentRuleResult {
  reasonCodes: ReasonCode[];
  riskFlags: RiskFlag[];
}

/** Whole years between `birthDate` and `today` (both YYYY-MM-DD). */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** Catalog rule: ICAO test state UTO or the word SPECIMEN in the name (not look-alike real surnames). */
const SPECIMEN_WORD = /\bSPECIMEN\b/;

/**
 * Applies the flow's rules. Check digits only count when the engine reported them (MRZ). A missing birth
 * date with a minimum age set gives DOCUMENT_UNREADABLE (retry), not the final UNDERAGE: the age is unknown,
 * not too low.
 */
export function evaluateDocumentRules(
  fields: DocumentFields,
  flow: Pick<Flow, 'documentTypes' | 'issuingCountries' | 'minimumAge'>,
  today: string,
): DocumentRuleResult {
  const reasonCodes = new Set<ReasonCode>();
  const riskFlags = new Set<RiskFlag>();

  const digits = fields.checkDigits;
  const fieldDigitsOk = ['documentNumber', 'birthDate', 'expiryDate', 'optional'].every((k) => digits[k] !== false);
  if (!fieldDigitsOk) reasonCodes.add('MRZ_CHECK_DIGIT_FAILED');
  if (digits.composite === false) {
    reasonCodes.add('MRZ_CHECK_DIGIT_FAILED');
    if (fieldDigitsOk) riskFlags.add('MRZ_INCONSISTENT');
  }

  if (flow.documentTypes.length > 0 && (fields.documentType === null || !flow.documentTypes.includes(fields.documentType))) {
    reasonCodes.add('DOCUMENT_TYPE_NOT_ACCEPTED');
  }
  if (flow.issuingCountries.length > 0 && (fields.issuingCountry === null || !flow.issuingCountries.includes(fields.issuingCountry))) {
    reasonCodes.add('COUNTRY_NOT_ACCEPTED');
  }
  // Valid through the expiry day; an unreadable expiry cannot prove validity (same rule as the local engine).
  if (fields.expiryDate === null || fields.expiryDate < today) reasonCodes.add('EXPIRATION_DATE');
  if (flow.minimumAge !== null) {
    if (fields.birthDate === null) reasonCodes.add('DOCUMENT_UNREADABLE');
    else if (ageOn(fields.birthDate, today) < flow.minimumAge) reasonCodes.add('UNDERAGE');
  }

  const name = `${fields.surname ?? ''} ${fields.givenNames ?? ''}`;
  if (fields.issuingCountry === 'UTO' || fields.nationality === 'UTO' || SPECIMEN_WORD.test(name)) {
    riskFlags.add('SPECIMEN_DOCUMENT');
  }
  return { reasonCodes: [...reasonCodes], riskFlags: [...riskFlags] };
}
