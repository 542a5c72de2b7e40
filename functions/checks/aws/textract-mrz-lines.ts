import { MRZ_FORMATS, MRZ_LAYOUT } from '../../domain/mrz';

/**
 * Finds MRZ lines among OCR text lines (Textract LINE blocks, in reading order): two consecutive
 * lines of 44 (TD3) or 36 (TD2) characters, or three of 30 (TD1), over [A-Z0-9<] after removing spaces
 * and mapping look-alike filler glyphs to `<`. A line short by up to 3 trailing fillers is padded, since
 * OCR often drops the end of a run of `<`. Parsing and check digits: `parseMrz` in functions/domain/mrz.ts.
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
      if (group.every((l): l is string => l !== null) && group.some((l) => l.includes('<<'))) return group;
    }
  }
  return null;
}
