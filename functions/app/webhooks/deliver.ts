import { errors } from '../../domain/errors';
import type { Delivery, KycKey, WebhookEndpoint } from '../../domain/model';
import {
  deliveryDedupeKey,
  failedAttempts,
  isAcknowledged,
  nextRetryDelayMs,
  signDelivery,
} from '../../domain/webhooks';
import type { AppDeps } from '../deps';

/**
 * What one delivery attempt asks its caller to do next. The local worker and the SQS consumer
 * (functions/aws/webhook-consumer.ts) both act on it: `retry` reschedules the job, the others end it.
 */
export type DeliveryResult =
  | { outcome: 'succeeded' }
  /** Not acknowledged and no retries left: kept as failed (dead-lettered) for a manual redelivery. */
  | { outcome: 'failed' }
  | { outcome: 'retry'; retryInMs: number }
  /** Nothing to do: unknown, already finished, the endpoint was deleted or disabled, or its key revoked. */
  | { outcome: 'skipped' };

/**
 * Queues a send of the delivery, `delayMs` from now. Deduplicated per delivery: a no-op while one is queued.
 */
export function enqueueDelivery(deps: Pick<AppDeps, 'queue'>, deliveryId: string, delayMs?: number): Promise<void> {
  return deps.queue.enqueue(
    'webhook.deliver',
    { deliveryId },
    { dedupeKey: deliveryDedupeKey(deliveryId), ...(delayMs === undefined ? {} : { delayMs }) },
  );
}

/**
 * Sends one delivery once. Primary course: load delivery + endpoint + signing key -> sign this send ->
 * POST with the timeout -> record the attempt -> 2xx succeeded; otherwise retry after the next backoff
 * delay, or, when retries are exhausted, keep it as failed (dead-lettered) for manual redelivery.
 * The caller (local worker or SQS consumer) schedules the retry it is told about.
 */
export async function deliverWebhook(deps: AppDeps, deliveryId: string): Promise<DeliveryResult> {
  const d = await deps.store.deliveries.get(deliveryId);
  if (d?.status !== 'pending') return { outcome: 'skipped' };
  const endpoint = await deps.store.webhooks.get(d.orgId, d.endpointId);
  const target = sendTarget(endpoint, endpoint ? await deps.store.keys.get(d.orgId, endpoint.keyId) : null);
  const now = deps.clock.now();
  // The outcome is recorded only if no other writer (a concurrent send) recorded one since we read the delivery;
  // the body is never written back, so an erasure's scrub meanwhile stays.
  const expected = { status: 'pending' as const, attemptCount: d.attempts.length };
  if ('refusal' in target) {
    await deps.store.deliveries.recordAttempt(d.id, expected, {
      status: 'failed',
      nextAttemptAt: null,
      updatedAt: now.toISOString(),
      attempts: [...d.attempts, { at: now.toISOString(), statusCode: null, error: target.refusal, durationMs: 0 }],
    });
    return { outcome: 'skipped' };
  }
  const { endpoint: to, key } = target;
  const secret = await deps.secrets.decrypt(key.encryptedSecret);
  const overlapping =
    key.previousEncryptedSecret &&
    key.previousSecretExpiresAt &&
    Date.parse(key.previousSecretExpiresAt) > now.getTime();
  const previousSecret = overlapping ? await deps.secrets.decrypt(key.previousEncryptedSecret as string) : null;
  const headers = signDelivery(deps.crypto, secret, d, now, previousSecret);
  const result = await deps.webhookTransport.send({
    url: to.url,
    headers: { ...headers },
    body: d.body,
    timeoutMs: deps.config.webhookTimeoutMs,
    allowHosts: deps.config.webhookAllowHosts,
  });
  const after = deps.clock.now();
  const ok = isAcknowledged(result.statusCode);
  const attempts = [
    ...d.attempts,
    { at: now.toISOString(), statusCode: result.statusCode, error: result.error, durationMs: result.durationMs },
  ];
  const retryInMs = ok
    ? null
    : nextRetryDelayMs(deps.config.webhookRetryDelaysMs, failuresSinceReset(d, failedAttempts(attempts)));
  const recorded = await deps.store.deliveries.recordAttempt(d.id, expected, {
    attempts,
    status: ok ? 'succeeded' : retryInMs === null ? 'failed' : 'pending',
    nextAttemptAt: retryInMs === null ? null : new Date(after.getTime() + retryInMs).toISOString(),
    updatedAt: after.toISOString(),
  });
  // Another writer recorded an outcome first: theirs stands, and whoever wrote it schedules what follows.
  if (!recorded) return { outcome: 'skipped' };
  if (ok) return { outcome: 'succeeded' };
  return retryInMs === null ? { outcome: 'failed' } : { outcome: 'retry', retryInMs };
}

/**
 * Where a delivery goes and which key signs it, or why it must not be sent. A revoked key's secret never
 * signs again (whoever holds the key may hold the secret too), so deliveries owed through its endpoints fail
 * at once, even if revocation has not yet disabled the endpoint; integrators register the endpoint again
 * with an active key.
 */
function sendTarget(
  endpoint: WebhookEndpoint | null,
  key: KycKey | null,
): { endpoint: WebhookEndpoint; key: KycKey } | { refusal: string } {
  if (!endpoint || endpoint.deletedAt) return { refusal: 'endpoint_deleted' };
  if (!key) return { refusal: 'signing_key_missing' };
  if (key.revokedAt) return { refusal: 'signing_key_revoked' };
  if (endpoint.disabledAt) return { refusal: 'endpoint_disabled' };
  return { endpoint, key };
}

/** Failures counted since the last manual redelivery (a redelivery starts a fresh retry budget). */
function failuresSinceReset(d: Delivery, totalFailures: number): number {
  return totalFailures - (d.redeliveredAfterFailures ?? 0);
}

/**
 * Operator action (admin console and CLI alike): sends a dead-lettered (or any finished) delivery again with
 * the same id and body, with a fresh retry budget. A delivery still pending is refused (409 delivery_pending):
 * its send or retry is already queued.
 */
export async function redeliver(deps: AppDeps, deliveryId: string): Promise<Delivery | null> {
  const d = await deps.store.deliveries.get(deliveryId);
  if (!d) return null;
  if (d.status === 'pending') throw errors.conflict('delivery_pending', 'The delivery is still being sent.');
  const now = deps.clock.now().toISOString();
  const reopened = await deps.store.deliveries.reopen(
    d.id,
    { status: d.status, attemptCount: d.attempts.length },
    { redeliveredAfterFailures: failedAttempts(d.attempts), nextAttemptAt: now, updatedAt: now },
  );
  // Not reopened: another writer changed it since the read (a send or another redelivery); nothing to queue.
  if (reopened) await enqueueDelivery(deps, d.id);
  // Read back rather than built from `d`: the body may have been scrubbed by an erasure meanwhile.
  return deps.store.deliveries.get(d.id);
}
