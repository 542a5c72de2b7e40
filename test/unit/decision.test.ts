import { decideAttempt, type CheckVerdict, type DecisionInput } from '../../functions/domain/decision';
import type { CheckName } from '../../functions/domain/model';
import { REASON_CODE_NAMES, type ReasonCode } from '../../functions/domain/reason-codes';
import { RISK_FLAG_NAMES } from '../../functions/domain/risk-flags';

const ALL_CHECKS: CheckName[] = ['document', 'liveness', 'faceMatch'];

function pass(check: CheckName, riskFlags: string[] = []): CheckVerdict {
  return { check, outcome: 'pass', reasonCodes: [], riskFlags };
}

function verdict(
  check: CheckName,
  outcome: CheckVerdict['outcome'],
  reasonCodes: string[],
  riskFlags: string[] = [],
): CheckVerdict {
  return { check, outcome, reasonCodes, riskFlags };
}

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    results: { document: pass('document'), liveness: pass('liveness'), faceMatch: pass('faceMatch') },
    requiredChecks: ALL_CHECKS,
    riskFlags: [],
    attempt: 1,
    maxAttempts: 3,
    ...overrides,
  };
}

/** Expected outcome of each catalog code raised alone on a first (not last) attempt. Written out, not derived. */
const EXPECTED: Record<ReasonCode, { decision: 'declined' | 'review'; declineType: 'retry' | 'final' | null }> = {
  DOCUMENT_UNREADABLE: { decision: 'declined', declineType: 'retry' },
  MRZ_CHECK_DIGIT_FAILED: { decision: 'declined', declineType: 'retry' },
  DOCUMENT_TYPE_NOT_ACCEPTED: { decision: 'declined', declineType: 'retry' },
  COUNTRY_NOT_ACCEPTED: { decision: 'declined', declineType: 'retry' },
  EXPIRATION_DATE: { decision: 'declined', declineType: 'retry' },
  NO_FACE_ON_DOCUMENT: { decision: 'declined', declineType: 'retry' },
  NO_FACE_IN_SELFIE: { decision: 'declined', declineType: 'retry' },
  MULTIPLE_FACES_IN_SELFIE: { decision: 'declined', declineType: 'retry' },
  BAD_FACE_MATCHING: { decision: 'declined', declineType: 'retry' },
  FACE_MATCH_INCONCLUSIVE: { decision: 'review', declineType: null },
  LIVENESS_FAILED: { decision: 'declined', declineType: 'retry' },
  LIVENESS_INCONCLUSIVE: { decision: 'declined', declineType: 'retry' },
  UNDERAGE: { decision: 'declined', declineType: 'final' },
  CONSENT_DECLINED: { decision: 'declined', declineType: 'final' },
  ATTEMPTS_EXHAUSTED: { decision: 'declined', declineType: 'final' },
  SESSION_EXPIRED: { decision: 'declined', declineType: 'retry' },
  CHECK_ERROR: { decision: 'review', declineType: null },
};

describe('decideAttempt', () => {
  it('covers every catalog code in the expectation table', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...REASON_CODE_NAMES].sort());
  });

  it('approves when every required check passes', () => {
    expect(decideAttempt(input())).toEqual({ decision: 'approved', declineType: null, reasonCodes: [], riskFlags: [] });
  });

  it('approves a flow without liveness when liveness is absent', () => {
    const out = decideAttempt(
      input({
        requiredChecks: ['document', 'faceMatch'],
        results: { document: pass('document'), faceMatch: pass('faceMatch') },
      }),
    );
    expect(out.decision).toBe('approved');
  });

  describe.each(REASON_CODE_NAMES)('%s raised alone', (code) => {
    const outcome = EXPECTED[code].decision === 'review' ? 'inconclusive' : 'fail';

    it('on a first attempt of three', () => {
      const out = decideAttempt(
        input({
          results: {
            document: verdict('document', outcome, [code]),
            liveness: pass('liveness'),
            faceMatch: pass('faceMatch'),
          },
        }),
      );
      expect({ decision: out.decision, declineType: out.declineType }).toEqual(EXPECTED[code]);
      expect(out.reasonCodes).toEqual([code]);
    });

    it('on the last attempt', () => {
      const out = decideAttempt(
        input({
          attempt: 3,
          maxAttempts: 3,
          results: {
            document: verdict('document', outcome, [code]),
            liveness: pass('liveness'),
            faceMatch: pass('faceMatch'),
          },
        }),
      );
      if (EXPECTED[code].declineType === 'retry') {
        expect(out).toMatchObject({ decision: 'declined', declineType: 'final' });
        expect(out.reasonCodes).toEqual(
          // catalog order: SESSION_EXPIRED is listed after ATTEMPTS_EXHAUSTED
          code === 'SESSION_EXPIRED' ? ['ATTEMPTS_EXHAUSTED', code] : [code, 'ATTEMPTS_EXHAUSTED'],
        );
      } else {
        expect({ decision: out.decision, declineType: out.declineType }).toEqual(EXPECTED[code]);
        expect(out.reasonCodes).toEqual([code]);
      }
    });
  });

  it('lets a final code win over retry and review codes', () => {
    const out = decideAttempt(
      input({
        results: {
          document: verdict('document', 'fail', ['UNDERAGE', 'EXPIRATION_DATE']),
          liveness: verdict('liveness', 'fail', ['LIVENESS_FAILED']),
          faceMatch: verdict('faceMatch', 'inconclusive', ['FACE_MATCH_INCONCLUSIVE']),
        },
      }),
    );
    expect(out.decision).toBe('declined');
    expect(out.declineType).toBe('final');
    expect(out.reasonCodes).toEqual(['EXPIRATION_DATE', 'FACE_MATCH_INCONCLUSIVE', 'LIVENESS_FAILED', 'UNDERAGE']);
  });

  it('lets a retry code win over a review code', () => {
    const out = decideAttempt(
      input({
        results: {
          document: pass('document'),
          liveness: verdict('liveness', 'fail', ['LIVENESS_FAILED']),
          faceMatch: verdict('faceMatch', 'inconclusive', ['FACE_MATCH_INCONCLUSIVE']),
        },
      }),
    );
    expect(out).toEqual({
      decision: 'declined',
      declineType: 'retry',
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE', 'LIVENESS_FAILED'],
      riskFlags: [],
    });
  });

  it('exhausts attempts on the last attempt and beyond, not before', () => {
    const failing = {
      document: pass('document'),
      liveness: pass('liveness'),
      faceMatch: verdict('faceMatch', 'fail', ['BAD_FACE_MATCHING']),
    };
    expect(decideAttempt(input({ results: failing, attempt: 1, maxAttempts: 2 }))).toMatchObject({
      declineType: 'retry',
      reasonCodes: ['BAD_FACE_MATCHING'],
    });
    expect(decideAttempt(input({ results: failing, attempt: 2, maxAttempts: 2 }))).toMatchObject({
      declineType: 'final',
      reasonCodes: ['BAD_FACE_MATCHING', 'ATTEMPTS_EXHAUSTED'],
    });
    expect(decideAttempt(input({ results: failing, attempt: 1, maxAttempts: 1 }))).toMatchObject({
      declineType: 'final',
      reasonCodes: ['BAD_FACE_MATCHING', 'ATTEMPTS_EXHAUSTED'],
    });
  });

  it('does not add ATTEMPTS_EXHAUSTED to a review on the last attempt', () => {
    const out = decideAttempt(
      input({
        attempt: 3,
        maxAttempts: 3,
        results: {
          document: pass('document'),
          liveness: pass('liveness'),
          faceMatch: verdict('faceMatch', 'inconclusive', ['FACE_MATCH_INCONCLUSIVE']),
        },
      }),
    );
    expect(out).toEqual({
      decision: 'review',
      declineType: null,
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
      riskFlags: [],
    });
  });

  it('sends a missing required check to review with CHECK_ERROR', () => {
    const out = decideAttempt(input({ results: { document: pass('document'), faceMatch: pass('faceMatch') } }));
    expect(out).toEqual({ decision: 'review', declineType: null, reasonCodes: ['CHECK_ERROR'], riskFlags: [] });
  });

  it('sends an errored check (CHECK_ERROR result) to review', () => {
    const out = decideAttempt(
      input({
        results: {
          document: verdict('document', 'inconclusive', ['CHECK_ERROR']),
          liveness: pass('liveness'),
          faceMatch: pass('faceMatch'),
        },
      }),
    );
    expect(out).toMatchObject({ decision: 'review', reasonCodes: ['CHECK_ERROR'] });
  });

  it('treats a failed or inconclusive result without a catalog code as an error', () => {
    for (const outcome of ['fail', 'inconclusive'] as const) {
      const out = decideAttempt(
        input({
          results: {
            document: verdict('document', outcome, ['NOT_A_CATALOG_CODE']),
            liveness: pass('liveness'),
            faceMatch: pass('faceMatch'),
          },
        }),
      );
      expect(out).toEqual({ decision: 'review', declineType: null, reasonCodes: ['CHECK_ERROR'], riskFlags: [] });
    }
  });

  it('sends a failed non-check step to review', () => {
    const out = decideAttempt(input({ failedSteps: ['riskSignals'] }));
    expect(out).toMatchObject({ decision: 'review', reasonCodes: ['CHECK_ERROR'] });
  });

  it('still declines on a retry code when another required check errored', () => {
    const out = decideAttempt(
      input({ results: { document: verdict('document', 'fail', ['EXPIRATION_DATE']), liveness: pass('liveness') } }),
    );
    expect(out).toMatchObject({
      decision: 'declined',
      declineType: 'retry',
      reasonCodes: ['EXPIRATION_DATE', 'CHECK_ERROR'],
    });
  });

  it('de-duplicates codes and orders them by the catalog', () => {
    const out = decideAttempt(
      input({
        results: {
          document: verdict('document', 'fail', ['EXPIRATION_DATE', 'DOCUMENT_UNREADABLE', 'EXPIRATION_DATE']),
          liveness: verdict('liveness', 'fail', ['LIVENESS_FAILED', 'DOCUMENT_UNREADABLE']),
          faceMatch: pass('faceMatch'),
        },
      }),
    );
    expect(out.reasonCodes).toEqual(['DOCUMENT_UNREADABLE', 'EXPIRATION_DATE', 'LIVENESS_FAILED']);
  });

  describe('risk flags', () => {
    it.each(RISK_FLAG_NAMES)('%s does not block an approval', (flag) => {
      const out = decideAttempt(input({ riskFlags: [flag] }));
      expect(out).toEqual({ decision: 'approved', declineType: null, reasonCodes: [], riskFlags: [flag] });
    });

    it('does not turn a retry decline into anything else', () => {
      const out = decideAttempt(
        input({
          riskFlags: [...RISK_FLAG_NAMES],
          results: {
            document: verdict('document', 'fail', ['EXPIRATION_DATE']),
            liveness: pass('liveness'),
            faceMatch: pass('faceMatch'),
          },
        }),
      );
      expect(out).toEqual({
        decision: 'declined',
        declineType: 'retry',
        reasonCodes: ['EXPIRATION_DATE'],
        riskFlags: [...RISK_FLAG_NAMES],
      });
    });

    it('merges flags from check results and signals, de-duplicated, in catalog order, dropping unknown ones', () => {
      const out = decideAttempt(
        input({
          riskFlags: ['REPLAYED_FRAMES', 'DUPLICATE_FACE_DIFFERENT_IDENTITY', 'SOMETHING_ELSE'],
          results: {
            document: pass('document', ['MRZ_INCONSISTENT', 'SPECIMEN_DOCUMENT']),
            liveness: pass('liveness', ['REPLAYED_FRAMES']),
            faceMatch: pass('faceMatch'),
          },
        }),
      );
      expect(out.decision).toBe('approved');
      expect(out.riskFlags).toEqual([
        'DUPLICATE_FACE_DIFFERENT_IDENTITY',
        'REPLAYED_FRAMES',
        'SPECIMEN_DOCUMENT',
        'MRZ_INCONSISTENT',
      ]);
    });
  });
});
