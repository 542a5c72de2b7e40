/**
 * A submit that failed after its write (the verification went in_progress, then the audit write was throttled
 * or the Lambda crashed) never queued its run. The page retries the submit: that retry must queue the run,
 * or the applicant waits for the stalled-attempt safety net (issue 12 §3, found by the AWS e2e fault run).
 */
import type { OpenSession } from '../../functions/app/applicant/session';
import { submitAttempt } from '../../functions/app/applicant/submit';
import { recordAttemptOutcome } from '../../functions/app/outcomes';
import type { ConsentRecord } from '../../functions/domain/model';
import { makeCapture } from '../support/builders';
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

/**
 * The `attempt.submitted` audit entry of a retried submit (issue 12 §3: idempotent steps): exactly one entry per
 * attempt, with the capture ids and document type the attempt was really submitted with, whether the first
 * submit's audit append was cut off by a crash or went through.
 */
describe('the attempt.submitted audit entry of a retried submit', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  /** A consented live session of a document-only flow with the front of a passport uploaded for attempt 1. */
  async function readyToSubmit(): Promise<{ session: OpenSession; captureId: string }> {
    const { verification, flow } = await seedVerification(h, {
      flow: { id: 'flow_doc', checks: ['document'] },
      attempts: 0,
      captures: [],
      verification: { consent, mode: 'live', status: 'pending' },
    });
    const captureId = `cap_${verification.id.slice(4)}front`;
    await h.store.captures.create(
      makeCapture({
        id: captureId,
        verificationId: verification.id,
        attempt: 1,
        kind: 'document_front',
        status: 'uploaded',
      }),
    );
    return { session: { verification, flow, livenessMode: null }, captureId };
  }
  /** The session as a retry of the page opens it: the record as stored now. */
  const reopened = async (s: OpenSession): Promise<OpenSession> => ({
    ...s,
    verification: (await h.store.verifications.get(s.verification.id))!,
  });
  const submittedEntries = async (id: string) =>
    (await h.store.audit.listByVerification(id)).filter((e) => e.type === 'attempt.submitted');
  const expectedEntry = (captureId: string) =>
    expect.objectContaining({
      at: h.clock.now().toISOString(),
      data: { attempt: 1, captureIds: [captureId], documentType: 'passport' },
    });

  /** The submit's write goes through, then the process dies at its audit append. */
  async function submitAndCrashAtAuditAppend(session: OpenSession): Promise<void> {
    const append = h.store.audit.append.bind(h.store.audit);
    h.store.audit.append = async () => {
      throw new Error('killed');
    };
    try {
      await expect(submitAttempt(h.deps, session, { documentType: 'passport' })).rejects.toThrow('killed');
    } finally {
      h.store.audit.append = append;
    }
    expect(await h.store.verifications.get(session.verification.id)).toMatchObject({ status: 'in_progress' });
    expect(await submittedEntries(session.verification.id)).toEqual([]);
  }

  it('crash after the submit`s write, before its audit entry: the page`s retry writes it, once', async () => {
    const { session, captureId } = await readyToSubmit();
    await submitAndCrashAtAuditAppend(session);
    h.clock.advanceMinutes(1);

    // The retry (even naming another document type) answers 409 and records what was really submitted.
    for (const documentType of ['passport', 'id_card'] as const)
      await expect(submitAttempt(h.deps, await reopened(session), { documentType })).rejects.toMatchObject({
        code: 'attempt_in_progress',
      });

    h.clock.advanceMinutes(-1);
    expect(await submittedEntries(session.verification.id)).toEqual([expectedEntry(captureId)]);
    expect(h.jobs.filter((j) => j.type === 'pipeline.run')).not.toHaveLength(0);
  });

  it('crash after the submit`s write and no retry: recording the attempt`s outcome writes it, once', async () => {
    const { session, captureId } = await readyToSubmit();
    await submitAndCrashAtAuditAppend(session);
    const outcome = {
      verificationId: session.verification.id,
      attempt: 1,
      decision: 'approved' as const,
      declineType: null,
      reasonCodes: [],
      riskFlags: [],
    };
    await recordAttemptOutcome(h.deps, outcome);
    await recordAttemptOutcome(h.deps, outcome);
    expect(await submittedEntries(session.verification.id)).toEqual([expectedEntry(captureId)]);
  });

  it('a plain retry of a submit that went through adds no second entry', async () => {
    const { session, captureId } = await readyToSubmit();
    await submitAttempt(h.deps, session, { documentType: 'passport' });
    h.clock.advanceMinutes(1);
    await expect(submitAttempt(h.deps, await reopened(session), { documentType: 'passport' })).rejects.toMatchObject({
      code: 'attempt_in_progress',
    });
    h.clock.advanceMinutes(-1);
    expect(await submittedEntries(session.verification.id)).toEqual([expectedEntry(captureId)]);
    // The attempt carries what it was submitted with.
    expect((await h.store.verifications.get(session.verification.id))?.attempts).toEqual([
      expect.objectContaining({ number: 1, captureIds: [captureId], documentType: 'passport' }),
    ]);
  });
});
