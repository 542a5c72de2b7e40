import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';
import { KmsSecretMac } from '../../functions/adapters/aws/kms-secret-mac';
import { createFileSecretMac } from '../../functions/adapters/local/file-secret-box';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { identityKeys } from '../../functions/app/pipeline/identity-keys';
import type { DocumentFields } from '../../functions/domain/model';

/**
 * The cross-verification identity keys are MACs under a deployment secret: without the master key (locally) or
 * the KMS HMAC key (AWS), a stored key cannot be matched against a guessed name + birth date.
 */

const fields = {
  documentType: 'passport',
  issuingCountry: 'UTO',
  documentNumber: 'L898902C3',
  surname: 'Eriksson',
  givenNames: 'Anna María',
  birthDate: '1974-08-12',
} as unknown as DocumentFields;

const dirs: string[] = [];
const masterKeyFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-idkeys-'));
  dirs.push(dir);
  return join(dir, 'master.key');
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('identity keys', () => {
  it('are stable under one master key and differ under another (keyed, not a plain hash)', async () => {
    const file = masterKeyFile();
    const a = await identityKeys(createFileSecretMac(file, 'kyc-identity-keys-v1'), 'org_a', fields);
    const again = await identityKeys(createFileSecretMac(file, 'kyc-identity-keys-v1'), 'org_a', fields);
    const otherDeployment = await identityKeys(
      createFileSecretMac(masterKeyFile(), 'kyc-identity-keys-v1'),
      'org_a',
      fields,
    );
    expect(a.documentKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.personKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(again).toEqual(a);
    expect(otherDeployment.documentKeyHash).not.toBe(a.documentKeyHash);
    expect(otherDeployment.personKeyHash).not.toBe(a.personKeyHash);
  });

  it('cannot be recomputed from the fields alone (no unkeyed SHA-256 of the keyed text)', async () => {
    const keys = await identityKeys(createFileSecretMac(masterKeyFile(), 'kyc-identity-keys-v1'), 'org_a', fields);
    const guesses = ['document|org_a|UTO|L898902C3', 'person|org_a|ERIKSSON|ANNA MARIA|1974-08-12'].map((text) =>
      nodeCrypto.sha256Hex(text),
    );
    expect(guesses).not.toContain(keys.documentKeyHash);
    expect(guesses).not.toContain(keys.personKeyHash);
  });

  it('never correlate across organisations or across purposes of the master key', async () => {
    const file = masterKeyFile();
    const orgA = await identityKeys(createFileSecretMac(file, 'kyc-identity-keys-v1'), 'org_a', fields);
    const orgB = await identityKeys(createFileSecretMac(file, 'kyc-identity-keys-v1'), 'org_b', fields);
    const otherPurpose = await identityKeys(createFileSecretMac(file, 'another-use'), 'org_a', fields);
    expect(orgB.personKeyHash).not.toBe(orgA.personKeyHash);
    expect(otherPurpose.personKeyHash).not.toBe(orgA.personKeyHash);
  });

  it('normalize names (case, diacritics) before the MAC; a key is null when a field is missing', async () => {
    const mac = createFileSecretMac(masterKeyFile(), 'kyc-identity-keys-v1');
    const plain = await identityKeys(mac, 'org_a', fields);
    const variant = await identityKeys(mac, 'org_a', { ...fields, surname: 'ERIKSSON', givenNames: 'anna maria' });
    expect(variant.personKeyHash).toBe(plain.personKeyHash);
    const noNumber = await identityKeys(mac, 'org_a', { ...fields, documentNumber: null });
    expect(noNumber).toEqual({ documentKeyHash: null, personKeyHash: plain.personKeyHash });
  });

  it('on AWS are KMS GenerateMac (HMAC_SHA_256) with the configured key, hex-encoded', async () => {
    const sent: unknown[] = [];
    const kms = {
      send: async (command: { input: unknown }) => {
        sent.push(command.input);
        return { Mac: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) };
      },
    } as unknown as KMSClient;
    const mac = new KmsSecretMac(kms, 'arn:aws:kms:eu-west-1:111122223333:key/identity-mac');
    expect(await mac.macHex('person|org_a|X')).toBe('deadbeef');
    expect(sent).toEqual([
      {
        KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/identity-mac',
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from('person|org_a|X', 'utf8'),
      },
    ]);
  });
});
