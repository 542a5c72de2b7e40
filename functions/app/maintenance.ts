import type { AppDeps } from './deps';
import { expireVerification, recoverPublication } from './outcomes';
import { enqueuePipelineRun } from './pipeline/enqueue';
import { purgeExpiredCaptures } from './retention';
import { enqueueDelivery } from './webhooks/deliver';

/** One item the sweep could not handle; it stays due and the next sweep tries it again. */
export interface SweepFailure {
  stage: 'expire' | 'publish' | 'redeliver' | 'purge';
  /** Verification or delivery id (never personal data). */
  id: string;
  error: string;
}

export interface SweepReport {
  expired: number;
  republished: number;
  requeuedDeliveries: number;
  purged: number;
  failed: SweepFailure[];
}

const BATCH = 200;

/**
 * Periodic housekeeping, idempotent and safe to run anywhere (local timer; EventBridge schedule on AWS):
 * expire sessions past expiresAt (re-queueing the checks of a submitted attempt that never got a decision),
 * publish terminal outcomes a crash left unpublished (with the finalized audit entry it may have cut off),
 * make sure every pending delivery has a queued send, and purge captures past their retention window.
 *
 * Primary course: each stage walks its due list; an item that throws is recorded in `failed` and the sweep goes
 * on, so one bad item (a missing permission, a throttled call) never stops expiry, the outbox or the purge.
 */
export async function runMaintenanceSweep(deps: AppDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  const failed: SweepFailure[] = [];
  const attempt = async (stage: SweepFailure['stage'], id: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      failed.push({ stage, id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  };

  let expired = 0;
  for (const v of await deps.store.verifications.listExpired(now.toISOString(), BATCH)) {
    await attempt('expire', v.id, async () => {
      const last = v.attempts[v.attempts.length - 1];
      if (v.status === 'in_progress' && last && !last.completedAt) {
        // Submitted but never decided: a crash between the submit write and its enqueue would leave it here
        // forever. Queue the run again (a no-op when it is queued or running; a run that ended without a
        // decision is decided CHECK_ERROR -> review by enqueuePipelineRun).
        await enqueuePipelineRun(deps, v.id, last.number);
        return;
      }
      if (await expireVerification(deps, v.id)) expired++;
    });
  }
  let republished = 0;
  for (const v of await deps.store.verifications.listUnpublished(BATCH)) {
    await attempt('publish', v.id, async () => {
      const flow = await deps.store.flows.get(v.orgId, v.flowId);
      if (!flow) return;
      await recoverPublication(deps, v, flow);
      republished++;
    });
  }
  let requeuedDeliveries = 0;
  for (const d of await deps.store.deliveries.listPending(BATCH)) {
    await attempt('redeliver', d.id, async () => {
      // The dedupe key makes this a no-op for deliveries whose send (or retry) is already queued.
      const delayMs = d.nextAttemptAt ? Math.max(0, Date.parse(d.nextAttemptAt) - now.getTime()) : 0;
      await enqueueDelivery(deps, d.id, delayMs);
      requeuedDeliveries++;
    });
  }
  let purged = 0;
  await attempt('purge', 'retention', async () => {
    const purge = await purgeExpiredCaptures(deps, now);
    purged = purge.purged.length;
    for (const f of purge.failed) failed.push({ stage: 'purge', id: f.verificationId, error: f.error });
  });
  return { expired, republished, requeuedDeliveries, purged, failed };
}
