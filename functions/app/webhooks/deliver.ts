import { nextRetryDelayMs, signDelivery } from '../../domain/webhooks';
import type { Delivery, KycKey, WebhookEndpoint } from '../../domain/model';
import type { AppDeps } from '../deps';

export type DeliverOutcome =
  | { outcome: 'succeeded' }
  | { outcome: 'failed' }
  | { outcome: 'retry'; retryInMs: number }
  /** Nothing to do: unknown, already finished, the endpoint was deleted or disabled, or its key revoked. */
  | { outcome: 'skipped' };

/**
 * Sends one delivery once. Primary course: load delivery + endpoint + signing key -> sign this send ->
 * POST with the timeout -> record the attempt -> 2xx succeeded; otherwise retry after the next backoff
 * delay, or, when retries are exhausted, keep it as failed (dead-lettered) for manual redelivery.
 * The caller (local worker or SQS consumer) schedules the retry it is told about.
 */
export async function deliverWebhook(deps: AppDeps, deliveryId: string): Promise<DeliverOutcome> {
  const d = await deps.store.deliveries.get(deliveryId);
  if (d?.status !== 'pending') return { outcome: 'skipped' };
  const endpoint = await deps.store.webhooks.get(d.orgId, d.endpointId);
  const target = sendTarget(endpoint, endpoint ? await deps.store.keys.get(d.orgId, endpoint.keyId) : null);
  const now = deps.clock.now();
  if ('refusal' in target) {
    await deps.store.deliveries.save({
      ...d,
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
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const attempts = [
    ...d.attempts,
    { at: now.toISOString(), statusCode: result.statusCode, error: result.error, durationMs: result.durationMs },
  ];
  const failures = attempts.filter((a) => !(a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300)).length;
  const retryInMs = ok ? null : nextRetryDelayMs(deps.config.webhookRetryDelaysMs, failuresSinceReset(d, failures));
  const next: Delivery = {
    ...d,
    attempts,
    status: ok ? 'succeeded' : retryInMs === null ? 'failed' : 'pending',
    nextAttemptAt: retryInMs === null ? null : new Date(after.getTime() + retryInMs).toISOString(),
    updatedAt: after.toISOString(),
  };
  await deps.store.deliveries.save(next);
  if (ok) return { outcome: 'succeeded' };
  return retryInMs === null ? { outcome: 'failed' } : { outcome: 'retry', retryInMs };
}

/**
 * Where a delivery goes and which key signs it, or why it must not be sent. A revoked key's secret never signs again (whoever holds the key may
 * hold the secret too), so deliveries owed through its endpoints fail at once, even if revocation has not yet
 * disabled the endpoint; integrators register the endpoint again with an active key.
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
 * Operator action: sends a dead-lettered (or any finished) delivery again with the same id and body,
 * with a fresh retry budget.
 */
export async function redeliver(deps: AppDeps, deliveryId: string): Promise<Delivery | null> {
  const d = await deps.store.deliveries.get(deliveryId);
  if (!d) return null;
  const failures = d.attempts.filter(
    (a) => !(a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300),
  ).length;
  const next: Delivery = {
    ...d,
    status: 'pending',
    redeliveredAfterFailures: failures,
    nextAttemptAt: deps.clock.now().toISOString(),
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.deliveries.save(next);
  await deps.queue.enqueue('webhook.deliver', { deliveryId: d.id }, { dedupeKey: `delivery:${d.id}` });
  return next;
}
