import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Crypto } from '../../ports/crypto';

/** Marks {@link Crypto.seal} output (format version 1: iv | tag | ciphertext, base64url). */
const SEALED_PREFIX = 'gcm1:';

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
  seal(key, plaintext) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  },
  open(key, sealed) {
    if (!sealed.startsWith(SEALED_PREFIX)) return null;
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    if (raw.length < 28) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  },
};
