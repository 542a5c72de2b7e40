/**
 * A submit that failed after its write (the verification went in_progress, then the audit write was throttled
 * or the Lambda crashed) never queued its run. The page retries the submit: that retry must queue the run,
 * or the applicant waits for the stalled-attempt safety net (issue 12 §3, found by the AWS e2e fault run).
 */
import { submitAttempt } from '../../functions/app/applicant/submit';
import type { ConsentRecord } from '../../functions/domain/model';
import { createPipelineHarness, type PipelineHarness, seedVerification } from './harness';

const consent: ConsentRecord = {
  accepted: true,
  textVersion: '2026-11-01',
  locale: 'en',
  at: '2026-01-01T00:00:00.000Z',
  ip: null,
  userAgent: null,
};

describe('submit retried after a failure that followed its write', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  it('queues the run of the undecided attempt again and still answers 409 attempt_in_progress', async () => {
    const { verification, flow } = await seedVerification(h, { verification: { consent, mode: 'live' } });
    await expect(submitAttempt(h.deps, { verification, flow, livenessMode: null }, {})).rejects.toMatchObject({
      code: 'attempt_in_progress',
    });
    expect(h.jobs).toEqual([{ type: 'pipeline.run', payload: { verificationId: verification.id, attempt: 1 } }]);
  });

  it('queues nothing once the verification is finished', async () => {
    const { verification, flow } = await seedVerification(h, {
      verification: { consent, mode: 'live', status: 'approved' },
    });
    await expect(submitAttempt(h.deps, { verification, flow, livenessMode: null }, {})).rejects.toMatchObject({
      code: 'session_finished',
    });
    expect(h.jobs).toEqual([]);
  });
});
