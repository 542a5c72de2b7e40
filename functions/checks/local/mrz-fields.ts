import { parse, type ParseResult } from 'mrz';
import type { DocumentType } from '../../domain/model';
import type { DocumentFields } from '../../ports/checks';
import type { MrzFormat } from './mrz-text';

/**
 * Parses validated MRZ lines with the `mrz` library and maps them to {@link DocumentFields}.
 * The library marks unknown state codes (the ICAO test state UTO, non-standard codes such as "SI<") as invalid
 * fields; that is not a read error, so codes are taken from their fixed positions and only the check-digit
 * details decide validity.
 */

/** Check-digit fields as named in the `mrz` library -> our names (DocumentFields.checkDigits keys). */
const CHECK_FIELDS: Record<string, string> = {
  documentNumberCheckDigit: 'documentNumber',
  birthDateCheckDigit: 'birthDate',
  expirationDateCheckDigit: 'expiryDate',
  personalNumberCheckDigit: 'optional',
  compositeCheckDigit: 'composite',
};

export interface ParsedMrz {
  fields: DocumentFields;
  /** True when every check digit in the MRZ validates. */
  checkDigitsValid: boolean;
  /** Raw document code (e.g. "P", "ID", "IR"). */
  documentCode: string;
}

/** Maps an ICAO document code to our document type; visas and unknown codes give null. */
export function documentTypeFromCode(code: string): DocumentType | null {
  const c = code.replace(/</g, '');
  if (c.startsWith('P')) return 'passport';
  if (c === 'IR' || c === 'AR' || c === 'RP' || c === 'CR') return 'residence_permit';
  if (c.startsWith('I') || c.startsWith('A') || c.startsWith('C')) return 'id_card';
  return null;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * YYMMDD -> YYYY-MM-DD. Birth dates lie in the past (a 20YY date after `today` means 19YY). Expiry dates are
 * taken in 20YY unless that is more than 50 years ahead (documents are valid at most ~10-15 years).
 */
export function mrzDate(yymmdd: string | null | undefined, kind: 'birth' | 'expiry', today: string): string | null {
  if (!yymmdd || !/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  const todayYear = Number(today.slice(0, 4));
  let year = 2000 + yy;
  if (kind === 'birth') {
    if (`${year}-${pad2(mm)}-${pad2(dd)}` > today) year -= 100;
  } else if (year > todayYear + 50) {
    year -= 100;
  }
  if (!validDate(year, mm, dd)) return null;
  return `${year}-${pad2(mm)}-${pad2(dd)}`;
}

function code(line: string | undefined, start: number, end: number): string | null {
  const value = (line ?? '').slice(start, end).replace(/</g, '');
  return value.length > 0 ? value : null;
}

/** Sex as printed: M, F, X; the filler `<` (unspecified, not stated) gives null. */
function sexOf(raw: string | undefined): DocumentFields['sex'] {
  return raw === 'M' || raw === 'F' || raw === 'X' ? raw : null;
}

/** Parses MRZ lines (already the right length and character set). Throws only on unsupported layouts. */
export function parseMrzLines(format: MrzFormat, lines: string[], today: string): ParsedMrz {
  const result: ParseResult = parse(lines);
  const checkDigits: Record<string, boolean> = {};
  for (const detail of result.details) {
    const name = detail.field ? CHECK_FIELDS[detail.field] : undefined;
    if (name) checkDigits[name] = detail.valid;
  }
  const f = result.fields;
  const [line1, line2] = lines;
  const issuingCountry = code(line1, 2, 5);
  const nationality = format === 'TD1' ? code(line2, 15, 18) : code(line2, 10, 13);
  const documentCode = (line1 ?? '').slice(0, 2).replace(/</g, '');
  const fields: DocumentFields = {
    documentType: documentTypeFromCode(documentCode),
    mrzFormat: format,
    mrzLines: lines,
    issuingCountry,
    documentNumber: result.documentNumber ?? f.documentNumber ?? null,
    surname: f.lastName ?? null,
    givenNames: f.firstName ? f.firstName : null,
    nationality,
    birthDate: mrzDate(f.birthDate, 'birth', today),
    expiryDate: mrzDate(f.expirationDate, 'expiry', today),
    sex: sexOf(format === 'TD1' ? line2?.[7] : line2?.[20]),
    checkDigits,
  };
  const checkDigitsValid = Object.values(checkDigits).length > 0 && Object.values(checkDigits).every(Boolean);
  return { fields, checkDigitsValid, documentCode };
}

/** Whole years between a birth date and today (both YYYY-MM-DD). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  let age = ty - by;
  if (tm < bm || (tm === bm && td < bd)) age--;
  return age;
}
