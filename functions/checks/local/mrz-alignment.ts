import { MRZ_ALPHABET, type LinePosteriors } from './ocr';

/**
 * Aligns a CTC recognizer's per-time-step posteriors to a line of exactly `length` characters and returns,
 * for every character position, the probability of each MRZ symbol.
 *
 * MRZ lines have a known length (30, 36 or 44), so instead of collapsing the recognizer's best path (which
 * merges a doubled glyph like `<<` or `00` when it emits no blank between them, and drops or adds characters
 * where it is unsure) we sum over every CTC alignment of the time steps onto `length` slots
 * (forward-backward): blank, slot 1, blank, slot 2, ..., slot N, blank, where a slot keeps one symbol for as
 * long as it lasts. The probability that slot i holds symbol s is the total probability of the alignments in
 * which slot i is entered with s. A character the recognizer saw clearly gets a sharp distribution; where it
 * hesitated (an extra or a missing character, a smudged glyph), the uncertainty spreads over the symbols and
 * positions concerned, for the grammar-constrained decoder to resolve with the check digits or to refuse.
 */

export interface AlignmentOptions {
  /**
   * Weight of two consecutive slots holding the same symbol with no blank between them (strict CTC: 0).
   * PaddleOCR sometimes runs a doubled filler together; a small weight lets the alignment split such a run
   * without making a split the likely explanation of an ordinary long glyph.
   */
  repeatWithoutBlank: number;
}

export const DEFAULT_ALIGNMENT_OPTIONS: AlignmentOptions = { repeatWithoutBlank: 0.05 };

/** Where each slot may start: expected time step per slot and the tolerance around it, in time steps. */
export interface SlotWindow {
  steps: number[];
  radius: number;
}

const SYMBOLS = MRZ_ALPHABET.length;
/** Floor of any emission, so an alignment is never impossible (only very improbable). */
const EMISSION_FLOOR = 1e-6;

/**
 * Per-position symbol probabilities (each row sums to 1) for a line of `length` characters, or null when the
 * time steps are too few to hold that many characters.
 */
export function alignLine(
  posteriors: LinePosteriors,
  length: number,
  expected: SlotWindow | null = null,
  options: AlignmentOptions = DEFAULT_ALIGNMENT_OPTIONS,
): Float64Array[] | null {
  const steps = posteriors.symbols.length;
  if (length <= 0 || steps < length) return null;
  const mayEnter = (i: number, t: number): boolean =>
    !expected || Math.abs(t - (expected.steps[i] ?? Number.NaN)) <= expected.radius;
  const rho = options.repeatWithoutBlank;
  // Emissions: a symbol frame explains its own probability; a blank frame the blank probability. Mass on
  // classes that are no MRZ symbol is spread over nothing: spread evenly, it would raise every symbol the
  // grammar allows against the look-alike the recognizer actually saw (a digit 0 where a letter O must be).
  const emit = (t: number): Float64Array => {
    const e = new Float64Array(SYMBOLS);
    const scores = posteriors.symbols[t] as Float32Array;
    for (let s = 0; s < SYMBOLS; s++) e[s] = Math.max(EMISSION_FLOOR, scores[s] ?? 0);
    return e;
  };
  const blankOf = (t: number) => Math.max(EMISSION_FLOOR, posteriors.blank[t] ?? 0);
  const emissions = Array.from({ length: steps }, (_, t) => emit(t));

  // State layout per time step: slots [i * SYMBOLS + s] for i < length, blanks [i] for i <= length
  // (blank i = i slots done). Scaled forward pass: every step normalized, the entry terms kept for the
  // slot posteriors.
  const slotCount = length * SYMBOLS;
  const alpha: Float64Array[] = [];
  const alphaBlank: Float64Array[] = [];
  const entries: Float64Array[] = [];
  let prevSlots = new Float64Array(slotCount);
  let prevBlank = new Float64Array(length + 1);
  for (let t = 0; t < steps; t++) {
    const e = emissions[t] as Float64Array;
    const b = blankOf(t);
    const slots = new Float64Array(slotCount);
    const blank = new Float64Array(length + 1);
    const entry = new Float64Array(slotCount);
    if (t === 0) {
      blank[0] = b;
      if (mayEnter(0, 0))
        for (let s = 0; s < SYMBOLS; s++) {
          slots[s] = e[s] as number;
          entry[s] = e[s] as number;
        }
    } else {
      for (let i = 0; i <= length; i++) {
        let fromSlot = 0;
        if (i > 0) for (let s = 0; s < SYMBOLS; s++) fromSlot += prevSlots[(i - 1) * SYMBOLS + s] as number;
        blank[i] = b * ((prevBlank[i] as number) + fromSlot);
        if (i === length) continue;
        // Entering slot i with symbol s: from blank i, or from slot i-1 with another symbol (or, weighted by
        // rho, the same symbol without a blank between).
        let previousTotal = 0;
        if (i > 0) for (let s = 0; s < SYMBOLS; s++) previousTotal += prevSlots[(i - 1) * SYMBOLS + s] as number;
        const open = mayEnter(i, t);
        for (let s = 0; s < SYMBOLS; s++) {
          const same = i > 0 ? (prevSlots[(i - 1) * SYMBOLS + s] as number) : 0;
          const enter = open ? (e[s] as number) * ((prevBlank[i] as number) + previousTotal - same + rho * same) : 0;
          entry[i * SYMBOLS + s] = enter;
          slots[i * SYMBOLS + s] = enter + (e[s] as number) * (prevSlots[i * SYMBOLS + s] as number);
        }
      }
    }
    // Slots that cannot be reached yet or can no longer finish stay zero through the products above.
    let scale = 0;
    for (const v of slots) scale += v;
    for (const v of blank) scale += v;
    if (scale <= 0) return null;
    for (let k = 0; k < slotCount; k++) {
      slots[k] = (slots[k] as number) / scale;
      entry[k] = (entry[k] as number) / scale;
    }
    for (let i = 0; i <= length; i++) blank[i] = (blank[i] as number) / scale;
    alpha.push(slots);
    alphaBlank.push(blank);
    entries.push(entry);
    prevSlots = slots;
    prevBlank = blank;
  }

  // Backward pass with its own per-step normalization (only ratios within a step matter for the posteriors).
  const positions = Array.from({ length }, () => new Float64Array(SYMBOLS));
  let nextSlots = new Float64Array(slotCount);
  let nextBlank = new Float64Array(length + 1);
  // End: all slots done (blank `length`) or inside the last slot.
  nextBlank[length] = 1;
  for (let s = 0; s < SYMBOLS; s++) nextSlots[(length - 1) * SYMBOLS + s] = 1;
  for (let t = steps - 1; t >= 0; t--) {
    // Accumulate entry(t) * beta(t) for slot posteriors; beta(t) is nextSlots here.
    const entry = entries[t] as Float64Array;
    let mass = 0;
    for (let k = 0; k < slotCount; k++) mass += (alpha[t]?.[k] ?? 0) * (nextSlots[k] as number);
    for (let i = 0; i <= length; i++) mass += (alphaBlank[t]?.[i] ?? 0) * (nextBlank[i] as number);
    if (mass > 0) {
      for (let i = 0; i < length; i++) {
        const row = positions[i] as Float64Array;
        for (let s = 0; s < SYMBOLS; s++) {
          const k = i * SYMBOLS + s;
          row[s] = (row[s] as number) + ((entry[k] as number) * (nextSlots[k] as number)) / mass;
        }
      }
    }
    if (t === 0) break;
    // beta(t-1) from beta(t): the transitions of the forward pass, read backwards.
    const e = emissions[t] as Float64Array;
    const b = blankOf(t);
    const slots = new Float64Array(slotCount);
    const blank = new Float64Array(length + 1);
    for (let i = 0; i <= length; i++) {
      // From blank i: stay (blank i) or enter slot i with any symbol.
      let enterAny = 0;
      if (i < length && mayEnter(i, t))
        for (let s = 0; s < SYMBOLS; s++) enterAny += (e[s] as number) * (nextSlots[i * SYMBOLS + s] as number);
      blank[i] = b * (nextBlank[i] as number) + enterAny;
    }
    for (let i = 0; i < length; i++) {
      let enterNextAll = 0;
      const nextOpen = i + 1 < length && mayEnter(i + 1, t);
      if (nextOpen)
        for (let s = 0; s < SYMBOLS; s++)
          enterNextAll += (e[s] as number) * (nextSlots[(i + 1) * SYMBOLS + s] as number);
      for (let s = 0; s < SYMBOLS; s++) {
        const k = i * SYMBOLS + s;
        const stay = (e[s] as number) * (nextSlots[k] as number);
        const toBlank = b * (nextBlank[i + 1] as number);
        const sameNext = nextOpen ? (e[s] as number) * (nextSlots[k + SYMBOLS] as number) : 0;
        slots[k] = stay + toBlank + enterNextAll - sameNext + rho * sameNext;
      }
    }
    let scale = 0;
    for (const v of slots) scale += v;
    for (const v of blank) scale += v;
    if (scale <= 0) return null;
    for (let k = 0; k < slotCount; k++) slots[k] = (slots[k] as number) / scale;
    for (let i = 0; i <= length; i++) blank[i] = (blank[i] as number) / scale;
    nextSlots = slots;
    nextBlank = blank;
  }
  for (const row of positions) {
    let total = 0;
    for (const v of row) total += v;
    if (!(total > 0)) return null;
    for (let s = 0; s < SYMBOLS; s++) row[s] = (row[s] as number) / total;
  }
  return positions;
}

/** A character of the recognizer's best path: its symbol and the time step of its peak. */
export interface Peak {
  symbol: number;
  step: number;
}

/** The recognizer's best path over the MRZ alphabet, collapsed CTC-style, with each character's peak step. */
export function greedyPeaks(posteriors: LinePosteriors): Peak[] {
  const peaks: Peak[] = [];
  let previous = -1;
  let previousP = 0;
  posteriors.symbols.forEach((scores, t) => {
    let best = 0;
    for (let s = 1; s < SYMBOLS; s++) if ((scores[s] ?? 0) > (scores[best] ?? 0)) best = s;
    const p = scores[best] ?? 0;
    if ((posteriors.blank[t] ?? 0) >= p || (posteriors.other[t] ?? 0) > p) {
      previous = -1;
      return;
    }
    if (best === previous) {
      const last = peaks[peaks.length - 1];
      if (last && p > previousP) last.step = t;
      previousP = Math.max(previousP, p);
      return;
    }
    peaks.push({ symbol: best, step: t });
    previous = best;
    previousP = p;
  });
  return peaks;
}

/** The glyph pitch in time steps: the mean of the single gaps between consecutive peaks. */
export function peakPitch(peaks: readonly Peak[]): number {
  const diffs = peaks
    .slice(1)
    .map((p, i) => p.step - (peaks[i] as Peak).step)
    .sort((a, b) => a - b);
  // Peaks fall on whole time steps, so single gaps alternate (3, 4, 3, ...) around the true pitch: the median
  // alone would be 3 for a 3.5-step pitch and count a gap of 8 as three glyphs. Average the single gaps.
  const median = diffs[Math.floor(diffs.length / 2)] ?? 0;
  const single = diffs.filter((d) => d <= 1.5 * median);
  return single.reduce((a, b) => a + b, 0) / Math.max(1, single.length);
}

/** Characters the box cut off before the first peak (lines start about one step in). */
function leadingSlots(first: Peak, pitch: number): number {
  return Math.round((first.step - 1.5) / pitch);
}

/**
 * Where the line's text runs, in time steps: from the left edge of its first character (one the box cut off
 * included) at the glyph pitch. Null when the line has too few characters to measure the pitch.
 */
export function textSpan(posteriors: LinePosteriors): { start: number; pitch: number; steps: number } | null {
  const peaks = greedyPeaks(posteriors);
  if (peaks.length < 8) return null;
  const pitch = peakPitch(peaks);
  if (pitch < 2) return null;
  const first = peaks[0] as Peak;
  return { start: first.step - (leadingSlots(first, pitch) + 0.5) * pitch, pitch, steps: posteriors.symbols.length };
}

const FILLER = 0;
/** Two peaks closer than this share of the pitch are one glyph read twice. */
const SPLIT_GLYPH_GAP = 0.6;

/**
 * Where each of `length` characters should start, from the best path's peaks. OCR-B is monospaced: a gap of
 * k pitches between two peaks means k-1 characters there were merged or swallowed (a `<<` read as one `<`, a
 * glyph lost to the blank); they get evenly spaced expected steps. A line whose box stopped short of its filler
 * tail gets the missing fillers after the last step (`beyond`: how many). Null when the peaks cannot be fitted
 * to the length (a character too many inside the line, or a short line that does not end in fillers).
 */
export function expectedSlots(
  posteriors: LinePosteriors,
  length: number,
): { window: SlotWindow; beyond: number } | null {
  const peaks = greedyPeaks(posteriors);
  if (peaks.length < 8) return null;
  const pitch = peakPitch(peaks);
  if (pitch < 2) return null;
  const steps: number[] = [];
  const symbols: number[] = [];
  const first = peaks[0] as Peak;
  const lead = leadingSlots(first, pitch);
  for (let k = lead; k >= 1; k--) {
    steps.push(first.step - k * pitch);
    symbols.push(-1);
  }
  peaks.forEach((p, i) => {
    const prev = peaks[i - 1];
    if (prev) {
      const gap = p.step - prev.step;
      const missing = Math.round(gap / pitch) - 1;
      for (let k = 1; k <= missing; k++) {
        steps.push(prev.step + (k * gap) / (missing + 1));
        symbols.push(-1);
      }
    }
    steps.push(p.step);
    symbols.push(p.symbol);
  });
  // Too many characters: a glyph the recognizer split in two shows as two peaks much closer than the pitch;
  // keep one of them (the alignment window covers both).
  while (steps.length > length) {
    let closest = -1;
    for (let i = 1; i < steps.length; i++) {
      const gap = (steps[i] as number) - (steps[i - 1] as number);
      if (
        gap < SPLIT_GLYPH_GAP * pitch &&
        (closest < 0 || gap < (steps[closest] as number) - (steps[closest - 1] as number))
      )
        closest = i;
    }
    if (closest < 0) break;
    steps.splice(closest - 1, 2, ((steps[closest - 1] as number) + (steps[closest] as number)) / 2);
    symbols.splice(closest - 1, 2, -1);
  }
  const fillerTail = symbols.length >= 2 && symbols.at(-1) === FILLER && symbols.at(-2) === FILLER;
  let beyond = 0;
  // Still a character too many: it may sit anywhere, and dropping a tail filler instead would shift every
  // character after it (a name read "MARZZEN<" for "MARZEN<<" keeps confident letters and no check digit
  // covers it). Refuse the line rather than guess where the extra one is.
  if (steps.length > length) return null;
  if (steps.length < length) {
    if (!fillerTail || length - steps.length > 8) return null;
    beyond = length - steps.length;
  }
  return { window: { steps, radius: Math.max(1, pitch / 2) }, beyond };
}

/** Distribution given to a filler the box cut off (certain but for the look-alike noise of a read filler). */
const CUT_FILLER_PROBABILITY = 0.97;

/**
 * Per-position probabilities for a line of `length` characters: the windowed alignment of the recognizer's
 * posteriors, plus fillers for a filler tail the box cut off. Null when the line cannot be fitted.
 */
export function linePositionProbabilities(posteriors: LinePosteriors, length: number): Float64Array[] | null {
  const expected = expectedSlots(posteriors, length);
  if (!expected) return null;
  const inside = length - expected.beyond;
  const rows = alignLine(posteriors, inside, expected.window);
  if (!rows) return null;
  for (let k = 0; k < expected.beyond; k++) {
    const row = new Float64Array(SYMBOLS).fill((1 - CUT_FILLER_PROBABILITY) / (SYMBOLS - 1));
    row[FILLER] = CUT_FILLER_PROBABILITY;
    rows.push(row);
  }
  return rows;
}
