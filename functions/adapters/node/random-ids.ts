import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../ports/ids';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Prefixed ids with 20 random base-36 characters (~103 bits): collision-free at internet scale
 * without coordination. Rejection sampling keeps every character uniform.
 */
export function createRandomIds(length = 20): IdGenerator {
  return {
    next(prefix) {
      let out = '';
      while (out.length < length) {
        for (const byte of randomBytes(length * 2)) {
          if (byte < 252 && out.length < length) out += ALPHABET[byte % 36];
        }
      }
      return `${prefix}_${out}`;
    },
  };
}
