/**
 * `decide` made the verification terminal, then its audit append or outbox failed (a throttled DynamoDB write,
 * a crash) and the state machine retried it. The retry must finish the publication (the finalized audit entry,
 * the webhooks) rather than leave it to the next maintenance sweep (issue 12 §3, the AWS e2e fault run).
 */
import { recordAttemptOutcome } from '../../functions/app/outcomes';
import type { Attempt } from '../../functions/domain/model';
import { at } from '../support/builders';
import { createPipelineHarness, type PipelineHarness, seedVerification } from './harness';

describe('recording an attempt outcome again after a failure that followed the terminal write', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  const decidedAttempt: Attempt = {
    number: 1,
    submittedAt: at(0),
    completedAt: at(1),
    decision: 'approved',
    declineType: null,
    reasonCodes: [],
    riskFlags: [],
  };
  const outcome = (verificationId: string) => ({
    verificationId,
    attempt: 1,
    decision: 'approved' as const,
    declineType: null,
    reasonCodes: [],
    riskFlags: [],
  });

  it('writes the missing finalized audit entry and marks the outcome published', async () => {
    const { verification } = await seedVerification(h, {
      verification: { status: 'approved', decision: 'approved', completedAt: at(1), attempts: [decidedAttempt] },
    });

    await recordAttemptOutcome(h.deps, outcome(verification.id));

    const audit = await h.store.audit.listByVerification(verification.id);
    expect(audit.filter((e) => e.type === 'verification.finalized')).toEqual([
      expect.objectContaining({ at: at(1), data: expect.objectContaining({ decision: 'approved' }) }),
    ]);
    expect((await h.store.verifications.get(verification.id))?.publishedAt).not.toBeNull();
    // A third run changes nothing.
    await recordAttemptOutcome(h.deps, outcome(verification.id));
    expect(await h.store.audit.listByVerification(verification.id)).toHaveLength(audit.length);
  });

  it('leaves a published verification alone', async () => {
    const { verification } = await seedVerification(h, {
      verification: {
        status: 'approved',
        decision: 'approved',
        completedAt: at(1),
        publishedAt: at(1),
        attempts: [decidedAttempt],
      },
    });
    await recordAttemptOutcome(h.deps, outcome(verification.id));
    expect(await h.store.audit.listByVerification(verification.id)).toEqual([]);
  });
});
