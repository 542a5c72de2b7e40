import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Crypto } from '../../ports/crypto';

/** The crypto port on node:crypto (used by both runtimes). */
export const nodeCrypto: Crypto = {
  randomToken: (bytes) => randomBytes(bytes).toString('base64url'),
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (secret, data) => createHmac('sha256', secret).update(data).digest(),
  safeEqual(a, b) {
    // Hash both sides first so the comparison is constant-time even when lengths differ.
    const ha = createHash('sha256').update(a).digest();
    const hb = createHash('sha256').update(b).digest();
    return timingSafeEqual(ha, hb) && a.length === b.length;
  },
};
