import type {
  Delivery,
  DeliveryAttemptRecord,
  DeliveryStatus,
  Verification,
  VerificationView,
  WebhookEndpoint,
  WebhookEventName,
} from './model';

/** Whether an HTTP attempt acknowledged a delivery: any 2xx status, as Standard Webhooks defines it. */
export function isAcknowledged(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/** How many of a delivery's attempts were not acknowledged (timeouts, network errors, non-2xx answers). */
export function failedAttempts(attempts: readonly DeliveryAttemptRecord[]): number {
  return attempts.filter((a) => !isAcknowledged(a.statusCode)).length;
}

/** The queue's dedupe key of a delivery's send: at most one live `webhook.deliver` job per delivery. */
export function deliveryDedupeKey(deliveryId: string): string {
  return `delivery:${deliveryId}`;
}

/**
 * Webhook events, envelopes and signatures.
 *
 * Which events a terminal outcome raises: `verification.completed` always; one of
 * `verification.approved` / `verification.rejected` / `verification.manual_review` by decision
 * (none for an expiry without decision); `fraud.flagged` when riskFlags is non-empty.
 */
export function eventsForOutcome(v: Pick<Verification, 'decision' | 'riskFlags' | 'review'>): WebhookEventName[] {
  const events: WebhookEventName[] = ['verification.completed'];
  // A reviewer's decision on a review case: the final `completed` (data.review set) and its decision event;
  // manual_review and fraud.flagged were sent with the automated outcome already.
  if (v.review) {
    events.push(v.review.decision === 'approved' ? 'verification.approved' : 'verification.rejected');
    return events;
  }
  if (v.decision === 'approved') events.push('verification.approved');
  if (v.decision === 'declined') events.push('verification.rejected');
  if (v.decision === 'review') events.push('verification.manual_review');
  if (v.riskFlags.length > 0) events.push('fraud.flagged');
  return events;
}

export interface Envelope {
  event: WebhookEventName;
  timestamp: string;
  id: string;
  data: VerificationView;
}

/** The delivery body: built once and stored, so every retry sends (and signs) the same bytes. */
export function buildEnvelopeBody(
  event: WebhookEventName,
  deliveryId: string,
  at: Date,
  data: VerificationView,
): string {
  const envelope: Envelope = { event, timestamp: at.toISOString(), id: deliveryId, data };
  return JSON.stringify(envelope);
}

/** Which publication a delivery belongs to (see Delivery.publication); the outbox dedupes per publication. */
export function publicationOf(d: Pick<Delivery, 'publication'>): 'outcome' | 'review' | 'test' {
  return d.publication ?? 'outcome';
}

/**
 * Creates the outbox rows for one terminal outcome: one delivery per subscribed endpoint and event.
 * A view carrying a review decision makes `review` deliveries (ids distinct from the automated ones).
 * `deliveryId` names each row; a caller that derives it from the publication, endpoint and event makes two
 * plannings of one outcome write the same rows.
 */
export function planDeliveries(
  endpoints: WebhookEndpoint[],
  events: WebhookEventName[],
  view: VerificationView,
  orgId: string,
  now: Date,
  deliveryId: (endpointId: string, event: WebhookEventName) => string,
): Delivery[] {
  const at = now.toISOString();
  const out: Delivery[] = [];
  for (const endpoint of endpoints) {
    if (endpoint.deletedAt || endpoint.disabledAt || endpoint.mode !== view.mode) continue;
    for (const event of events) {
      if (!endpoint.events.includes(event)) continue;
      const id = deliveryId(endpoint.id, event);
      out.push({
        id,
        orgId,
        endpointId: endpoint.id,
        verificationId: view.verificationId,
        event,
        body: buildEnvelopeBody(event, id, now, view),
        createdAt: at,
        status: 'pending',
        attempts: [],
        nextAttemptAt: at,
        updatedAt: at,
        ...(view.review ? { publication: 'review' as const } : {}),
      });
    }
  }
  return out;
}

export interface SignatureHeaders {
  'Content-Type': string;
  'User-Agent': string;
  'X-Nextcap-Signature': string;
  'X-Nextcap-Event': string;
  'X-Nextcap-Delivery': string;
  'X-Nextcap-Timestamp': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Key bytes of a `whsec_` secret as Standard Webhooks defines them (base64 after the prefix). */
function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** The MAC primitives webhook signatures need (the Crypto port provides them). */
export interface SigningCrypto {
  hmacSha256(secret: string | Buffer, data: string | Buffer): Buffer;
  /** Constant-time equality of two strings. */
  safeEqual(a: string, b: string): boolean;
}

/**
 * Signs one send of a delivery.
 * - `X-Nextcap-Signature`: hex HMAC-SHA256 of the raw body with the secret string (the spec's snippet).
 * - `webhook-id` / `webhook-timestamp` / `webhook-signature`: Standard Webhooks, `v1,<base64 HMAC of
 *   "<id>.<timestamp>.<body>">`, so receivers can reject replays outside a tolerance window.
 * The timestamp is the time of this send (seconds), so a retried delivery is fresh but keeps its id.
 * During a rotation overlap `webhook-signature` lists both secrets' signatures (space-separated, new first),
 * as Standard Webhooks allows, while `X-Nextcap-Signature` carries the new secret's only.
 */
export function signDelivery(
  crypto: SigningCrypto,
  secret: string,
  d: Pick<Delivery, 'id' | 'event' | 'body'>,
  sentAt: Date,
  /** During a secret rotation's overlap: the old secret, whose signature is listed after the new one's. */
  previousSecret: string | null = null,
): SignatureHeaders {
  const ts = Math.floor(sentAt.getTime() / 1000).toString();
  const legacy = crypto.hmacSha256(Buffer.from(secret, 'utf8'), d.body).toString('hex');
  const sign = (s: string) =>
    `v1,${crypto.hmacSha256(standardWebhooksKey(s), `${d.id}.${ts}.${d.body}`).toString('base64')}`;
  const signatures = [sign(secret), ...(previousSecret ? [sign(previousSecret)] : [])];
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'Nextcap-KYC-Webhooks/1',
    'X-Nextcap-Signature': legacy,
    'X-Nextcap-Event': d.event,
    'X-Nextcap-Delivery': d.id,
    'X-Nextcap-Timestamp': ts,
    'webhook-id': d.id,
    'webhook-timestamp': ts,
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Verifies a Standard Webhooks signature (what a receiver does; used by our tests and docs).
 * Rejects timestamps outside `toleranceSeconds` of `now`.
 */
export function verifyTimestampedSignature(
  crypto: SigningCrypto,
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(now.getTime() / 1000 - ts) > toleranceSeconds) return false;
  const expected = crypto
    .hmacSha256(standardWebhooksKey(secret), `${headers.id}.${headers.timestamp}.${body}`)
    .toString('base64');
  return headers.signature.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    return version === 'v1' && sig !== undefined && crypto.safeEqual(sig, expected);
  });
}

/** Next retry delay after `failedAttempts` failures, with ±20 % jitter; null when retries are exhausted. */
export function nextRetryDelayMs(
  retryDelaysMs: number[],
  failedAttempts: number,
  random: () => number = Math.random,
): number | null {
  const base = retryDelaysMs[failedAttempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface EndpointHealth {
  lastAttemptAt: string | null;
  lastStatus: DeliveryStatus | null;
  lastStatusCode: number | null;
  consecutiveFailures: number;
  /** Share of finished deliveries that succeeded among the most recent ones, 0..1; null without any. */
  successRate: number | null;
  recentDeliveries: number;
  pending: number;
  deadLettered: number;
}

/** Delivery health of an endpoint from its most recent deliveries (newest first). */
export function endpointHealth(recent: Delivery[]): EndpointHealth {
  const attempts: DeliveryAttemptRecord[] = recent.flatMap((d) => d.attempts).sort((a, b) => b.at.localeCompare(a.at));
  const last = attempts[0] ?? null;
  let consecutiveFailures = 0;
  for (const a of attempts) {
    if (isAcknowledged(a.statusCode)) break;
    consecutiveFailures++;
  }
  const finished = recent.filter((d) => d.status !== 'pending');
  const ok = finished.filter((d) => d.status === 'succeeded').length;
  const lastDelivery = recent.find((d) => d.attempts.length > 0) ?? null;
  return {
    lastAttemptAt: last?.at ?? null,
    lastStatus: last
      ? isAcknowledged(last.statusCode)
        ? 'succeeded'
        : 'failed'
      : lastDelivery
        ? lastDelivery.status
        : null,
    lastStatusCode: last?.statusCode ?? null,
    consecutiveFailures,
    successRate: finished.length ? ok / finished.length : null,
    recentDeliveries: recent.length,
    pending: recent.filter((d) => d.status === 'pending').length,
    deadLettered: recent.filter((d) => d.status === 'failed').length,
  };
}
