import {
  CHECK_DIGIT_RULES,
  checkDigitsOf,
  MRZ_FORMATS,
  MRZ_LAYOUT,
  mrzFieldSpans,
  type CheckDigitField,
  type CheckDigitRule,
  type MrzFormat,
  type MrzSpan,
} from '../../domain/mrz';
import type { MrzDecodeRefusal } from '../../domain/mrz-decoding';
import { knownStates, plausibleMrz } from '../../domain/mrz-plausibility';
import { MRZ_ALPHABET, type RecognizedChar, type RecognizedLine } from './ocr';

/**
 * Turns raw OCR lines into MRZ lines: picks the MRZ block, fixes line length where only filler runs are off,
 * and resolves letter/digit confusions by each position's character class (ICAO 9303 layouts), using the
 * check digits to choose between corrections only when exactly one candidate validates. Layouts, check digits
 * and plausibility rules come from functions/domain/mrz.ts and mrz-plausibility.ts; only the OCR-specific parts live here.
 */

/** Character class per position: a = letters or `<`, n = digits (`<` tolerated), x = letters, digits or `<`. */
type CharClass = 'a' | 'n' | 'x' | string;

function classes(spec: Array<[number, CharClass]>): string[] {
  return spec.flatMap(([n, c]) => Array<string>(n).fill(c));
}

/** Sex position: M, F, X or `<` only. */
const SEX = 'MFX<';

/** Alphanumeric fields whose check digit may choose between look-alike corrections (dates are digits only). */
const CORRECTABLE: ReadonlySet<CheckDigitField> = new Set(['documentNumber', 'optional']);

/** Per format, per line, per position: a, n, x or an explicit set of allowed symbols (ICAO 9303 layouts). */
const CHAR_CLASSES: Record<MrzFormat, string[][]> = {
  TD3: [
    classes([
      [1, 'PV'],
      [4, 'a'],
      [39, 'a'],
    ]),
    classes([
      [9, 'x'],
      [1, 'n'],
      [3, 'a'],
      [6, 'n'],
      [1, 'n'],
      [1, SEX],
      [6, 'n'],
      [1, 'n'],
      [14, 'x'],
      [1, 'n'],
      [1, 'n'],
    ]),
  ],
  TD2: [
    classes([
      [1, 'ACIPV'],
      [4, 'a'],
      [31, 'a'],
    ]),
    classes([
      [9, 'x'],
      [1, 'n'],
      [3, 'a'],
      [6, 'n'],
      [1, 'n'],
      [1, SEX],
      [6, 'n'],
      [1, 'n'],
      [7, 'x'],
      [1, 'n'],
    ]),
  ],
  TD1: [
    classes([
      [1, 'ACI'],
      [4, 'a'],
      [9, 'x'],
      [1, 'n'],
      [15, 'x'],
    ]),
    classes([
      [6, 'n'],
      [1, 'n'],
      [1, SEX],
      [6, 'n'],
      [1, 'n'],
      [3, 'a'],
      [11, 'x'],
      [1, 'n'],
    ]),
    classes([[30, 'a']]),
  ],
};

/** Letter<->digit look-alikes used when a position's class rules one out. */
const DIGIT_FOR_LETTER: Record<string, string> = {
  O: '0',
  D: '0',
  Q: '0',
  U: '0',
  I: '1',
  L: '1',
  T: '7',
  Z: '2',
  S: '5',
  G: '6',
  B: '8',
  A: '4',
};
const LETTER_FOR_DIGIT: Record<string, string> = {
  '0': 'O',
  '1': 'I',
  '2': 'Z',
  '4': 'A',
  '5': 'S',
  '6': 'G',
  '7': 'T',
  '8': 'B',
};
/** Alternatives tried in alphanumeric fields when their check digit fails. */
const CONFUSABLE: Record<string, string[]> = {
  '0': ['O', 'D', 'Q'],
  O: ['0', 'D', 'Q'],
  D: ['0', 'O'],
  Q: ['0', 'O'],
  '1': ['I', 'L'],
  I: ['1', 'L'],
  L: ['1', 'I'],
  '2': ['Z'],
  Z: ['2'],
  '5': ['S'],
  S: ['5'],
  '6': ['G'],
  G: ['6'],
  '8': ['B'],
  B: ['8'],
  '4': ['A'],
  A: ['4'],
  '7': ['T'],
  T: ['7'],
};

/** Result of turning OCR lines into an MRZ. */
export interface MrzReadResult {
  format: MrzFormat;
  lines: string[];
  /** Per-field check-digit validity computed on the final lines. */
  checkDigits: Record<string, boolean>;
  /** Lowest confidence among characters of fields no check digit protects (names, codes, sex). */
  unprotectedConfidence: number;
  /** Posterior of the check-digit protected part among the valid readings (grammar-constrained decoding). */
  protectedPosterior?: number;
  /** Lowest confidence among symbols only the composite check digit protects, and that digit (decoder reads). */
  compositeOnlyConfidence?: number;
  /** Corrections applied (for logs/debug). */
  corrections: string[];
}

/** Why an MRZ block could not be assembled. */
export type MrzReadFailure =
  | 'not_found'
  | 'length_mismatch'
  | 'implausible'
  | Exclude<MrzDecodeRefusal, 'wrong_shape' | 'implausible'>;

interface WorkingChar {
  char: string;
  scores: Float32Array | null;
  confidence: number;
}

/** The recognizer's characters as mutable working copies. */
function toWorking(line: RecognizedLine): WorkingChar[] {
  return line.chars.map((c: RecognizedChar) => ({ char: c.char, scores: c.scores, confidence: c.confidence }));
}

/**
 * Fits a line to `length` by adding or removing trailing fillers (detection boxes often stop short of a long
 * filler tail). Missing characters inside the line were already recovered by the recognizer's spacing check.
 * A line whose tail is not filler cannot be fitted: that would shift every field.
 */
function fitLength(chars: WorkingChar[], length: number): WorkingChar[] | null {
  const out = chars.slice();
  if (out.length === length) return out;
  if (Math.abs(out.length - length) > 8) return null;
  const tailIsFiller = out.length >= 2 && out[out.length - 1]?.char === '<' && out[out.length - 2]?.char === '<';
  if (!tailIsFiller) return null;
  while (out.length < length) out.push({ char: '<', scores: null, confidence: 1 });
  while (out.length > length && out[out.length - 1]?.char === '<') out.pop();
  return out.length === length ? out : null;
}

function bestOf(scores: Float32Array | null, allowed: string): { char: string; p: number } | null {
  if (!scores) return null;
  let best: { char: string; p: number } | null = null;
  for (const c of allowed) {
    const p = scores[MRZ_ALPHABET.indexOf(c)] ?? 0;
    if (!best || p > best.p) best = { char: c, p };
  }
  return best;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Applies the position's character class to one char; returns the char and its confidence. */
function applyClass(c: WorkingChar, cls: string): WorkingChar {
  if (cls.length > 1) {
    // A closed set (document code letter, sex): keep the glyph if allowed, else the best allowed symbol.
    if (cls.includes(c.char)) return c;
    const best = bestOf(c.scores, cls);
    return { char: best?.char ?? '?', scores: c.scores, confidence: best?.p ?? 0 };
  }
  if (cls === 'a' && c.char >= '0' && c.char <= '9') {
    // A known look-alike (0 -> O) keeps the glyph's confidence; otherwise the recognizer's best letter decides.
    const mapped = LETTER_FOR_DIGIT[c.char];
    if (mapped) return { char: mapped, scores: c.scores, confidence: c.confidence };
    const best = bestOf(c.scores, LETTERS);
    return { char: best?.char ?? '?', scores: c.scores, confidence: best?.p ?? 0 };
  }
  if (cls === 'n' && c.char >= 'A' && c.char <= 'Z') {
    const mapped = DIGIT_FOR_LETTER[c.char];
    if (mapped) return { char: mapped, scores: c.scores, confidence: c.confidence };
    const best = bestOf(c.scores, DIGITS);
    return { char: best?.char ?? c.char, scores: c.scores, confidence: best?.p ?? 0 };
  }
  return c;
}

/** Tries up to two look-alike substitutions inside a correctable field; keeps the result only if unique. */
function correctByCheckDigit(format: MrzFormat, lines: string[], rule: CheckDigitRule): string[] | null {
  const { line: lineIndex, start, end } = rule.data[0] ?? { line: 0, start: 0, end: 0 };
  const line = lines[lineIndex] ?? '';
  const positions: number[] = [];
  for (let i = start; i < end; i++) if (CONFUSABLE[line[i] ?? '']) positions.push(i);
  const single = new Set<string>();
  const double = new Set<string>();
  const valid = (candidate: string) => {
    const next = lines.slice();
    next[lineIndex] = candidate;
    return checkDigitsOf(format, next)[rule.field] === true;
  };
  for (const [a, i] of positions.entries()) {
    for (const alt of CONFUSABLE[line[i] ?? ''] ?? []) {
      const one = line.slice(0, i) + alt + line.slice(i + 1);
      if (valid(one)) single.add(one);
      for (const j of positions.slice(a + 1)) {
        for (const alt2 of CONFUSABLE[line[j] ?? ''] ?? []) {
          const two = one.slice(0, j) + alt2 + one.slice(j + 1);
          if (valid(two)) double.add(two);
        }
      }
    }
  }
  // Fewest substitutions first; more than one candidate at that level is ambiguous.
  const candidates = single.size > 0 ? single : double;
  if (candidates.size !== 1) return null;
  const next = lines.slice();
  next[lineIndex] = [...candidates][0] ?? line;
  return next;
}

/** Positions that no check digit protects: names, codes, sex. */
function unprotectedPositions(format: MrzFormat): MrzSpan[] {
  const f = mrzFieldSpans(format);
  return [f.documentCode, f.issuingState, f.name, f.nationality, f.sex];
}

/**
 * Builds the MRZ from the OCR'd lines of one block (top to bottom). Returns the lines with position-class
 * fixes and unique check-digit corrections applied, or a failure reason.
 */
export function assembleMrz(format: MrzFormat, raw: RecognizedLine[]): MrzReadResult | MrzReadFailure {
  const length = MRZ_LAYOUT[format].length;
  const corrections: string[] = [];
  const fitted: WorkingChar[][] = [];
  for (const [i, line] of raw.entries()) {
    const chars = fitLength(toWorking(line), length);
    if (!chars) return 'length_mismatch';
    if (chars.length !== line.chars.length)
      corrections.push(`line ${i + 1}: filler length ${line.chars.length} -> ${length}`);
    const cls = CHAR_CLASSES[format][i] ?? [];
    fitted.push(
      chars.map((c, p) => {
        const fixed = applyClass(c, cls[p] ?? 'x');
        if (fixed.char !== c.char) corrections.push(`line ${i + 1} col ${p + 1}: ${c.char} -> ${fixed.char}`);
        return fixed;
      }),
    );
  }
  let lines = fitted.map((chars) => chars.map((c) => c.char).join(''));
  for (const rule of CHECK_DIGIT_RULES[format]) {
    if (!CORRECTABLE.has(rule.field) || checkDigitsOf(format, lines)[rule.field]) continue;
    const corrected = correctByCheckDigit(format, lines, rule);
    if (corrected) {
      corrections.push(`${rule.field}: corrected by check digit`);
      lines = corrected;
    }
  }
  let unprotectedConfidence = 1;
  for (const { line: l, start, end } of unprotectedPositions(format)) {
    for (let p = start; p < end; p++)
      unprotectedConfidence = Math.min(unprotectedConfidence, fitted[l]?.[p]?.confidence ?? 0);
  }
  const checkDigits: Record<string, boolean> = checkDigitsOf(format, lines);
  // Country codes carry no check digit: an unknown code is far more often a misread (UTO -> OTO) than a real one.
  if (!plausibleMrz(format, lines) || !knownStates(format, lines)) return 'implausible';
  return { format, lines, checkDigits, unprotectedConfidence, corrections };
}

/** A text line as read, with its vertical position, for MRZ block search. */
export interface PlacedLine {
  line: RecognizedLine;
  /** Centre y along the page (after deskew), for ordering. */
  y: number;
  height: number;
}

/** Lines that look like MRZ: mostly MRZ symbols, near an ICAO length, with fillers. */
function mrzScore(text: string, format: MrzFormat): number {
  const length = MRZ_LAYOUT[format].length;
  if (Math.abs(text.length - length) > 4) return 0;
  const fillers = (text.match(/</g) ?? []).length;
  return fillers >= 1 ? 1 - Math.abs(text.length - length) / 10 : 0;
}

/**
 * Finds the MRZ block among a page's text lines: the bottom-most run of 2 (TD2/TD3) or 3 (TD1) consecutive
 * lines that all look like MRZ lines of the same format.
 */
export function findMrzBlock(lines: PlacedLine[]): { format: MrzFormat; lines: RecognizedLine[] } | null {
  const sorted = lines.slice().sort((a, b) => a.y - b.y);
  let found: { format: MrzFormat; lines: RecognizedLine[]; score: number } | null = null;
  for (const format of MRZ_FORMATS) {
    const count = MRZ_LAYOUT[format].lines;
    for (let i = 0; i + count <= sorted.length; i++) {
      const block = sorted.slice(i, i + count);
      const scores = block.map((l) => mrzScore(l.line.text, format));
      if (scores.some((s) => s === 0)) continue;
      // Consecutive lines must be close: gap under ~3 line heights.
      const tight = block.every(
        (l, k) => k === 0 || l.y - (block[k - 1]?.y ?? 0) < 3 * Math.max(l.height, block[k - 1]?.height ?? 0),
      );
      if (!tight) continue;
      const score = scores.reduce((a, b) => a + b, 0) / count + (format === 'TD1' ? 0.01 : 0);
      if (!found || score >= found.score) found = { format, lines: block.map((l) => l.line), score };
    }
  }
  return found ? { format: found.format, lines: found.lines } : null;
}
