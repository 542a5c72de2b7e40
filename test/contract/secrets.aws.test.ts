/**
 * The SecretBox contract against the KMS adapter. KMS has no local emulator here: aws-sdk-client-mock
 * stands in with a fake that really encrypts (AES-256-GCM, encryption context and key id as AAD), so
 * tampering and context mismatches fail the way KMS would (InvalidCiphertextException).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsSecretBox, SIGNING_SECRET_CONTEXT } from '../../functions/adapters/aws/kms-secret-box';
import { TEST_CREDENTIALS } from '../support/emulators';
import { describeSecretsContract } from './secrets.contract';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/secrets';

class InvalidCiphertextException extends Error {
  override name = 'InvalidCiphertextException';
}

/** Authenticated data: the context (sorted) and the key, as KMS binds both to a ciphertext. */
function aad(keyId: string | undefined, context: Record<string, string> | undefined): Buffer {
  const sorted = Object.fromEntries(Object.entries(context ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return Buffer.from(JSON.stringify({ keyId, context: sorted }));
}

/** Installs a reversible KMS fake on a new client; returns the client and the mock for call inspection. */
function fakeKms() {
  const client = new KMSClient({ region: 'eu-west-1', credentials: TEST_CREDENTIALS });
  const mock = mockClient(client);
  const master = randomBytes(32);
  mock
    .on(EncryptCommand)
    .callsFake((input: { KeyId?: string; Plaintext?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv);
      cipher.setAAD(aad(input.KeyId, input.EncryptionContext));
      const body = Buffer.concat([cipher.update(input.Plaintext ?? new Uint8Array()), cipher.final()]);
      return { CiphertextBlob: Buffer.concat([iv, cipher.getAuthTag(), body]), KeyId: input.KeyId };
    });
  mock
    .on(DecryptCommand)
    .callsFake((input: { KeyId?: string; CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
      const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
      try {
        const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
        decipher.setAAD(aad(input.KeyId, input.EncryptionContext));
        decipher.setAuthTag(blob.subarray(12, 28));
        return { Plaintext: Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]), KeyId: input.KeyId };
      } catch {
        throw new InvalidCiphertextException('ciphertext or encryption context does not match');
      }
    });
  return { client, mock };
}

describeSecretsContract('KMS (aws-sdk-client-mock fake)', async () => {
  const { client, mock } = fakeKms();
  return {
    secrets: new KmsSecretBox(client, KEY_ARN),
    cleanup: async () => {
      mock.restore();
      client.destroy();
    },
  };
});

describe('KmsSecretBox requests', () => {
  it('sends the key and the signing-secret encryption context on both calls', async () => {
    const { client, mock } = fakeKms();
    const box = new KmsSecretBox(client, KEY_ARN);
    const ciphertext = await box.encrypt('whsec_abc');
    expect(ciphertext.startsWith('kms1:')).toBe(true);
    await box.decrypt(ciphertext);
    const enc = mock.commandCalls(EncryptCommand)[0]!.args[0].input;
    const dec = mock.commandCalls(DecryptCommand)[0]!.args[0].input;
    expect(enc.KeyId).toBe(KEY_ARN);
    expect(enc.EncryptionContext).toEqual({ purpose: 'kyc-signing-secret' });
    expect(dec.KeyId).toBe(KEY_ARN);
    expect(dec.EncryptionContext).toEqual(SIGNING_SECRET_CONTEXT);
    mock.restore();
  });

  it('cannot decrypt through a box bound to another key', async () => {
    const { client, mock } = fakeKms();
    const ciphertext = await new KmsSecretBox(client, KEY_ARN).encrypt('whsec_abc');
    await expect(
      new KmsSecretBox(client, 'arn:aws:kms:eu-west-1:111122223333:key/other').decrypt(ciphertext),
    ).rejects.toThrow(/does not match/);
    mock.restore();
  });
});
