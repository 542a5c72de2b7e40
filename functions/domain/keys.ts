import type { KycKey, Mode } from './model';

/**
 * KYC API keys: `nextcap_kk_live_<43 chars>` / `nextcap_kk_test_<43 chars>` (256 random bits).
 * Keys are high-entropy, so a single SHA-256 is the right storage hash (a slow KDF adds nothing);
 * lookups are by hash, so no stored value can be replayed as a key.
 * Signing secrets are `whsec_<base64 of 32 random bytes>` (the Standard Webhooks format).
 */
export const KEY_PREFIX = 'nextcap_kk_';
const KEY_PATTERN = /^nextcap_kk_(live|test)_[A-Za-z0-9_-]{43}$/;

export function modeOfKey(key: string): Mode | null {
  const m = KEY_PATTERN.exec(key);
  return m ? (m[1] as Mode) : null;
}

export interface MintedKey {
  /** Shown once, never stored. */
  key: string;
  /** Shown once, stored encrypted. */
  secret: string;
  keyHash: string;
  displayPrefix: string;
}

/** The randomness and hashing key minting needs (the Crypto port provides both). */
export interface KeyMintingCrypto {
  /** Cryptographically random bytes, base64url-encoded. */
  randomToken(bytes: number): string;
  sha256Hex(data: string): string;
}

/** Mints a new key and signing secret; only the hash and the encrypted secret are ever stored. */
export function mintKeyMaterial(crypto: KeyMintingCrypto, mode: Mode): MintedKey {
  const key = `${KEY_PREFIX}${mode}_${crypto.randomToken(32)}`;
  const secret = `whsec_${Buffer.from(crypto.randomToken(32), 'base64url').toString('base64')}`;
  return {
    key,
    secret,
    keyHash: crypto.sha256Hex(key),
    displayPrefix: key.slice(0, KEY_PREFIX.length + mode.length + 5),
  };
}

export function isUsable(key: KycKey): boolean {
  return key.revokedAt === null;
}
