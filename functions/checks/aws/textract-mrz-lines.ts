import { MRZ_FORMATS, MRZ_LAYOUT, type MrzFormat } from '../../domain/mrz';
import { decodeMrz, TEXT_DECODE_OPTIONS, textToProbabilities } from '../../domain/mrz-decoding';

/**
 * Finds MRZ lines among OCR text lines (Textract LINE blocks, in reading order): two consecutive
 * lines of 44 (TD3) or 36 (TD2) characters, or three of 30 (TD1), over [A-Z0-9<] after removing spaces
 * and mapping look-alike filler glyphs to `<`. A line short by up to 3 trailing fillers is padded, since
 * OCR often drops the end of a run of `<`. Look-alike glyphs (O/0, I/1, B/8...) are repaired by the domain's
 * grammar-constrained decoder where the position's grammar or a check digit demands it ({@link repairLookAlikes});
 * anything else is left as read. Parsing and check digits: `parseMrz` in functions/domain/mrz.ts.
 */
export function findMrzLines(textLines: readonly string[]): string[] | null {
  const normalized = textLines.map((t) => t.toUpperCase().replace(/\s+/g, '').replace(/[«‹<]/g, '<'));
  const fitLine = (line: string | undefined, length: number): string | null => {
    if (line === undefined || !/^[0-9A-Z<]+$/.test(line) || line.length > length) return null;
    if (line.length === length) return line;
    return length - line.length <= 3 && line.endsWith('<') ? line.padEnd(length, '<') : null;
  };
  for (const format of MRZ_FORMATS) {
    const { lines: count, length } = MRZ_LAYOUT[format];
    for (let i = 0; i + count <= normalized.length; i++) {
      const group = normalized.slice(i, i + count).map((l) => fitLine(l, length));
      if (group.every((l): l is string => l !== null) && group.some((l) => l.includes('<<')))
        return repairLookAlikes(format, group);
    }
  }
  return null;
}

/**
 * The lines with look-alike glyphs repaired when the decoder finds one clearly most probable reading that
 * satisfies the grammar and every check digit; otherwise the lines as read (the caller's check-digit
 * validation then rejects them, e.g. as MRZ_CHECK_DIGIT_FAILED for a tampered MRZ).
 */
export function repairLookAlikes(format: MrzFormat, lines: string[]): string[] {
  const decoded = decodeMrz(format, textToProbabilities(lines), TEXT_DECODE_OPTIONS);
  return decoded.ok ? decoded.read.lines : lines;
}
