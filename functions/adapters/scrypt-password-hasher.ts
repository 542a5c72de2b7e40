import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../ports/passwords';

/**
 * scrypt (RFC 7914) with N = 2^15, r = 8, p = 1, a 16-byte random salt and a 32-byte digest: 32 MiB of
 * memory and tens of milliseconds per hash, the OWASP-recommended minimum for interactive sign-in.
 * Stored as `scrypt$N=32768,r=8,p=1$<salt base64>$<digest base64>`, so the parameters can be raised
 * later without invalidating existing hashes. Runs on libuv's thread pool (async), never on the event loop.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

const HASH_FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function createScryptPasswordHasher(params: Partial<typeof SCRYPT_PARAMS> = {}): PasswordHasher {
  const { N, r, p, keyLength, saltLength } = { ...SCRYPT_PARAMS, ...params };
  return {
    async hash(password) {
      const salt = randomBytes(saltLength);
      const digest = await derive(password, salt, N, r, p, keyLength);
      return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${digest.toString('base64')}`;
    },
    async verify(password, hash) {
      const m = HASH_FORMAT.exec(hash);
      const [, n, rr, pp, salt, digest] = m ?? [];
      if (!salt || !digest) return false;
      const [hN, hr, hp] = [Number(n), Number(rr), Number(pp)];
      // Refuse absurd stored parameters instead of burning memory on them.
      if (hN > 2 ** 20 || hr > 32 || hp > 16) return false;
      const expected = Buffer.from(digest, 'base64');
      const actual = await derive(password, Buffer.from(salt, 'base64'), hN, hr, hp, expected.length);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
