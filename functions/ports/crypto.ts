/**
 * Crypto port. Hashing and MAC are deterministic helpers; SecretBox encrypts secrets at rest
 * (local: AES-256-GCM with a 0600 master key file; AWS: KMS).
 */
export interface Crypto {
  /** Cryptographically random bytes, base64url-encoded. */
  randomToken(bytes: number): string;
  sha256Hex(data: string | Buffer): string;
  hmacSha256(secret: string | Buffer, data: string | Buffer): Buffer;
  /** Constant-time equality of two strings (false on length mismatch, without early exit on content). */
  safeEqual(a: string, b: string): boolean;
  /**
   * Authenticated encryption (AES-256-GCM) under a 32-byte key the caller derived; the result is text.
   * For data only its holder may read back (e.g. a stored response keyed by the request's secret).
   */
  seal(key: Buffer, plaintext: string): string;
  /** Opens {@link Crypto.seal} output; null if the key is wrong or the text was altered. */
  open(key: Buffer, sealed: string): string | null;
}

/**
 * Keyed MAC under a deployment secret that never sits next to the data (local: derived from the master key
 * file; AWS: a KMS HMAC key that never leaves KMS). For values that must stay comparable across records yet
 * be useless to whoever reads the store: an unkeyed hash of a name + birth date is reversed by enumeration.
 */
export interface SecretMac {
  /** HMAC-SHA-256 of `message` under the deployment secret, hex. */
  macHex(message: string): Promise<string>;
}

export interface SecretBox {
  encrypt(plaintext: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}
