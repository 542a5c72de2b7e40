/**
 * SecretMac over an AWS KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC): the key never leaves KMS, so reading the
 * table alone cannot confirm a guessed identity against the stored MACs.
 */
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SecretMac } from '../../ports/crypto';

export class KmsSecretMac implements SecretMac {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async macHex(message: string): Promise<string> {
    const res = await this.kms.send(
      new GenerateMacCommand({
        KeyId: this.keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(message, 'utf8'),
      }),
    );
    if (!res.Mac) throw new Error('KMS GenerateMac returned no MAC');
    return Buffer.from(res.Mac).toString('hex');
  }
}
