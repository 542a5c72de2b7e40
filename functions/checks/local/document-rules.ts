import type { ReasonCode } from '../../domain/reason-codes';
import type { RiskFlag } from '../../domain/risk-flags';
import type { DocumentCheckInput, DocumentFields } from '../../ports/checks';
import { ageOn } from './mrz-fields';

/**
 * The flow's document rules, applied to fields from a validated MRZ: accepted types and issuing countries,
 * expiry against today, minimum age. Specimens (ICAO test state UTO, or SPECIMEN in the MRZ) only raise a
 * risk flag: the decision stays with the integrator.
 */
export function applyDocumentRules(
  fields: DocumentFields,
  flow: DocumentCheckInput['flow'],
  today: string,
): { reasonCodes: ReasonCode[]; riskFlags: RiskFlag[] } {
  const reasonCodes: ReasonCode[] = [];
  const riskFlags: RiskFlag[] = [];
  if (flow.documentTypes.length > 0 && (!fields.documentType || !flow.documentTypes.includes(fields.documentType))) {
    reasonCodes.push('DOCUMENT_TYPE_NOT_ACCEPTED');
  }
  if (flow.issuingCountries.length > 0 && (!fields.issuingCountry || !flow.issuingCountries.includes(fields.issuingCountry))) {
    reasonCodes.push('COUNTRY_NOT_ACCEPTED');
  }
  // Valid through the expiry day itself.
  if (!fields.expiryDate || fields.expiryDate < today) reasonCodes.push('EXPIRATION_DATE');
  if (flow.minimumAge !== null && (!fields.birthDate || ageOn(fields.birthDate, today) < flow.minimumAge)) reasonCodes.push('UNDERAGE');
  const mrzText = (fields.mrzLines ?? []).join('\n');
  if (fields.issuingCountry === 'UTO' || fields.nationality === 'UTO' || /SPECIMEN/.test(mrzText)) riskFlags.push('SPECIMEN_DOCUMENT');
  return { reasonCodes, riskFlags };
}
