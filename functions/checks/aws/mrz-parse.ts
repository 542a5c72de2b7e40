import type { DocumentType } from '../../domain/model';
import type { DocumentFields } from '../../ports/checks';
import { isValidCheckDigit } from './icao-check-digits';

/**
 * Parses ICAO 9303 MRZ lines (TD1 3x30, TD2 2x36, TD3 2x44) into {@link DocumentFields} and validates
 * every check digit. Pure: no OCR, no I/O. Dates become YYYY-MM-DD (two-digit years resolved against
 * `today`), the issuing country and nationality have their `<` fillers removed and Germany's one-letter
 * code `D` is normalized to `DEU` so flow rules can compare 3-letter codes.
 */

type MrzFormat = 'TD1' | 'TD2' | 'TD3';

const LINE_LENGTHS: Record<MrzFormat, { lines: number; length: number }> = {
  TD1: { lines: 3, length: 30 },
  TD2: { lines: 2, length: 36 },
  TD3: { lines: 2, length: 44 },
};

/** Detects the format from line count and lengths; null if the lines are not a well-formed MRZ. */
export function mrzFormatOf(lines: readonly string[]): MrzFormat | null {
  if (!lines.every((l) => /^[0-9A-Z<]+$/.test(l))) return null;
  for (const format of ['TD1', 'TD2', 'TD3'] as const) {
    const spec = LINE_LENGTHS[format];
    if (lines.length === spec.lines && lines.every((l) => l.length === spec.length)) return format;
  }
  return null;
}

/** Country code without fillers; ICAO lets Germany use `D`, which the flow lists as `DEU`. */
export function normalizeCountry(code: string): string | null {
  const c = code.replace(/</g, '');
  if (c === '') return null;
  return c === 'D' ? 'DEU' : c;
}

function documentTypeOf(code: string): DocumentType | null {
  const first = code[0];
  if (first === 'P') return 'passport';
  if (first === 'I' || first === 'A' || first === 'C') return code[1] === 'R' ? 'residence_permit' : 'id_card';
  return null; // visas (V) and unknown codes
}

function sexOf(ch: string | undefined): DocumentFields['sex'] {
  if (ch === 'M' || ch === 'F') return ch;
  if (ch === 'X' || ch === '<') return 'X';
  return null;
}

function splitNames(field: string): { surname: string | null; givenNames: string | null } {
  const [surnamePart = '', ...rest] = field.split('<<');
  const clean = (s: string) => s.replace(/</g, ' ').replace(/\s+/g, ' ').trim();
  const surname = clean(surnamePart);
  const givenNames = clean(rest.join(' '));
  return { surname: surname || null, givenNames: givenNames || null };
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * YYMMDD -> YYYY-MM-DD. Birth dates take the latest century not in the future; expiry dates take
 * 20YY unless that lies more than 50 years ahead (documents are valid for at most ~10 years).
 */
export function mrzDate(yymmdd: string, kind: 'birth' | 'expiry', today: string): string | null {
  if (!/^[0-9]{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  const currentYear = Number(today.slice(0, 4));
  let year = 2000 + yy;
  if (kind === 'birth' && `${year}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}` > today) year -= 100;
  if (kind === 'expiry' && year > currentYear + 50) year -= 100;
  if (!isRealDate(year, mm, dd)) return null;
  return `${year}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

const strip = (s: string) => s.replace(/</g, '');

/**
 * Parses and validates MRZ lines. Returns null when the lines are not a TD1/TD2/TD3 MRZ; otherwise the
 * fields plus `checkDigits` = { documentNumber, birthDate, expiryDate, optional (TD3), composite }.
 */
export function parseMrz(rawLines: readonly string[], today: string): DocumentFields | null {
  const lines = rawLines.map((l) => l.trim().toUpperCase());
  const format = mrzFormatOf(lines);
  if (!format) return null;
  const [l1 = '', l2 = '', l3 = ''] = lines;

  if (format === 'TD1') {
    // A document number longer than 9 characters continues in the optional field, ending with its check digit.
    let docNumber = l1.slice(5, 14);
    let docDigit = l1.slice(14, 15);
    if (docDigit === '<') {
      const continuation = l1.slice(15, 30).split('<')[0] ?? '';
      if (continuation.length > 0) {
        docNumber += continuation.slice(0, -1);
        docDigit = continuation.slice(-1);
      }
    }
    const names = splitNames(l3);
    return {
      documentType: documentTypeOf(l1.slice(0, 2)),
      mrzFormat: format,
      mrzLines: lines,
      issuingCountry: normalizeCountry(l1.slice(2, 5)),
      documentNumber: strip(docNumber) || null,
      surname: names.surname,
      givenNames: names.givenNames,
      nationality: normalizeCountry(l2.slice(15, 18)),
      birthDate: mrzDate(l2.slice(0, 6), 'birth', today),
      expiryDate: mrzDate(l2.slice(8, 14), 'expiry', today),
      sex: sexOf(l2[7]),
      checkDigits: {
        documentNumber: isValidCheckDigit(docNumber, docDigit),
        birthDate: isValidCheckDigit(l2.slice(0, 6), l2.slice(6, 7)),
        expiryDate: isValidCheckDigit(l2.slice(8, 14), l2.slice(14, 15)),
        composite: isValidCheckDigit(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29), l2.slice(29, 30)),
      },
    };
  }

  // TD2 and TD3 share the layout of line 2 up to the optional data.
  const width = LINE_LENGTHS[format].length;
  const names = splitNames(l1.slice(5, width));
  const checkDigits: Record<string, boolean> = {
    documentNumber: isValidCheckDigit(l2.slice(0, 9), l2.slice(9, 10)),
    birthDate: isValidCheckDigit(l2.slice(13, 19), l2.slice(19, 20)),
    expiryDate: isValidCheckDigit(l2.slice(21, 27), l2.slice(27, 28)),
  };
  if (format === 'TD3') {
    checkDigits.optional = isValidCheckDigit(l2.slice(28, 42), l2.slice(42, 43));
    checkDigits.composite = isValidCheckDigit(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43), l2.slice(43, 44));
  } else {
    checkDigits.composite = isValidCheckDigit(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 35), l2.slice(35, 36));
  }
  return {
    documentType: documentTypeOf(l1.slice(0, 2)),
    mrzFormat: format,
    mrzLines: lines,
    issuingCountry: normalizeCountry(l1.slice(2, 5)),
    documentNumber: strip(l2.slice(0, 9)) || null,
    surname: names.surname,
    givenNames: names.givenNames,
    nationality: normalizeCountry(l2.slice(10, 13)),
    birthDate: mrzDate(l2.slice(13, 19), 'birth', today),
    expiryDate: mrzDate(l2.slice(21, 27), 'expiry', today),
    sex: sexOf(l2[20]),
    checkDigits,
  };
}

/**
 * Finds MRZ lines among OCR text lines (e.g. Textract LINE blocks, in reading order): two consecutive
 * lines of 44 (TD3) or 36 (TD2) characters, or three of 30 (TD1), over [A-Z0-9<] after removing spaces
 * and mapping look-alike filler glyphs to `<`. A line short by up to 3 trailing fillers is padded, since
 * OCR often drops the end of a run of `<`.
 */
export function findMrzLines(textLines: readonly string[]): string[] | null {
  const normalized = textLines.map((t) => t.toUpperCase().replace(/\s+/g, '').replace(/[«‹<]/g, '<'));
  const fit = (line: string | undefined, length: number): string | null => {
    if (line === undefined || !/^[0-9A-Z<]+$/.test(line) || line.length > length) return null;
    if (line.length === length) return line;
    return length - line.length <= 3 && line.endsWith('<') ? line.padEnd(length, '<') : null;
  };
  for (const format of ['TD3', 'TD2', 'TD1'] as const) {
    const { lines: count, length } = LINE_LENGTHS[format];
    for (let i = 0; i + count <= normalized.length; i++) {
      const group = normalized.slice(i, i + count).map((l) => fit(l, length));
      if (group.every((l): l is string => l !== null) && group.some((l) => l.includes('<<'))) return group;
    }
  }
  return null;
}
