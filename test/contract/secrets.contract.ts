/**
 * Contract of the SecretBox port (functions/ports/crypto.ts): local AES-256-GCM and KMS alike must
 * round-trip, never expose the plaintext, and refuse a ciphertext that was altered.
 */
import type { SecretBox } from '../../functions/ports/crypto';

export interface SecretBoxFixture {
  secrets: SecretBox;
  cleanup(): Promise<void>;
}

/** Changes one character in the middle of the ciphertext to another of the same alphabet. */
function tamper(ciphertext: string): string {
  const i = Math.floor(ciphertext.length / 2);
  const c = ciphertext[i]!;
  const replacement = c === 'A' ? 'B' : 'A';
  return ciphertext.slice(0, i) + replacement + ciphertext.slice(i + 1);
}

/**
 * Registers the SecretBox contract for one adapter.
 * @param makeSecrets builds a SecretBox; called before every test, `cleanup` after it
 */
export function describeSecretsContract(name: string, makeSecrets: () => Promise<SecretBoxFixture>): void {
  describe(`secrets contract: ${name}`, () => {
    let fixture: SecretBoxFixture;
    let secrets: SecretBox;

    beforeEach(async () => {
      fixture = await makeSecrets();
      secrets = fixture.secrets;
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });

    it('round-trips secrets, including non-ASCII text', async () => {
      for (const plaintext of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'ünïcødé ✓ 秘密', 'x']) {
        const ciphertext = await secrets.encrypt(plaintext);
        expect(typeof ciphertext).toBe('string');
        expect(await secrets.decrypt(ciphertext)).toBe(plaintext);
      }
    });

    it('never contains the plaintext', async () => {
      const plaintext = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      const ciphertext = await secrets.encrypt(plaintext);
      expect(ciphertext).not.toBe(plaintext);
      expect(ciphertext).not.toContain(plaintext);
      expect(ciphertext).not.toContain(Buffer.from(plaintext).toString('base64'));
      expect(ciphertext).not.toContain(Buffer.from(plaintext).toString('base64url'));
    });

    it('rejects a tampered ciphertext', async () => {
      const ciphertext = await secrets.encrypt('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      await expect(secrets.decrypt(tamper(ciphertext))).rejects.toThrow();
    });

    it('rejects garbage', async () => {
      await expect(secrets.decrypt('not-a-ciphertext')).rejects.toThrow();
    });
  });
}
