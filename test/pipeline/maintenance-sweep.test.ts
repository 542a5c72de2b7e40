/**
 * The maintenance sweep: a failing item never stops the rest of the sweep, and a submitted attempt whose
 * pipeline run ended without a decision (an AWS execution that timed out or was aborted) is decided
 * review/CHECK_ERROR instead of being re-queued as a no-op on every sweep.
 */
import { runMaintenanceSweep } from '../../functions/app/maintenance';
import { recordAttemptOutcome } from '../../functions/app/outcomes';
import { PipelineRunEndedError } from '../../functions/ports/queue';
import { at } from '../support/builders';
import { createPipelineHarness, type PipelineHarness, seedVerification } from './harness';

describe('maintenance sweep', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  it('decides an expired, submitted attempt whose run ended without a decision, and lists it no more', async () => {
    const { verification } = await seedVerification(h, { verification: { expiresAt: at(10) } });
    h.clock.advanceMinutes(11);
    const started: unknown[] = [];
    h.deps.queue.enqueue = async (type, payload) => {
      if (type !== 'pipeline.run') return;
      started.push(payload);
      throw new PipelineRunEndedError('TIMED_OUT');
    };

    const report = await runMaintenanceSweep(h.deps);

    expect(started).toEqual([{ verificationId: verification.id, attempt: 1 }]);
    expect(report.failed).toEqual([]);
    const decided = await h.store.verifications.get(verification.id);
    expect(decided).toMatchObject({ status: 'review', decision: 'review' });
    expect(decided!.attempts[0]).toMatchObject({ decision: 'review', reasonCodes: ['CHECK_ERROR'] });
    expect(decided!.attempts[0]!.completedAt).not.toBeNull();
    const stillDue = await h.store.verifications.listExpired(h.clock.now().toISOString(), 100);
    expect(stillDue.map((v) => v.id)).not.toContain(verification.id);
  });

  it('re-queues (and does not decide) an attempt whose run is still live', async () => {
    const { verification } = await seedVerification(h, { verification: { expiresAt: at(10) } });
    h.clock.advanceMinutes(11);

    await runMaintenanceSweep(h.deps);

    expect(h.jobs).toContainEqual({ type: 'pipeline.run', payload: { verificationId: verification.id, attempt: 1 } });
    expect(await h.store.verifications.get(verification.id)).toMatchObject({
      status: 'in_progress',
    });
  });

  it('goes on past a failing item: the other items are expired, re-driven and reported', async () => {
    const stuck = await seedVerification(h, { id: 'vrf_stuck', verification: { expiresAt: at(10) } });
    const idle = await seedVerification(h, {
      id: 'vrf_idle',
      attempts: 0,
      verification: { status: 'pending', expiresAt: at(10) },
    });
    h.clock.advanceMinutes(11);
    h.deps.queue.enqueue = async (type, payload) => {
      // As on AWS before the fix: the sweeper's role may not start executions.
      if (type === 'pipeline.run') throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      h.jobs.push({ type, payload });
    };

    const report = await runMaintenanceSweep(h.deps);

    expect(report.failed).toEqual([
      { stage: 'expire', id: stuck.verification.id, error: 'AccessDeniedException: not authorized' },
    ]);
    expect(report.expired).toBe(1);
    expect(await h.store.verifications.get(idle.verification.id)).toMatchObject({
      status: 'expired',
    });
    // The expiry's outcome webhook (if the org has endpoints) and the rest of the sweep still ran.
    expect(report.purged).toBe(0);
  });

  describe('a crash inside the finalize', () => {
    const decide = (verificationId: string) =>
      recordAttemptOutcome(h.deps, {
        verificationId,
        attempt: 1,
        decision: 'approved',
        declineType: null,
        reasonCodes: [],
        riskFlags: [],
      });
    const finalizedEntries = async (id: string) =>
      (await h.store.audit.listByVerification(id)).filter((e) => e.type === 'verification.finalized');

    it('between the terminal write and the audit append: the sweep adds the finalized entry, once', async () => {
      const { verification } = await seedVerification(h);
      const append = h.store.audit.append.bind(h.store.audit);
      // The process dies at the finalized entry's append: nothing after the terminal write happens.
      h.store.audit.append = async (e) => {
        if (e.type === 'verification.finalized') throw new Error('killed');
        return append(e);
      };
      await expect(decide(verification.id)).rejects.toThrow('killed');
      h.store.audit.append = append;
      const crashed = await h.store.verifications.get(verification.id);
      expect(crashed).toMatchObject({ status: 'approved', publishedAt: null });
      expect(await finalizedEntries(verification.id)).toEqual([]);

      const report = await runMaintenanceSweep(h.deps);
      h.clock.advanceMinutes(1);
      await runMaintenanceSweep(h.deps);

      expect(report).toMatchObject({ republished: 1, failed: [] });
      expect(await finalizedEntries(verification.id)).toEqual([
        expect.objectContaining({
          orgId: crashed!.orgId,
          at: crashed!.completedAt,
          data: { status: 'approved', decision: 'approved', declineType: null, reasonCodes: [], riskFlags: [] },
        }),
      ]);
      expect((await h.store.verifications.get(verification.id))?.publishedAt).not.toBeNull();
    });

    it('after the audit append but before the publication: the sweep adds no second entry', async () => {
      const { verification } = await seedVerification(h);
      const createMany = h.store.deliveries.createMany.bind(h.store.deliveries);
      h.store.deliveries.createMany = async () => {
        throw new Error('killed');
      };
      await expect(decide(verification.id)).rejects.toThrow('killed');
      h.store.deliveries.createMany = createMany;

      expect(await runMaintenanceSweep(h.deps)).toMatchObject({ republished: 1, failed: [] });

      expect((await h.store.verifications.get(verification.id))?.publishedAt).not.toBeNull();
      expect(await finalizedEntries(verification.id)).toHaveLength(1);
    });
  });
});
