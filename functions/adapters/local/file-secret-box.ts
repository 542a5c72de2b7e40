import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { SecretBox, SecretMac } from '../../ports/crypto';

/**
 * SecretBox with AES-256-GCM under a local master key file (created 0600, never logged).
 * Ciphertext format: `v1.<iv>.<tag>.<data>` in base64url; GCM's tag detects tampering.
 * On AWS the same port is KMS (functions/adapters/aws).
 */
export function createFileSecretBox(masterKeyFile: string, opts: DecryptCacheOptions = {}): SecretBox {
  // One KeyObject: a raw Buffer key is imported again on every cipher (each webhook send decrypts its secret).
  const key = createSecretKey(loadOrCreateMasterKey(masterKeyFile));
  const recent = createDecryptCache(opts);
  return {
    async encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    async decrypt(ciphertext) {
      const cached = recent.get(ciphertext);
      if (cached !== undefined) return cached;
      const [version, iv, tag, data] = ciphertext.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('malformed ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
      recent.set(ciphertext, plaintext);
      return plaintext;
    },
  };
}

export interface DecryptCacheOptions {
  /** How long a decrypted secret is kept after its last decryption (default 60 s; 0 turns the cache off). */
  ttlMs?: number;
  /** Most secrets kept at once (default 256); the least recently decrypted goes first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Recently decrypted secrets, keyed by their ciphertext: every webhook send decrypts its endpoint's signing
 * secret, usually the same one as the send before. A ciphertext always decrypts to the same plaintext (GCM
 * authenticates it), so an entry can never be stale: a rotated secret is a new ciphertext, and a tampered one
 * is never a key here. Plaintexts stay in memory only for a short, bounded time after their last use.
 */
function createDecryptCache(opts: DecryptCacheOptions): {
  get(ciphertext: string): string | undefined;
  set(ciphertext: string, plaintext: string): void;
} {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 256;
  const now = opts.now ?? Date.now;
  // Insertion order is expiry order: an entry used again is moved to the end.
  const entries = new Map<string, { plaintext: string; expiresAt: number }>();
  const dropExpired = (t: number) => {
    for (const [c, e] of entries) {
      if (e.expiresAt > t) break;
      entries.delete(c);
    }
  };
  return {
    get(ciphertext) {
      const t = now();
      dropExpired(t);
      const e = entries.get(ciphertext);
      if (!e) return undefined;
      entries.delete(ciphertext);
      entries.set(ciphertext, { plaintext: e.plaintext, expiresAt: t + ttlMs });
      return e.plaintext;
    },
    set(ciphertext, plaintext) {
      if (ttlMs <= 0 || maxEntries <= 0) return;
      entries.delete(ciphertext);
      entries.set(ciphertext, { plaintext, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}

/**
 * SecretMac keyed from the same master key file: HKDF-SHA-256 with `purpose` as info gives each use its own key,
 * so a MAC never equals another use's MAC or the master key's. On AWS the same port is a KMS HMAC key.
 */
export function createFileSecretMac(masterKeyFile: string, purpose: string): SecretMac {
  const key = Buffer.from(hkdfSync('sha256', loadOrCreateMasterKey(masterKeyFile), Buffer.alloc(0), purpose, 32));
  return {
    async macHex(message) {
      return createHmac('sha256', key).update(message, 'utf8').digest('hex');
    },
  };
}

function loadOrCreateMasterKey(file: string): Buffer {
  if (!existsSync(file)) {
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`master key file ${file} is not a 32-byte base64 key`);
  return key;
}
