/**
 * ICAO Doc 9303 (part 3, section 4.9) check digits: each character gets a value (digits 0-9, letters
 * A=10 .. Z=35, filler `<` = 0), values are multiplied by the repeating weights 7, 3, 1, and the sum
 * modulo 10 is the check digit. Pure functions, no I/O.
 */

const WEIGHTS = [7, 3, 1] as const;

/** Value of one MRZ character, or null if the character is not allowed in an MRZ. */
export function mrzCharValue(ch: string): number | null {
  if (ch === '<') return 0;
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 90) return code - 55; // A=10 .. Z=35
  return null;
}

/** Computes the 7-3-1 check digit of `field`; throws on characters outside [0-9A-Z<]. */
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
 * True when `digit` (one character of the MRZ) is the check digit of `field`. A `<` check digit is
 * accepted only for an all-filler field (ICAO allows it for empty optional data).
 */
export function isValidCheckDigit(field: string, digit: string): boolean {
  if (!/^[0-9A-Z<]*$/.test(field)) return false;
  if (digit === '<') return /^<*$/.test(field);
  if (!/^[0-9]$/.test(digit)) return false;
  return computeCheckDigit(field) === Number(digit);
}
