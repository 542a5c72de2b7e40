import {
  CHECK_DIGIT_RULES,
  checkDigitsOf,
  MRZ_LAYOUT,
  mrzCharValue,
  mrzDate,
  mrzFieldSpans,
  type CheckDigitRule,
  type MrzFormat,
  type MrzSpan,
} from './mrz';
import { knownStates, plausibleMrz } from './mrz-plausibility';

/**
 * Grammar-constrained MRZ decoding (ICAO 9303), shared by every reader: given, for each character position,
 * a probability for each of the 37 MRZ symbols, it chooses the most probable reading that satisfies the
 * grammar of every position (digits in dates and check digits, letters and `<` in names and codes, closed
 * sets for the document code and sex), real calendar dates and every check digit, and says how sure it is.
 * A lattice over (position, running 7-3-1 sum mod 10) gives the k best valid readings of each protected
 * field; a second lattice over the composite digit combines them. Pure: no image work, no I/O.
 */

/** MRZ symbols in a fixed order: index = symbol id in the probability vectors. */
export const MRZ_SYMBOLS = '<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const FILLER = '<';
const LETTERS_OR_FILLER = `${LETTERS}${FILLER}`;
const ANY = MRZ_SYMBOLS;

/** Allowed symbols at each position of each line of each format (ICAO 9303 parts 4-6). */
function positionGrammar(format: MrzFormat): string[][] {
  const { lines, length } = MRZ_LAYOUT[format];
  const grammar = Array.from({ length: lines }, () => Array<string>(length).fill(ANY));
  const set = (s: MrzSpan, allowed: string) => {
    for (let i = s.start; i < s.end; i++) (grammar[s.line] as string[])[i] = allowed;
  };
  const spans = mrzFieldSpans(format);
  set(spans.name, LETTERS_OR_FILLER);
  set(spans.issuingState, LETTERS_OR_FILLER);
  set(spans.nationality, LETTERS_OR_FILLER);
  set(spans.sex, 'MFX<');
  // Document code: first letter from the ICAO families (P passports, I/A/C cards, V visas), second letter or `<`.
  set(
    { ...spans.documentCode, end: spans.documentCode.start + 1 },
    format === 'TD3' ? 'PV' : format === 'TD2' ? 'ACIPV' : 'ACI',
  );
  set({ ...spans.documentCode, start: spans.documentCode.start + 1 }, LETTERS_OR_FILLER);
  for (const rule of CHECK_DIGIT_RULES[format]) {
    if (rule.field === 'birthDate' || rule.field === 'expiryDate') for (const s of rule.data) set(s, DIGITS);
    // Check digits are digits; `<` only where ICAO allows it (empty optional data, long document numbers).
    const digitAllowed = rule.field === 'optional' || rule.field === 'documentNumber' ? `${DIGITS}${FILLER}` : DIGITS;
    set({ line: rule.digit.line, start: rule.digit.index, end: rule.digit.index + 1 }, digitAllowed);
  }
  return grammar;
}

const GRAMMARS: Record<MrzFormat, string[][]> = {
  TD1: positionGrammar('TD1'),
  TD2: positionGrammar('TD2'),
  TD3: positionGrammar('TD3'),
};

/** The allowed symbols at one position (exposed for tests and for readers that want the grammar). */
export function allowedSymbols(format: MrzFormat, line: number, index: number): string {
  return GRAMMARS[format][line]?.[index] ?? '';
}

/** Per line, per position: probability of each symbol of {@link MRZ_SYMBOLS} (need not sum to 1). */
export type MrzSymbolProbabilities = ReadonlyArray<ReadonlyArray<ArrayLike<number>>>;

/** Thresholds of the decoder's refusals. */
export interface MrzDecodeOptions {
  /** Lowest probability (within the position's grammar) of a chosen symbol no check digit protects. */
  minUnprotectedConfidence: number;
  /**
   * Lowest probability (within the position's grammar) of a chosen symbol that only the composite check digit
   * protects (TD1 optional data, TD2 optional data), and of the composite digit itself when there are such
   * symbols. One digit cannot tell two substitutions apart: a misread there plus a misread composite digit
   * can satisfy it together, so each of these symbols must stand on its own reading.
   */
  minCompositeOnlyConfidence: number;
  /** Lowest posterior of the chosen reading among all valid readings of the check-digit protected part. */
  minProtectedPosterior: number;
  /** Lowest raw probability of any chosen symbol: a symbol the reader all but ruled out is never chosen. */
  minSymbolProbability: number;
  /** Most symbols that may differ from the reader's own best guess. */
  maxCorrections: number;
}

export const DEFAULT_MRZ_DECODE_OPTIONS: MrzDecodeOptions = {
  minUnprotectedConfidence: 0.9,
  minCompositeOnlyConfidence: 0.9,
  minProtectedPosterior: 0.99,
  minSymbolProbability: 0.001,
  maxCorrections: 4,
};

/** A reading the decoder stands behind. */
export interface MrzDecoded {
  format: MrzFormat;
  lines: string[];
  /** Sum of log probabilities of the chosen symbols. */
  logProbability: number;
  /** Posterior of the chosen protected part (numbers, dates, optional data, check digits) among valid ones. */
  protectedPosterior: number;
  /** Lowest grammar-normalized probability among symbols no check digit protects. */
  unprotectedConfidence: number;
  /**
   * Lowest grammar-normalized probability of the chosen symbols only the composite digit protects and of that
   * digit (1 when the format has none: TD3).
   */
  compositeOnlyConfidence: number;
  /** Positions where the chosen symbol is not the reader's best guess (`line:col raw->chosen`, 1-based). */
  corrections: string[];
}

/** Why a reading was refused. */
export type MrzDecodeRefusal =
  | 'wrong_shape'
  | 'no_valid_reading'
  | 'ambiguous'
  | 'low_confidence'
  | 'implausible'
  | 'too_many_corrections';

export type MrzDecodeResult = { ok: true; read: MrzDecoded } | { ok: false; refusal: MrzDecodeRefusal; detail: string };

const FLOOR = 1e-6;
const WEIGHTS = [7, 3, 1] as const;
const SYMBOL_VALUES = [...MRZ_SYMBOLS].map((c) => mrzCharValue(c) ?? 0);

interface Candidate {
  /** Symbol ids for the positions of the block, in order. */
  symbols: number[];
  logp: number;
}

/** A run of positions decoded together, with its candidates and their weighted sum in the composite. */
interface Block {
  positions: Array<{ line: number; index: number }>;
  candidates: Candidate[];
}

function logOf(p: number): number {
  return Math.log(Math.max(FLOOR, p));
}

/**
 * k best symbol sequences over `positions` by (running weighted sum mod 10) state, restricted to the grammar.
 * `weightOffset` aligns the 7-3-1 weights; returns, per final residue, the best sequences.
 */
function kBestByResidue(
  format: MrzFormat,
  probs: MrzSymbolProbabilities,
  positions: Array<{ line: number; index: number }>,
  k: number,
  weightOffset: number,
): Candidate[][] {
  let states: Candidate[][] = Array.from({ length: 10 }, (_, r) => (r === 0 ? [{ symbols: [], logp: 0 }] : []));
  positions.forEach((pos, i) => {
    const weight = WEIGHTS[(i + weightOffset) % 3] as number;
    const dist = probs[pos.line]?.[pos.index];
    const next: Candidate[][] = Array.from({ length: 10 }, () => []);
    for (const s of plausibleSymbols(format, probs, pos.line, pos.index)) {
      const lp = logOf(dist?.[s] ?? 0);
      const add = ((SYMBOL_VALUES[s] ?? 0) * weight) % 10;
      for (let r = 0; r < 10; r++) {
        for (const c of states[r] as Candidate[]) {
          (next[(r + add) % 10] as Candidate[]).push({ symbols: [...c.symbols, s], logp: c.logp + lp });
        }
      }
    }
    states = next.map((list) => list.sort((a, b) => b.logp - a.logp).slice(0, k));
  });
  return states;
}

/** Symbols below this share of the position's best allowed symbol are left out of the lattices. */
const PRUNE_RATIO = 1e-4;

/** The allowed symbols at a position that are not negligible next to its best allowed symbol. */
function plausibleSymbols(format: MrzFormat, probs: MrzSymbolProbabilities, line: number, index: number): number[] {
  const dist = probs[line]?.[index];
  const allowed = [...allowedSymbols(format, line, index)].map((ch) => MRZ_SYMBOLS.indexOf(ch));
  const best = Math.max(...allowed.map((s) => dist?.[s] ?? 0));
  return allowed.filter((s) => (dist?.[s] ?? 0) >= best * PRUNE_RATIO);
}

/** Candidates of a field protected by its own check digit: data symbols followed by the digit. */
function fieldCandidates(format: MrzFormat, probs: MrzSymbolProbabilities, rule: CheckDigitRule, k: number): Block {
  const data = rule.data.flatMap((s) =>
    Array.from({ length: s.end - s.start }, (_, i) => ({ line: s.line, index: s.start + i })),
  );
  const digitPos = { line: rule.digit.line, index: rule.digit.index };
  const digitDist = probs[digitPos.line]?.[digitPos.index];
  const byResidue = kBestByResidue(format, probs, data, k, 0);
  const candidates: Candidate[] = [];
  for (let r = 0; r < 10; r++) {
    const s = MRZ_SYMBOLS.indexOf(String(r));
    for (const c of byResidue[r] as Candidate[]) {
      candidates.push({ symbols: [...c.symbols, s], logp: c.logp + logOf(digitDist?.[s] ?? 0) });
    }
  }
  const fillerDigit = logOf(digitDist?.[0] ?? 0);
  if (rule.field === 'optional') {
    // Empty optional data may carry `<` as its check digit.
    const allFiller = data.reduce((sum, p) => sum + logOf(probs[p.line]?.[p.index]?.[0] ?? 0), 0);
    candidates.push({ symbols: [...data.map(() => 0), 0], logp: allFiller + fillerDigit });
  }
  if (rule.field === 'documentNumber' && format !== 'TD3') {
    // A number longer than 9 characters: `<` here, continued (with its check digit) in the optional data.
    // The continuation is verified on the whole lines at the end.
    const best = data.map((p) => bestAllowed(format, probs, p.line, p.index));
    candidates.push({
      symbols: [...best.map((b) => b.symbol), 0],
      logp: best.reduce((sum, b) => sum + b.logp, 0) + fillerDigit,
    });
  }
  const dateField = rule.field === 'birthDate' || rule.field === 'expiryDate';
  const valid = dateField
    ? candidates.filter((c) =>
        isRealYymmdd(
          c.symbols
            .slice(0, 6)
            .map((s) => MRZ_SYMBOLS[s])
            .join(''),
        ),
      )
    : candidates;
  return { positions: [...data, digitPos], candidates: valid.sort((a, b) => b.logp - a.logp).slice(0, k) };
}

function isRealYymmdd(yymmdd: string): boolean {
  return mrzDate(yymmdd, 'expiry', '2000-01-01') !== null;
}

function bestAllowed(
  format: MrzFormat,
  probs: MrzSymbolProbabilities,
  line: number,
  index: number,
): { symbol: number; logp: number; confidence: number } {
  const allowed = allowedSymbols(format, line, index);
  const dist = probs[line]?.[index];
  let best = { symbol: 0, p: -1 };
  let total = 0;
  for (const ch of allowed) {
    const s = MRZ_SYMBOLS.indexOf(ch);
    const p = dist?.[s] ?? 0;
    total += p;
    if (p > best.p) best = { symbol: s, p };
  }
  return { symbol: best.symbol, logp: logOf(best.p), confidence: total > 0 ? best.p / total : 0 };
}

/** Weighted 7-3-1 sum mod 10 of a candidate placed at `offset` in the composite data. */
function residueAt(symbols: readonly number[], offset: number): number {
  let sum = 0;
  symbols.forEach((s, i) => {
    sum += (SYMBOL_VALUES[s] ?? 0) * (WEIGHTS[(i + offset) % 3] as number);
  });
  return sum % 10;
}

interface Combination {
  choice: number[];
  logp: number;
}

const K_FIELD = 12;
const K_COMBINATIONS = 24;

/**
 * Decodes the MRZ of `format` from per-position symbol probabilities. Returns the most probable reading
 * satisfying the grammar, real dates and every check digit, or a refusal when no such reading exists, when
 * it is not clearly more probable than the next valid one, when a symbol no check digit protects is unsure,
 * or when it departs from the reader's own guesses in too many places.
 */
export function decodeMrz(
  format: MrzFormat,
  probs: MrzSymbolProbabilities,
  options: MrzDecodeOptions = DEFAULT_MRZ_DECODE_OPTIONS,
): MrzDecodeResult {
  const layout = MRZ_LAYOUT[format];
  if (probs.length !== layout.lines || probs.some((l) => l.length !== layout.length)) {
    return { ok: false, refusal: 'wrong_shape', detail: `expected ${layout.lines} lines of ${layout.length}` };
  }
  const rules = CHECK_DIGIT_RULES[format];
  const composite = rules.find((r) => r.field === 'composite') as CheckDigitRule;
  const fieldRules = rules.filter((r) => r.field !== 'composite');
  const fieldBlocks = fieldRules.map((r) => fieldCandidates(format, probs, r, K_FIELD));
  const emptyField = fieldBlocks.findIndex((b) => b.candidates.length === 0);
  if (emptyField >= 0) {
    return { ok: false, refusal: 'no_valid_reading', detail: `${fieldRules[emptyField]?.field} has no valid reading` };
  }

  // Composite data in order; positions not covered by a field block are unprotected chunks of it.
  const compositePositions = composite.data.flatMap((s) =>
    Array.from({ length: s.end - s.start }, (_, i) => ({ line: s.line, index: s.start + i })),
  );
  const key = (p: { line: number; index: number }) => `${p.line}:${p.index}`;
  const blockOf = new Map<string, number>();
  fieldBlocks.forEach((b, bi) => {
    for (const p of b.positions) blockOf.set(key(p), bi);
  });
  // Segments of the composite: [block index or -1 for an unprotected run, positions, offset].
  const segments: Array<{ block: Block; offset: number }> = [];
  let i = 0;
  while (i < compositePositions.length) {
    const p = compositePositions[i] as { line: number; index: number };
    const bi = blockOf.get(key(p));
    if (bi !== undefined) {
      const block = fieldBlocks[bi] as Block;
      segments.push({ block, offset: i });
      i += block.positions.length;
      continue;
    }
    const run: Array<{ line: number; index: number }> = [];
    while (
      i < compositePositions.length &&
      blockOf.get(key(compositePositions[i] as { line: number; index: number })) === undefined
    ) {
      run.push(compositePositions[i] as { line: number; index: number });
      i++;
    }
    const offset = i - run.length;
    const byResidue = kBestByResidue(format, probs, run, 4, offset);
    segments.push({ block: { positions: run, candidates: byResidue.flat().sort((a, b) => b.logp - a.logp) }, offset });
  }
  // Field blocks outside the composite (none in ICAO layouts, kept for safety) are decoded on their own.
  const inComposite = new Set(segments.map((s) => s.block));

  // Lattice over composite residue: top combinations per residue.
  let states: Combination[][] = Array.from({ length: 10 }, (_, r) => (r === 0 ? [{ choice: [], logp: 0 }] : []));
  for (const seg of segments) {
    const next: Combination[][] = Array.from({ length: 10 }, () => []);
    seg.block.candidates.forEach((c, ci) => {
      const add = residueAt(c.symbols, seg.offset);
      for (let r = 0; r < 10; r++) {
        for (const comb of states[r] as Combination[]) {
          (next[(r + add) % 10] as Combination[]).push({ choice: [...comb.choice, ci], logp: comb.logp + c.logp });
        }
      }
    });
    states = next.map((list) => list.sort((a, b) => b.logp - a.logp).slice(0, K_COMBINATIONS));
  }
  const compositeDist = probs[composite.digit.line]?.[composite.digit.index];
  const finals: Combination[] = [];
  for (let r = 0; r < 10; r++) {
    const lp = logOf(compositeDist?.[MRZ_SYMBOLS.indexOf(String(r))] ?? 0);
    for (const comb of states[r] as Combination[]) finals.push({ choice: comb.choice, logp: comb.logp + lp });
  }
  finals.sort((a, b) => b.logp - a.logp);

  // Unprotected positions: best allowed symbol each.
  const covered = new Set<string>([key(composite.digit)]);
  for (const seg of segments) for (const p of seg.block.positions) covered.add(key(p));
  for (const b of fieldBlocks) if (!inComposite.has(b)) for (const p of b.positions) covered.add(key(p));
  const chosen = Array.from({ length: layout.lines }, () => Array<number>(layout.length).fill(0));
  let unprotectedConfidence = 1;
  let unprotectedLogp = 0;
  for (let line = 0; line < layout.lines; line++) {
    for (let index = 0; index < layout.length; index++) {
      if (covered.has(`${line}:${index}`)) continue;
      const best = bestAllowed(format, probs, line, index);
      (chosen[line] as number[])[index] = best.symbol;
      unprotectedConfidence = Math.min(unprotectedConfidence, best.confidence);
      unprotectedLogp += best.logp;
    }
  }

  const render = (comb: Combination): string[] => {
    const out = chosen.map((l) => l.slice());
    comb.choice.forEach((ci, si) => {
      const seg = segments[si] as { block: Block };
      const cand = seg.block.candidates[ci] as Candidate;
      seg.block.positions.forEach((p, k) => {
        (out[p.line] as number[])[p.index] = cand.symbols[k] as number;
      });
    });
    const digit = residueOfComposite(out, composite);
    (out[composite.digit.line] as number[])[composite.digit.index] = MRZ_SYMBOLS.indexOf(String(digit));
    return out.map((l) => l.map((s) => MRZ_SYMBOLS[s]).join(''));
  };

  // The best combination whose lines validate in full (long document numbers are only verifiable here).
  const valid: Array<{ lines: string[]; logp: number }> = [];
  for (const comb of finals) {
    const lines = render(comb);
    const digits = checkDigitsOf(format, lines);
    if (Object.values(digits).every(Boolean)) valid.push({ lines, logp: comb.logp });
  }
  const best = valid[0];
  if (!best) return { ok: false, refusal: 'no_valid_reading', detail: 'no reading satisfies every check digit' };
  const total = valid.reduce((sum, v) => sum + Math.exp(v.logp - best.logp), 0);
  const protectedPosterior = 1 / total;
  const corrections = correctionsOf(probs, best.lines);
  const compositeOnly = segments
    .filter((seg) => !fieldBlocks.includes(seg.block))
    .flatMap((seg) => seg.block.positions);
  const witnessed = compositeOnly.length > 0 ? [...compositeOnly, composite.digit] : [];
  const compositeOnlyConfidence = Math.min(
    1,
    ...witnessed.map((p) => chosenConfidence(format, probs, p.line, p.index, best.lines)),
  );
  const read: MrzDecoded = {
    format,
    lines: best.lines,
    logProbability: best.logp + unprotectedLogp,
    protectedPosterior,
    unprotectedConfidence,
    compositeOnlyConfidence,
    corrections,
  };
  if (!plausibleMrz(format, best.lines) || !knownStates(format, best.lines)) {
    return { ok: false, refusal: 'implausible', detail: 'name field or country code not plausible' };
  }
  const weakest = weakestChosen(probs, best.lines);
  if (weakest < options.minSymbolProbability) {
    return { ok: false, refusal: 'low_confidence', detail: `a chosen symbol has probability ${weakest.toFixed(4)}` };
  }
  if (corrections.length > options.maxCorrections) {
    return { ok: false, refusal: 'too_many_corrections', detail: corrections.join(', ') };
  }
  if (protectedPosterior < options.minProtectedPosterior) {
    return { ok: false, refusal: 'ambiguous', detail: `posterior ${protectedPosterior.toFixed(3)}` };
  }
  if (unprotectedConfidence < options.minUnprotectedConfidence) {
    return {
      ok: false,
      refusal: 'low_confidence',
      detail: `unprotected confidence ${unprotectedConfidence.toFixed(3)}`,
    };
  }
  if (compositeOnlyConfidence < options.minCompositeOnlyConfidence) {
    return {
      ok: false,
      refusal: 'low_confidence',
      detail: `composite-only confidence ${compositeOnlyConfidence.toFixed(3)}`,
    };
  }
  return { ok: true, read };
}

/** Probability of the chosen symbol at a position, normalized over the symbols its grammar allows. */
function chosenConfidence(
  format: MrzFormat,
  probs: MrzSymbolProbabilities,
  line: number,
  index: number,
  lines: readonly string[],
): number {
  const dist = probs[line]?.[index];
  let total = 0;
  for (const ch of allowedSymbols(format, line, index)) total += dist?.[MRZ_SYMBOLS.indexOf(ch)] ?? 0;
  const chosen = dist?.[MRZ_SYMBOLS.indexOf(lines[line]?.[index] ?? '')] ?? 0;
  return total > 0 ? chosen / total : 0;
}

function residueOfComposite(symbols: number[][], composite: CheckDigitRule): number {
  const data = composite.data.flatMap((s) => (symbols[s.line] ?? []).slice(s.start, s.end));
  return residueAt(data, 0);
}

function argmaxOf(dist: ArrayLike<number> | undefined): number {
  let best = 0;
  if (!dist) return best;
  for (let s = 1; s < dist.length; s++) if ((dist[s] ?? 0) > (dist[best] ?? 0)) best = s;
  return best;
}

function correctionsOf(probs: MrzSymbolProbabilities, lines: string[]): string[] {
  const out: string[] = [];
  lines.forEach((line, l) => {
    for (let i = 0; i < line.length; i++) {
      const raw = MRZ_SYMBOLS[argmaxOf(probs[l]?.[i])] ?? '?';
      if (raw !== line[i]) out.push(`${l + 1}:${i + 1} ${raw}->${line[i]}`);
    }
  });
  return out;
}

function weakestChosen(probs: MrzSymbolProbabilities, lines: string[]): number {
  let weakest = 1;
  lines.forEach((line, l) => {
    for (let i = 0; i < line.length; i++) {
      weakest = Math.min(weakest, probs[l]?.[i]?.[MRZ_SYMBOLS.indexOf(line[i] ?? '')] ?? 0);
    }
  });
  return weakest;
}

/** Look-alike glyphs of text OCR engines (letters and digits that share a shape), both ways. */
const TEXT_CONFUSIONS: Record<string, string> = {
  '0': 'ODQU',
  O: '0DQ',
  D: '0O',
  Q: '0O',
  U: '0',
  '1': 'IL',
  I: '1L',
  L: '1I',
  '2': 'Z',
  Z: '2',
  '4': 'A',
  A: '4',
  '5': 'S',
  S: '5',
  '6': 'G',
  G: '6',
  '7': 'T',
  T: '7',
  '8': 'B',
  B: '8',
};

/**
 * Turns MRZ text read by a general text OCR (e.g. Textract) into symbol probabilities: the read glyph is
 * very likely, its look-alikes possible, anything else all but excluded. Decoding such text repairs
 * look-alike confusions where the grammar or a check digit demands it, and nothing else: a changed digit
 * that is not a look-alike (a tampered MRZ) still fails its check digit.
 */
export function textToProbabilities(lines: readonly string[]): number[][][] {
  return lines.map((line) =>
    [...line].map((ch) => {
      const dist = Array<number>(MRZ_SYMBOLS.length).fill(1e-9);
      const alts = TEXT_CONFUSIONS[ch] ?? '';
      for (const a of alts) dist[MRZ_SYMBOLS.indexOf(a)] = 0.02;
      const s = MRZ_SYMBOLS.indexOf(ch);
      if (s >= 0) dist[s] = 0.9;
      return dist;
    }),
  );
}

/** Options for text reads: symbols are either the read glyph (0.9) or a look-alike (0.02). */
export const TEXT_DECODE_OPTIONS: MrzDecodeOptions = {
  minUnprotectedConfidence: 0.5,
  minCompositeOnlyConfidence: 0.5,
  minProtectedPosterior: 0.9,
  minSymbolProbability: 0.01,
  maxCorrections: 3,
};
