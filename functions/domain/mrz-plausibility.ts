import { states } from 'mrz';
import { mrzFieldSpans, readSpan, type MrzFormat } from './mrz';

/**
 * Plausibility of MRZ fields that no check digit protects (names, country codes, filler runs). An OCR
 * misread there would pass the check digits silently, so an OCR engine rejects such reads instead.
 * Kept apart from mrz.ts so engines that never call it (the AWS provider) do not bundle the state list.
 */

/** ICAO state codes known to the `mrz` library, plus the ICAO test state UTO (flagged as a specimen by the rules). */
const KNOWN_STATES: ReadonlySet<string> = new Set([...Object.keys(states), 'UTO']);

/** Name field: SURNAME(<PART)* optionally followed by <<GIVEN(<PART)*, then fillers only. */
const NAME_FIELD = /^[A-Z]+(<[A-Z]+)*(<<[A-Z]+(<[A-Z]+)*)?<*$/;
/** Optional data: once a run of 3+ fillers starts, only fillers follow (stray glyphs in filler = misread). */
const STRAY_AFTER_FILLER = /<<<+[^<]/;

/**
 * Plausibility of fields that no check digit protects: a well-formed name field and no stray glyphs
 * inside filler runs of the optional data.
 */
export function plausibleMrz(format: MrzFormat, lines: readonly string[]): boolean {
  const spans = mrzFieldSpans(format);
  if (!NAME_FIELD.test(readSpan(lines, spans.name))) return false;
  return spans.optional.every((s) => !STRAY_AFTER_FILLER.test(readSpan(lines, s)));
}

/**
 * Whether the issuing state and nationality are ICAO codes (as listed by the `mrz` library, plus UTO).
 * Country codes carry no check digit: an unknown code is far more often a misread (UTO -> OTO) than real.
 */
export function knownStates(format: MrzFormat, lines: readonly string[]): boolean {
  const spans = mrzFieldSpans(format);
  return [spans.issuingState, spans.nationality].every((s) => KNOWN_STATES.has(readSpan(lines, s).replace(/</g, '')));
}
