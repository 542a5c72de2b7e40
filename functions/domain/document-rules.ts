import type { DocumentFields, Flow } from './model';
import type { ReasonCode } from './reason-codes';
import type { RiskFlag } from './risk-flags';

/**
 * The flow's document rules over fields read from a document, defined once for every check provider:
 * check digits, accepted document types and issuing countries, expiry, minimum age and specimen
 * detection. Pure: the same fields, flow and date always give the same codes, whichever engine (local
 * OCR, Textract, AnalyzeID) read the fields.
 */

/** Reason codes and risk flags raised by the document rules, each listed once. */
export interface DocumentRuleFindings {
  reasonCodes: ReasonCode[];
  riskFlags: RiskFlag[];
}

/** The parts of a flow the document rules read. */
export type DocumentRulesFlow = Pick<Flow, 'documentTypes' | 'issuingCountries' | 'minimumAge'>;

/** Whole years between `birthDate` and `today` (both YYYY-MM-DD): the birthday itself counts. */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** Field check digits; `composite` covers them all and is judged apart. */
const FIELD_DIGITS = ['documentNumber', 'birthDate', 'expiryDate', 'optional'] as const;

/**
 * Check-digit findings: any failing digit gives MRZ_CHECK_DIGIT_FAILED; a failing composite while every
 * field digit passes also raises MRZ_INCONSISTENT (the fields were altered or mixed, not misread).
 * Digits the engine did not report (AnalyzeID without MRZ) count as passing.
 */
export function checkDigitFindings(checkDigits: Readonly<Record<string, boolean>>): DocumentRuleFindings {
  const fieldDigitsOk = FIELD_DIGITS.every((k) => checkDigits[k] !== false);
  const compositeOk = checkDigits.composite !== false;
  return {
    reasonCodes: fieldDigitsOk && compositeOk ? [] : ['MRZ_CHECK_DIGIT_FAILED'],
    riskFlags: fieldDigitsOk && !compositeOk ? ['MRZ_INCONSISTENT'] : [],
  };
}

/** The word SPECIMEN on its own (MRZ fillers and spaces are word boundaries), not inside a real surname. */
const SPECIMEN_WORD = /\bSPECIMEN\b/;

/**
 * Specimen detection: the ICAO test state UTO as issuing state or nationality, or the word SPECIMEN
 * in the name or anywhere in the MRZ (some specimens carry it in the document number or optional data).
 */
export function isSpecimen(fields: DocumentFields): boolean {
  if (fields.issuingCountry === 'UTO' || fields.nationality === 'UTO') return true;
  const text = [fields.surname, fields.givenNames, ...(fields.mrzLines ?? [])].filter((s) => s !== null).join('\n');
  return SPECIMEN_WORD.test(text);
}

/**
 * Applies the flow's document rules to fields read from a document:
 * - check digits (see {@link checkDigitFindings});
 * - DOCUMENT_TYPE_NOT_ACCEPTED / COUNTRY_NOT_ACCEPTED when the flow lists types / countries and the
 *   document's is missing or not listed;
 * - EXPIRATION_DATE when the expiry date is before `today` (valid through the expiry day) or unreadable,
 *   since an unreadable expiry cannot prove validity;
 * - with a minimum age: UNDERAGE (final) when the birth date proves the applicant too young, and
 *   DOCUMENT_UNREADABLE (retry) when the birth date cannot be read: the age is unknown, not too low;
 * - SPECIMEN_DOCUMENT risk flag (see {@link isSpecimen}): the decision stays with the integrator.
 */
export function evaluateDocumentRules(
  fields: DocumentFields,
  flow: DocumentRulesFlow,
  today: string,
): DocumentRuleFindings {
  const digits = checkDigitFindings(fields.checkDigits);
  const reasonCodes = new Set<ReasonCode>(digits.reasonCodes);
  const riskFlags = new Set<RiskFlag>(digits.riskFlags);

  if (
    flow.documentTypes.length > 0 &&
    (fields.documentType === null || !flow.documentTypes.includes(fields.documentType))
  ) {
    reasonCodes.add('DOCUMENT_TYPE_NOT_ACCEPTED');
  }
  if (
    flow.issuingCountries.length > 0 &&
    (fields.issuingCountry === null || !flow.issuingCountries.includes(fields.issuingCountry))
  ) {
    reasonCodes.add('COUNTRY_NOT_ACCEPTED');
  }
  if (fields.expiryDate === null || fields.expiryDate < today) reasonCodes.add('EXPIRATION_DATE');
  if (flow.minimumAge !== null) {
    if (fields.birthDate === null) reasonCodes.add('DOCUMENT_UNREADABLE');
    else if (ageOn(fields.birthDate, today) < flow.minimumAge) reasonCodes.add('UNDERAGE');
  }
  if (isSpecimen(fields)) riskFlags.add('SPECIMEN_DOCUMENT');
  return { reasonCodes: [...reasonCodes], riskFlags: [...riskFlags] };
}
