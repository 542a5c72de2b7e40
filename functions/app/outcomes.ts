import { randomInt } from 'node:crypto';
import { newChallenge } from '../domain/challenge';
import type { Attempt, Decision, DeclineType, Delivery, Flow, Verification, WebhookEventName } from '../domain/model';
import { finalize, isTerminal, reopenForRetry, toView, type TerminalOutcome } from '../domain/verification';
import { eventsForOutcome, planDeliveries, publicationOf } from '../domain/webhooks';
import type { AppDeps } from './deps';
import { appendPendingAudit, recordAudit } from './audit';
import { updateVerification } from './optimistic-update';
import { enqueueDelivery } from './webhooks/deliver';

export interface AttemptOutcome {
  verificationId: string;
  attempt: number;
  decision: Decision;
  declineType: DeclineType | null;
  reasonCodes: string[];
  riskFlags: string[];
}

async function flowOf(deps: AppDeps, v: Verification): Promise<Flow> {
  const flow = await deps.store.flows.get(v.orgId, v.flowId);
  if (!flow) throw new Error(`flow ${v.flowId} of verification ${v.id} is missing`);
  return flow;
}

/**
 * Makes a verification terminal and publishes it. Primary course: conditional update to the terminal
 * state -> outbox rows for every subscribed endpoint and event -> one queue job per delivery.
 * First outcome wins: returns false (and publishes nothing) if the verification already was terminal.
 */
export async function finalizeVerification(
  deps: AppDeps,
  verificationId: string,
  outcome: TerminalOutcome,
  mutate?: (v: Verification) => Verification,
): Promise<boolean> {
  const current = await deps.store.verifications.get(verificationId);
  if (!current || isTerminal(current.status)) return false;
  const flow = await flowOf(deps, current);
  const now = deps.clock.now();
  const result = await updateVerification(deps, verificationId, (v) =>
    finalize(mutate ? mutate(v) : v, outcome, flow, now),
  );
  if (!result) return false;
  await recordFinalizedAudit(deps, result.after);
  await publishOutcome(deps, result.after, flow);
  return true;
}

/**
 * Appends the `verification.finalized` audit entry of a terminal verification. Everything in it, its id
 * included, derives from the terminal record, so writing it twice (the finalize, then the recovery of a crash
 * that came before its publication was marked) leaves one entry: the store's append ignores a known id.
 */
export async function recordFinalizedAudit(
  deps: Pick<AppDeps, 'store' | 'ids' | 'clock' | 'crypto'>,
  v: Verification,
): Promise<void> {
  if (!isTerminal(v.status) || v.completedAt === null) throw new Error(`verification ${v.id} is not terminal`);
  await recordAudit(deps, {
    id: `evt_${deps.crypto.sha256Hex(`verification.finalized:${v.id}`).slice(0, 32)}`,
    orgId: v.orgId,
    verificationId: v.id,
    type: 'verification.finalized',
    at: v.completedAt,
    data: {
      status: v.status,
      decision: v.decision,
      declineType: v.declineType,
      reasonCodes: v.reasonCodes,
      riskFlags: v.riskFlags,
    },
  });
}

/**
 * Appends the `attempt.submitted` audit entry of one attempt: the capture ids and document type the submit
 * recorded with the attempt (or, for an attempt recorded before those were kept, its uploaded captures). Its id
 * derives from the verification and the attempt number, so the submit, the page's retry of a submit whose audit
 * append a crash cut off, and the recording of the attempt's outcome leave exactly one entry per attempt.
 */
export async function recordSubmittedAudit(
  deps: Pick<AppDeps, 'store' | 'ids' | 'clock' | 'crypto'>,
  v: Pick<Verification, 'id' | 'orgId'>,
  attempt: Attempt,
): Promise<void> {
  const captureIds =
    attempt.captureIds ??
    (await deps.store.captures.listByVerification(v.id))
      .filter((c) => c.attempt === attempt.number && c.status === 'uploaded')
      .map((c) => c.id);
  await recordAudit(deps, {
    id: `evt_${deps.crypto.sha256Hex(`attempt.submitted:${v.id}:${attempt.number}`).slice(0, 32)}`,
    orgId: v.orgId,
    verificationId: v.id,
    type: 'attempt.submitted',
    at: attempt.submittedAt,
    data: {
      attempt: attempt.number,
      captureIds,
      documentType: attempt.documentType ?? null,
      ...(attempt.faceLivenessSessionId === undefined ? {} : { faceLivenessSessionId: attempt.faceLivenessSessionId }),
    },
  });
}

/**
 * Finishes, after a crash, what {@link finalizeVerification} or a review began for a terminal verification
 * whose publication is not marked done: the finalized audit entry of an automated outcome (a crash may have
 * come between the terminal write and its audit append), or the reviewer's entry the decision carries, then the
 * outbox. Idempotent.
 */
export async function recoverPublication(deps: AppDeps, v: Verification, flow: Flow): Promise<void> {
  // A reviewed verification has moved on: the entry would no longer describe the automated outcome.
  if (!v.review) await recordFinalizedAudit(deps, v);
  await publishOutcome(deps, v, flow);
}

/**
 * The outbox id of the delivery a publication of `v` owes one endpoint for one event: derived from the
 * verification, its attempt, the publication (automated outcome or reviewer's decision), the endpoint and the
 * event. Two publications of the same outcome (the finish and the sweep's recovery, a retried task) plan the
 * same ids, and the store's put-if-absent keeps one row each: the integrator gets each event under one id.
 */
export function outcomeDeliveryId(
  deps: Pick<AppDeps, 'crypto'>,
  v: Pick<Verification, 'id' | 'attempts' | 'review'>,
  endpointId: string,
  event: WebhookEventName,
): string {
  const publication = v.review ? 'review' : 'outcome';
  const key = `delivery:${v.id}:${v.attempts.length}:${publication}:${endpointId}:${event}`;
  // 20 base-36 characters (~103 bits) of the digest: the shape of a random id (RandomIds).
  const digits = BigInt(`0x${deps.crypto.sha256Hex(key)}`)
    .toString(36)
    .padStart(50, '0');
  return `whd_${digits.slice(-20)}`;
}

/**
 * Appends the audit entry the change carries (a reviewer's decision), writes the webhook outbox for a terminal
 * verification, queues the sends, then marks it published.
 * Safe to call again, and concurrently: the audit entry has a fixed id, the delivery ids derive from the
 * publication (see {@link outcomeDeliveryId}), so a second call writes no second entry or row; the
 * maintenance sweep re-runs it for terminal verifications still unpublished.
 */
export async function publishOutcome(deps: AppDeps, v: Verification, flow: Flow): Promise<void> {
  await appendPendingAudit(deps, v);
  const endpoints = await deps.store.webhooks.listActive(v.orgId, v.mode);
  const existing = await deps.store.deliveries.listByVerification(v.id);
  // One delivery per endpoint, event and publication (the automated outcome, then a reviewer's decision).
  // Rows written before the ids were derived (random ids) are matched by that slot.
  const slot = (d: Delivery) => `${publicationOf(d)}:${d.endpointId}:${d.event}`;
  const already = new Set(existing.map(slot));
  const planned = planDeliveries(
    endpoints,
    eventsForOutcome(v),
    toView(v, flow),
    v.orgId,
    deps.clock.now(),
    (endpointId, event) => outcomeDeliveryId(deps, v, endpointId, event),
  ).filter((d) => !already.has(slot(d)));
  await deps.store.deliveries.createMany(planned);
  for (const d of [...existing.filter((e) => e.status === 'pending'), ...planned]) {
    await enqueueDelivery(deps, d.id);
  }
  const at = deps.clock.now().toISOString();
  // The pending audit entry was appended above: published, the record no longer needs to carry it.
  await updateVerification(deps, v.id, (cur) =>
    cur.publishedAt
      ? null
      : { ...cur, publishedAt: at, ...(cur.pendingAudit ? { pendingAudit: null } : {}), version: cur.version + 1 },
  );
}

/**
 * Records the decision of one attempt. Primary course: a retry-type decline with attempts left sends the
 * session back to `pending` with a new challenge; any other outcome makes the verification terminal
 * (never overwriting an earlier terminal state) and publishes it.
 * Idempotent: recording the same attempt twice changes nothing the second time, except finishing a
 * publication that the first time left undone.
 */
export async function recordAttemptOutcome(deps: AppDeps, outcome: AttemptOutcome): Promise<void> {
  const v = await deps.store.verifications.get(outcome.verificationId);
  if (!v) return;
  if (isTerminal(v.status)) {
    // The retry of the task whose terminal write went through and whose audit append or outbox then failed
    // (a throttled write, a crash): finish the publication now, not at the next sweep (up to 15 minutes).
    const decided = v.attempts.find((a) => a.number === outcome.attempt)?.completedAt;
    if (!v.publishedAt && decided) await recoverPublication(deps, v, await flowOf(deps, v));
    return;
  }
  const attempt = v.attempts.find((a) => a.number === outcome.attempt);
  if (!attempt || attempt.completedAt) return;
  // The submit's own entry, in case a crash cut it off and no retry of the submit wrote it (a no-op otherwise).
  await recordSubmittedAudit(deps, v, attempt);
  const flow = await flowOf(deps, v);
  const now = deps.clock.now();
  const done: Attempt = {
    ...attempt,
    completedAt: now.toISOString(),
    decision: outcome.decision,
    declineType: outcome.declineType,
    reasonCodes: outcome.reasonCodes,
    riskFlags: outcome.riskFlags,
  };
  const retryable =
    outcome.decision === 'declined' && outcome.declineType === 'retry' && v.attempts.length < flow.maxAttempts;
  if (retryable) {
    const prompts = flow.checks.includes('liveness') ? newChallenge(flow.livenessPrompts, (n) => randomInt(n)) : null;
    const updated = await updateVerification(deps, v.id, (cur) => {
      const a = cur.attempts.find((x) => x.number === outcome.attempt);
      return a && !a.completedAt ? reopenForRetry(cur, done, now, prompts) : null;
    });
    if (updated) {
      await recordAudit(deps, {
        orgId: v.orgId,
        verificationId: v.id,
        type: 'attempt.declined_retry',
        at: now.toISOString(),
        data: { attempt: outcome.attempt, reasonCodes: outcome.reasonCodes },
      });
    }
    return;
  }
  await finalizeVerification(
    deps,
    v.id,
    {
      decision: outcome.decision,
      declineType: outcome.declineType,
      reasonCodes: outcome.reasonCodes,
      riskFlags: outcome.riskFlags,
    },
    (cur) => ({ ...cur, attempts: cur.attempts.map((a) => (a.number === outcome.attempt ? done : a)) }),
  );
}

/**
 * Expiry: a session past `expiresAt` that never reached a decision becomes terminal. If its last attempt
 * was a retry-type decline, the outcome is that decline (the integrator may start a new verification);
 * otherwise it is `expired` with SESSION_EXPIRED.
 */
export async function expireVerification(deps: AppDeps, verificationId: string): Promise<boolean> {
  const v = await deps.store.verifications.get(verificationId);
  if (!v || isTerminal(v.status) || Date.parse(v.expiresAt) > deps.clock.now().getTime()) return false;
  if (v.status === 'in_progress') return false; // checks are running; their decision will land
  const last = [...v.attempts].reverse().find((a) => a.completedAt);
  const outcome: TerminalOutcome =
    last && last.decision === 'declined'
      ? {
          decision: 'declined',
          declineType: 'retry',
          reasonCodes: [...last.reasonCodes, 'SESSION_EXPIRED'],
          riskFlags: last.riskFlags,
        }
      : { decision: null, declineType: null, reasonCodes: ['SESSION_EXPIRED'], riskFlags: [] };
  return finalizeVerification(deps, verificationId, outcome);
}
