import type { DocumentFields, DocumentType } from './model';

/**
 * ICAO Doc 9303 machine-readable zones, defined once for every check provider: formats and line
 * lengths, 7-3-1 check digits, where each check digit sits and what it covers, parsing of the lines
 * into {@link DocumentFields} with per-field check-digit validity, two-digit-year dates, document
 * type from the document code (the plausibility of fields no check digit protects: mrz-plausibility.ts).
 * Pure: no OCR, no I/O. How a provider finds the lines on an image (OCR boxes, Textract LINE
 * blocks) and corrects glyphs stays in the provider.
 */

/** ICAO 9303 MRZ formats: TD1 (ID-1 cards), TD2 (ID-2 cards), TD3 (passports). */
export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

/** Formats in the order they are tried when the length is ambiguous (longest lines first). */
export const MRZ_FORMATS: readonly MrzFormat[] = ['TD3', 'TD2', 'TD1'];

/** Number of lines and characters per line of each format. */
export const MRZ_LAYOUT: Readonly<Record<MrzFormat, { lines: number; length: number }>> = {
  TD1: { lines: 3, length: 30 },
  TD2: { lines: 2, length: 36 },
  TD3: { lines: 2, length: 44 },
};

/** A run of characters on one MRZ line: `start` inclusive, `end` exclusive (0-based). */
export interface MrzSpan {
  line: number;
  start: number;
  end: number;
}

/** Check-digit names as used in {@link DocumentFields.checkDigits}. */
export type CheckDigitField = 'documentNumber' | 'birthDate' | 'expiryDate' | 'optional' | 'composite';

/** Where a check digit sits and which characters it covers, in order. */
export interface CheckDigitRule {
  field: CheckDigitField;
  digit: { line: number; index: number };
  data: readonly MrzSpan[];
}

const span = (line: number, start: number, end: number): MrzSpan => ({ line, start, end });

/** The check digits of each format (ICAO 9303 parts 4-6). TD2 and TD3 share line 2 up to the optional data. */
export const CHECK_DIGIT_RULES: Readonly<Record<MrzFormat, readonly CheckDigitRule[]>> = {
  TD3: [
    { field: 'documentNumber', digit: { line: 1, index: 9 }, data: [span(1, 0, 9)] },
    { field: 'birthDate', digit: { line: 1, index: 19 }, data: [span(1, 13, 19)] },
    { field: 'expiryDate', digit: { line: 1, index: 27 }, data: [span(1, 21, 27)] },
    { field: 'optional', digit: { line: 1, index: 42 }, data: [span(1, 28, 42)] },
    { field: 'composite', digit: { line: 1, index: 43 }, data: [span(1, 0, 10), span(1, 13, 20), span(1, 21, 43)] },
  ],
  TD2: [
    { field: 'documentNumber', digit: { line: 1, index: 9 }, data: [span(1, 0, 9)] },
    { field: 'birthDate', digit: { line: 1, index: 19 }, data: [span(1, 13, 19)] },
    { field: 'expiryDate', digit: { line: 1, index: 27 }, data: [span(1, 21, 27)] },
    { field: 'composite', digit: { line: 1, index: 35 }, data: [span(1, 0, 10), span(1, 13, 20), span(1, 21, 35)] },
  ],
  TD1: [
    { field: 'documentNumber', digit: { line: 0, index: 14 }, data: [span(0, 5, 14)] },
    { field: 'birthDate', digit: { line: 1, index: 6 }, data: [span(1, 0, 6)] },
    { field: 'expiryDate', digit: { line: 1, index: 14 }, data: [span(1, 8, 14)] },
    {
      field: 'composite',
      digit: { line: 1, index: 29 },
      data: [span(0, 5, 30), span(1, 0, 7), span(1, 8, 15), span(1, 18, 29)],
    },
  ],
};

/** Fixed positions of the fields without a check digit of their own. */
export interface MrzFieldSpans {
  documentCode: MrzSpan;
  issuingState: MrzSpan;
  nationality: MrzSpan;
  name: MrzSpan;
  sex: MrzSpan;
  /** Optional data; on TD1/TD2 its start continues a document number longer than 9 characters. */
  optional: readonly MrzSpan[];
}

/** Where the fields without a check digit of their own sit in each format. */
export function mrzFieldSpans(format: MrzFormat): MrzFieldSpans {
  if (format === 'TD1') {
    return {
      documentCode: span(0, 0, 2),
      issuingState: span(0, 2, 5),
      nationality: span(1, 15, 18),
      name: span(2, 0, 30),
      sex: span(1, 7, 8),
      optional: [span(0, 15, 30), span(1, 18, 29)],
    };
  }
  const width = MRZ_LAYOUT[format].length;
  return {
    documentCode: span(0, 0, 2),
    issuingState: span(0, 2, 5),
    nationality: span(1, 10, 13),
    name: span(0, 5, width),
    sex: span(1, 20, 21),
    optional: [span(1, 28, format === 'TD3' ? 42 : 35)],
  };
}

/** The characters of `span` (empty where the lines are too short). */
export const readSpan = (lines: readonly string[], s: MrzSpan): string => (lines[s.line] ?? '').slice(s.start, s.end);
const MRZ_LINE = /^[0-9A-Z<]+$/;
const stripFillers = (s: string): string => s.replace(/</g, '');

// ---------------------------------------------------------------------------------------------
// Check digits (ICAO 9303 part 3, section 4.9)
// ---------------------------------------------------------------------------------------------

const WEIGHTS = [7, 3, 1] as const;

/** Value of one MRZ character (0-9, A=10 .. Z=35, filler `<` = 0), or null outside the MRZ alphabet. */
export function mrzCharValue(ch: string): number | null {
  if (ch === '<') return 0;
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  return null;
}

/**
 * The 7-3-1 check digit of `field`: character values times the repeating weights 7, 3, 1, summed,
 * modulo 10. Throws on characters outside [0-9A-Z<] (a caller bug, not a bad document).
 */
export function computeCheckDigit(field: string): number {
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const value = mrzCharValue(field[i] ?? '');
    if (value === null) throw new Error(`invalid MRZ character ${JSON.stringify(field[i])} at ${i}`);
    sum += value * (WEIGHTS[i % 3] ?? 1);
  }
  return sum % 10;
}

/**
 * True when `digit` (one MRZ character) is the check digit of `field`. False for characters outside
 * the MRZ alphabet (an OCR misread). A `<` digit is accepted only for an all-filler field: ICAO allows
 * it for empty optional data.
 */
export function isValidCheckDigit(field: string, digit: string): boolean {
  if (!/^[0-9A-Z<]*$/.test(field)) return false;
  if (digit === '<') return /^<*$/.test(field);
  if (!/^[0-9]$/.test(digit)) return false;
  return computeCheckDigit(field) === Number(digit);
}

/**
 * Document number and the check digit that protects it. On TD1 and TD2 a number longer than 9
 * characters leaves `<` at the check-digit position and continues at the start of the optional data,
 * ending with its check digit (ICAO 9303 part 5, 4.2.4 note j; part 6 likewise).
 */
function documentNumberOf(format: MrzFormat, lines: readonly string[]): { number: string; digit: string } {
  const rule = CHECK_DIGIT_RULES[format][0] as CheckDigitRule;
  const number = (rule.data as MrzSpan[]).map((s) => readSpan(lines, s)).join('');
  const digit = lines[rule.digit.line]?.[rule.digit.index] ?? '';
  if (format === 'TD3' || digit !== '<') return { number, digit };
  const optional = mrzFieldSpans(format).optional[0] as MrzSpan;
  const continuation = readSpan(lines, optional).split('<')[0] ?? '';
  if (continuation.length === 0) return { number, digit };
  return { number: number + continuation.slice(0, -1), digit: continuation.slice(-1) };
}

/**
 * Validity of every check digit of the MRZ: `documentNumber`, `birthDate`, `expiryDate`, `optional`
 * (TD3 only) and `composite`. Lines with misread characters simply fail the digits they touch.
 */
export function checkDigitsOf(format: MrzFormat, lines: readonly string[]): Partial<Record<CheckDigitField, boolean>> {
  const result: Partial<Record<CheckDigitField, boolean>> = {};
  for (const rule of CHECK_DIGIT_RULES[format]) {
    if (rule.field === 'documentNumber') {
      const { number, digit } = documentNumberOf(format, lines);
      result.documentNumber = isValidCheckDigit(number, digit);
      continue;
    }
    const data = rule.data.map((s) => readSpan(lines, s)).join('');
    result[rule.field] = isValidCheckDigit(data, lines[rule.digit.line]?.[rule.digit.index] ?? '');
  }
  return result;
}

/** True when at least one check digit was reported and all of them validate. */
export function allCheckDigitsValid(checkDigits: Readonly<Record<string, boolean>>): boolean {
  const values = Object.values(checkDigits);
  return values.length > 0 && values.every(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------------------------

/** Detects the format from line count and lengths; null if the lines are not a well-formed MRZ. */
export function mrzFormatOf(lines: readonly string[]): MrzFormat | null {
  if (!lines.every((l) => MRZ_LINE.test(l))) return null;
  return (
    MRZ_FORMATS.find(
      (f) => lines.length === MRZ_LAYOUT[f].lines && lines.every((l) => l.length === MRZ_LAYOUT[f].length),
    ) ?? null
  );
}

/**
 * Country code without fillers (`SI<` -> `SI`); null when empty. ICAO lets Germany use the one-letter
 * code `D`, which flows list as `DEU`, so it is normalized to compare 3-letter codes.
 */
export function normalizeCountry(code: string): string | null {
  const c = stripFillers(code);
  if (c === '') return null;
  return c === 'D' ? 'DEU' : c;
}

/**
 * Document type from the ICAO document code (first one or two characters): `P*` passport; `IR`, `AR`,
 * `CR` (and the non-standard `RP`) residence permit; other `I*`, `A*`, `C*` identity card. Visas (`V*`)
 * and unknown codes give null.
 */
export function documentTypeFromCode(code: string): DocumentType | null {
  const c = stripFillers(code);
  if (c.startsWith('P')) return 'passport';
  if (c === 'IR' || c === 'AR' || c === 'CR' || c === 'RP') return 'residence_permit';
  if (c.startsWith('I') || c.startsWith('A') || c.startsWith('C')) return 'id_card';
  return null;
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * YYMMDD -> YYYY-MM-DD, or null when not a real calendar date. Birth dates take the latest century
 * not after `today` (a 20YY date after today means 19YY); expiry dates take 20YY unless that lies more
 * than 50 years after today (documents are valid for at most ~10-15 years).
 */
export function mrzDate(yymmdd: string, kind: 'birth' | 'expiry', today: string): string | null {
  if (!/^[0-9]{6}$/.test(yymmdd)) return null;
  const mmdd = `${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  let year = 2000 + Number(yymmdd.slice(0, 2));
  if (kind === 'birth' && `${year}-${mmdd}` > today) year -= 100;
  if (kind === 'expiry' && year > Number(today.slice(0, 4)) + 50) year -= 100;
  if (!isRealDate(year, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)))) return null;
  return `${year}-${mmdd}`;
}

/** Sex as printed: M, F, X; the filler `<` means unspecified, reported as X. Anything else is unread. */
function sexOf(ch: string): DocumentFields['sex'] {
  if (ch === 'M' || ch === 'F') return ch;
  if (ch === 'X' || ch === '<') return 'X';
  return null;
}

/** Name field SURNAME<<GIVEN<NAMES: `<<` separates surname from given names, `<` separates words. */
function splitNames(field: string): { surname: string | null; givenNames: string | null } {
  const [surnamePart = '', ...rest] = field.split('<<');
  const clean = (s: string) => s.replace(/</g, ' ').replace(/\s+/g, ' ').trim();
  return { surname: clean(surnamePart) || null, givenNames: clean(rest.join(' ')) || null };
}

/**
 * Parses ICAO 9303 MRZ lines (TD1 3x30, TD2 2x36, TD3 2x44; surrounding spaces and lower case are
 * tolerated) into {@link DocumentFields}, with `checkDigits` from {@link checkDigitsOf}. Returns null
 * when the lines are not a TD1/TD2/TD3 MRZ. Fields are returned even when check digits fail: the
 * caller decides (see `evaluateDocumentRules`). Codes are taken from their fixed positions, so the
 * ICAO test state UTO and non-standard codes such as `SI<` are kept.
 */
export function parseMrz(rawLines: readonly string[], today: string): DocumentFields | null {
  const lines = rawLines.map((l) => l.trim().toUpperCase());
  const format = mrzFormatOf(lines);
  if (!format) return null;
  const spans = mrzFieldSpans(format);
  const { number } = documentNumberOf(format, lines);
  const dates = CHECK_DIGIT_RULES[format];
  const dateOf = (field: 'birthDate' | 'expiryDate') =>
    readSpan(lines, dates.find((r) => r.field === field)?.data[0] as MrzSpan);
  const names = splitNames(readSpan(lines, spans.name));
  return {
    documentType: documentTypeFromCode(readSpan(lines, spans.documentCode)),
    mrzFormat: format,
    mrzLines: lines,
    issuingCountry: normalizeCountry(readSpan(lines, spans.issuingState)),
    documentNumber: stripFillers(number) || null,
    surname: names.surname,
    givenNames: names.givenNames,
    nationality: normalizeCountry(readSpan(lines, spans.nationality)),
    birthDate: mrzDate(dateOf('birthDate'), 'birth', today),
    expiryDate: mrzDate(dateOf('expiryDate'), 'expiry', today),
    sex: sexOf(readSpan(lines, spans.sex)),
    checkDigits: checkDigitsOf(format, lines),
  };
}
