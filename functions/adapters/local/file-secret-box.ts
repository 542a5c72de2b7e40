import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { SecretBox, SecretMac } from '../../ports/crypto';

/**
 * SecretBox with AES-256-GCM under a local master key file (created 0600, never logged).
 * Ciphertext format: `v1.<iv>.<tag>.<data>` in base64url; GCM's tag detects tampering.
 * On AWS the same port is KMS (functions/adapters/aws).
 */
export function createFileSecretBox(masterKeyFile: string): SecretBox {
  // One KeyObject: a raw Buffer key is imported again on every cipher (each webhook send decrypts its secret).
  const key = createSecretKey(loadOrCreateMasterKey(masterKeyFile));
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
      const [version, iv, tag, data] = ciphertext.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('malformed ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
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
