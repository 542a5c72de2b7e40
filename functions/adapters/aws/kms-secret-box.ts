/**
 * SecretBox over AWS KMS: each secret is encrypted directly by the key (secrets are a few dozen bytes,
 * far below KMS's 4 KB limit), bound to an encryption context so a ciphertext cannot be replayed
 * through another KMS use of the same key.
 */
import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SecretBox } from '../../ports/crypto';

/** Encryption context every signing secret is bound to (also usable in key-policy conditions). */
export const SIGNING_SECRET_CONTEXT = { purpose: 'kyc-signing-secret' } as const;

/** Marks the format, so a ciphertext from another SecretBox (e.g. local AES-GCM) is rejected clearly. */
const PREFIX = 'kms1:';

export class KmsSecretBox implements SecretBox {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: string): Promise<string> {
    const res = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(plaintext, 'utf8'),
        EncryptionContext: { ...SIGNING_SECRET_CONTEXT },
      }),
    );
    if (!res.CiphertextBlob) throw new Error('KMS Encrypt returned no ciphertext');
    return PREFIX + Buffer.from(res.CiphertextBlob).toString('base64url');
  }

  async decrypt(ciphertext: string): Promise<string> {
    if (!ciphertext.startsWith(PREFIX)) throw new Error('not a KMS SecretBox ciphertext');
    const blob = Buffer.from(ciphertext.slice(PREFIX.length), 'base64url');
    if (blob.length === 0) throw new Error('empty KMS SecretBox ciphertext');
    const res = await this.kms.send(
      // KeyId pins the key: KMS refuses a blob made by any other key instead of silently using it.
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: blob, EncryptionContext: { ...SIGNING_SECRET_CONTEXT } }),
    );
    if (!res.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
    return Buffer.from(res.Plaintext).toString('utf8');
  }
}
