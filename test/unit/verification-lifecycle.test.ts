import { newChallenge } from '../../functions/domain/challenge';
import { mintKeyMaterial, modeOfKey } from '../../functions/domain/keys';
import type { Verification } from '../../functions/domain/model';
import { finalize, isTerminal, reopenForRetry, toView } from '../../functions/domain/verification';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';

const base: Verification = {
  id: 'vrf_1',
  orgId: 'org_1',
  flowId: 'flow_1',
  keyId: 'key_1',
  mode: 'live',
  status: 'in_progress',
  decision: null,
  declineType: null,
  reasonCodes: [],
  riskFlags: [],
  applicantEmail: null,
  locale: null,
  returnUrl: null,
  metadata: { a: 1 },
  clientTokenHash: 'h',
  expiresAt: '2026-01-01T01:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  completedAt: null,
  consent: null,
  challenge: ['left', 'right', 'centre'],
  attempts: [],
  publishedAt: null,
  purgeAfter: null,
  purgedAt: null,
  version: 3,
};
const now = new Date('2026-01-01T00:30:00.000Z');

describe('verification lifecycle', () => {
  it('finalizes once; a terminal state is never overwritten', () => {
    const done = finalize(
      base,
      { decision: 'approved', declineType: 'final', reasonCodes: [], riskFlags: ['X', 'X'] },
      { retentionDays: 30 },
      now,
    )!;
    expect(done).toMatchObject({
      status: 'approved',
      decision: 'approved',
      declineType: null,
      riskFlags: ['X'],
      completedAt: now.toISOString(),
      version: 4,
      purgeAfter: '2026-01-31T00:30:00.000Z',
    });
    for (const s of ['approved', 'declined', 'review', 'expired'] as const) {
      expect(isTerminal(s)).toBe(true);
      expect(
        finalize(
          { ...base, status: s },
          { decision: 'declined', declineType: 'final', reasonCodes: [], riskFlags: [] },
          { retentionDays: 1 },
          now,
        ),
      ).toBeNull();
      expect(
        reopenForRetry(
          { ...base, status: s },
          {
            number: 1,
            submittedAt: '',
            completedAt: '',
            decision: 'declined',
            declineType: 'retry',
            reasonCodes: [],
            riskFlags: [],
          },
          now,
          null,
        ),
      ).toBeNull();
    }
  });

  it('defaults a decline without type to final and expiry to status expired', () => {
    expect(
      finalize(
        base,
        { decision: 'declined', declineType: null, reasonCodes: ['UNDERAGE'], riskFlags: [] },
        { retentionDays: 1 },
        now,
      ),
    ).toMatchObject({ declineType: 'final' });
    expect(
      finalize(
        base,
        { decision: null, declineType: null, reasonCodes: ['SESSION_EXPIRED'], riskFlags: [] },
        { retentionDays: 1 },
        now,
      ),
    ).toMatchObject({ status: 'expired', decision: null });
  });

  it('reopens a retry-declined attempt as pending with a new challenge', () => {
    const v = {
      ...base,
      attempts: [
        {
          number: 1,
          submittedAt: 'x',
          completedAt: null,
          decision: null,
          declineType: null,
          reasonCodes: [],
          riskFlags: [],
        },
      ],
    };
    const next = reopenForRetry(
      v,
      {
        ...v.attempts[0]!,
        completedAt: 'y',
        decision: 'declined',
        declineType: 'retry',
        reasonCodes: ['BAD_FACE_MATCHING'],
      },
      now,
      ['right', 'left'],
    )!;
    expect(next).toMatchObject({ status: 'pending', challenge: ['right', 'left'], version: 4 });
    expect(next.attempts[0]).toMatchObject({ decision: 'declined', reasonCodes: ['BAD_FACE_MATCHING'] });
  });

  it('views carry the spec fields first and echo metadata', () => {
    expect(Object.keys(toView(base)).slice(0, 9)).toEqual([
      'verificationId',
      'status',
      'decision',
      'declineType',
      'reasonCodes',
      'riskFlags',
      'mode',
      'createdAt',
      'completedAt',
    ]);
    expect(toView(base).metadata).toEqual({ a: 1 });
  });
});

describe('keys', () => {
  it('mints prefixed high-entropy keys and whsec_ secrets, hashed with SHA-256', () => {
    const m = mintKeyMaterial(nodeCrypto, 'test');
    expect(m.key).toMatch(/^nextcap_kk_test_[A-Za-z0-9_-]{43}$/);
    expect(modeOfKey(m.key)).toBe('test');
    expect(modeOfKey('nextcap_kk_prod_x')).toBeNull();
    expect(m.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(m.keyHash).toBe(nodeCrypto.sha256Hex(m.key));
    expect(mintKeyMaterial(nodeCrypto, 'live').key).not.toBe(m.key);
  });
});

describe('challenge', () => {
  it('asks each pose at most once up to three prompts', () => {
    let seed = 1;
    const lcg = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const c = newChallenge(3, lcg);
      expect([...c].sort()).toEqual(['centre', 'left', 'right']);
      seen.add(c.join(','));
      const two = newChallenge(2, lcg);
      expect([...two].sort()).toEqual(['left', 'right']);
    }
    expect(seen.size).toBe(6); // every order of the three poses occurs
  });

  it('has no repeated neighbours and always both turns', () => {
    let seed = 0;
    for (let i = 0; i < 200; i++) {
      const c = newChallenge(5, (n) => {
        seed = (seed * 31 + 7 + i) % 9973;
        return seed % n;
      });
      expect(c).toHaveLength(5);
      expect(c).toEqual(expect.arrayContaining(['left', 'right']));
      for (let j = 1; j < c.length; j++) expect(c[j]).not.toBe(c[j - 1]);
    }
  });
});
