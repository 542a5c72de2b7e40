import type { AnalyzeIDCommandOutput } from '@aws-sdk/client-textract';
import type { DocumentType } from '../../domain/model';
import type { DocumentFields } from '../../ports/checks';
import { parseMrz } from '../../domain/mrz';

/**
 * Maps a Textract AnalyzeID response (US driver licences, US state IDs and US passports only) to
 * {@link DocumentFields}. Field names are Textract's normalized types (FIRST_NAME, LAST_NAME,
 * DOCUMENT_NUMBER, EXPIRATION_DATE, DATE_OF_BIRTH, ID_TYPE, MRZ_CODE, ...); dates come from
 * `ValueDetection.NormalizedValue.Value` ("YYYY-MM-DDTHH:MM:SS"). When front and back are sent as two
 * pages, each field is taken from the page where Textract was most confident.
 */

/** One AnalyzeID field value with Textract's confidence (0-100). */
export interface AnalyzeIdValue {
  text: string;
  /** YYYY-MM-DD for date fields. */
  date: string | null;
  confidence: number;
}

export type AnalyzeIdFieldMap = Record<string, AnalyzeIdValue>;

/** Highest-confidence non-empty value per normalized field type across all returned documents. */
export function collectAnalyzeIdFields(output: Pick<AnalyzeIDCommandOutput, 'IdentityDocuments'>): AnalyzeIdFieldMap {
  const map: AnalyzeIdFieldMap = {};
  for (const doc of output.IdentityDocuments ?? []) {
    for (const field of doc.IdentityDocumentFields ?? []) {
      const type = field.Type?.Text?.trim().toUpperCase().replace(/\s+/g, '_');
      const text = field.ValueDetection?.Text?.trim() ?? '';
      if (!type || text === '') continue;
      const confidence = field.ValueDetection?.Confidence ?? 0;
      const normalized = field.ValueDetection?.NormalizedValue;
      const date =
        normalized?.ValueType?.toUpperCase() === 'DATE' && normalized.Value
          ? normalized.Value.slice(0, 10)
          : usDate(text);
      const previous = map[type];
      if (!previous || confidence > previous.confidence) map[type] = { text, date, confidence };
    }
  }
  return map;
}

/** MM/DD/YYYY (how US IDs print dates) -> YYYY-MM-DD, when Textract gave no normalized value. */
function usDate(text: string): string | null {
  const m = /^(\d{2})[/-](\d{2})[/-](\d{4})$/.exec(text);
  return m ? `${m[3]}-${m[1]}-${m[2]}` : null;
}

/** ID_TYPE value -> domain document type ("DRIVER LICENSE FRONT", "PASSPORT", state ID cards). */
export function documentTypeFromIdType(idType: string | undefined): DocumentType | null {
  if (!idType) return null;
  const t = idType.toUpperCase();
  if (t.includes('PASSPORT')) return 'passport';
  if (t.includes('DRIVER')) return 'driving_licence';
  if (t.includes('ID')) return 'id_card';
  return null;
}

/** Fields whose low confidence makes the document unreadable for the flow rules. */
export const CRITICAL_ANALYZE_ID_FIELDS = ['DOCUMENT_NUMBER', 'DATE_OF_BIRTH', 'EXPIRATION_DATE'] as const;

/**
 * Builds document fields from an AnalyzeID field map. A US passport's MRZ_CODE, when present and
 * well-formed, supplies the MRZ lines and their check digits.
 */
export function documentFieldsFromAnalyzeId(fields: AnalyzeIdFieldMap, today: string): DocumentFields {
  const text = (key: string) => fields[key]?.text ?? null;
  const date = (key: string) => fields[key]?.date ?? null;
  const mrzLines = (fields.MRZ_CODE?.text ?? '').split(/\s*\n\s*|\s{2,}/).filter((l) => l.length > 0);
  const mrz = mrzLines.length > 0 ? parseMrz(mrzLines, today) : null;
  const given = [text('FIRST_NAME'), text('MIDDLE_NAME')].filter((s): s is string => s !== null).join(' ');
  const documentType = documentTypeFromIdType(fields.ID_TYPE?.text);
  // AnalyzeID models US documents, but it returns fields for others too: only claim USA when the MRZ says
  // so, or for a card naming a US state, or for a passport without a readable MRZ.
  const usEvidence = text('STATE_NAME') !== null || text('STATE_IN_ADDRESS') !== null || documentType === 'passport';
  return {
    documentType,
    mrzFormat: mrz?.mrzFormat ?? null,
    mrzLines: mrz?.mrzLines ?? null,
    issuingCountry: mrz?.issuingCountry ?? (usEvidence ? 'USA' : null),
    documentNumber: text('DOCUMENT_NUMBER'),
    surname: text('LAST_NAME'),
    givenNames: given || null,
    nationality: mrz?.nationality ?? null,
    birthDate: date('DATE_OF_BIRTH'),
    expiryDate: date('EXPIRATION_DATE'),
    sex: mrz?.sex ?? null,
    checkDigits: mrz?.checkDigits ?? {},
  };
}
