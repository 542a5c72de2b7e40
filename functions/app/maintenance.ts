import type { AppDeps } from './deps';
import { expireVerification, publishOutcome } from './outcomes';
import { enqueuePipelineRun } from './pipeline/enqueue';
import { purgeExpiredCaptures } from './retention';

export interface SweepReport {
  expired: number;
  republished: number;
  requeuedDeliveries: number;
  purged: number;
}

const BATCH = 200;

/**
 * Periodic housekeeping, idempotent and safe to run anywhere (local timer; EventBridge schedule on AWS):
 * expire sessions past expiresAt (re-queueing the checks of a submitted attempt that never got a decision), publish terminal outcomes a crash left unpublished, make sure every
 * pending delivery has a queued send, and purge captures past their retention window.
 */
export async function runMaintenanceSweep(deps: AppDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  let expired = 0;
  for (const v of await deps.store.verifications.listExpired(now.toISOString(), BATCH)) {
    const last = v.attempts[v.attempts.length - 1];
    if (v.status === 'in_progress' && last && !last.completedAt) {
      // Submitted but never decided: a crash between the submit write and its enqueue would leave it here
      // forever. Queue the run again (a no-op when it is queued, running, or already decided).
      await enqueuePipelineRun(deps, v.id, last.number);
      continue;
    }
    if (await expireVerification(deps, v.id)) expired++;
  }
  let republished = 0;
  for (const v of await deps.store.verifications.listUnpublished(BATCH)) {
    const flow = await deps.store.flows.get(v.orgId, v.flowId);
    if (!flow) continue;
    await publishOutcome(deps, v, flow);
    republished++;
  }
  let requeuedDeliveries = 0;
  for (const d of await deps.store.deliveries.listPending(BATCH)) {
    // The dedupe key makes this a no-op for deliveries whose send (or retry) is already queued.
    const delayMs = d.nextAttemptAt ? Math.max(0, Date.parse(d.nextAttemptAt) - now.getTime()) : 0;
    await deps.queue.enqueue('webhook.deliver', { deliveryId: d.id }, { dedupeKey: `delivery:${d.id}`, delayMs });
    requeuedDeliveries++;
  }
  const purge = await purgeExpiredCaptures(deps, now);
  return { expired, republished, requeuedDeliveries, purged: purge.purged.length };
}
