import { errors } from '../domain/errors';
import type { AppDeps } from './deps';

export interface StoredResponse {
  statusCode: number;
  body: string;
}

/**
 * Key that seals a stored response: derived from the Idempotency-Key itself, which the record keeps only
 * as a SHA-256 (the scope). Only a caller presenting the key can read the response back, so a copy of the
 * table never yields the client tokens (or the applicant data) that responses carry.
 */
function responseKey(deps: AppDeps, keyId: string, idempotencyKey: string): Buffer {
  return deps.crypto.hmacSha256(idempotencyKey, `kyc-idempotent-response:${keyId}`);
}

/**
 * How long an unfinished claim holds its key. Longer than any API request can run (API Gateway ends an
 * integration at 29 s), so only a claimant that died between claim and store (a crash, a killed process) is
 * ever taken over: its client's retry with the same key then runs the request instead of hearing
 * "in progress" until the record expires a day later.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 30;

/**
 * Idempotency-Key handling (Stripe semantics). Primary course: claim the key for this caller -> run
 * the request -> store its response, sealed under a key derived from the Idempotency-Key, for 24 h. The
 * same key with the same body replays the stored response; with a different body -> 409; while the first
 * request is still running -> 409 (for at most the lease). Failed requests release the key so the client can retry with it.
 */
export async function withIdempotency(
  deps: AppDeps,
  input: { keyId: string; idempotencyKey: string | undefined; requestFingerprint: string },
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (input.idempotencyKey === undefined) return { ...(await run()), replayed: false };
  if (!/^[\x21-\x7e]{1,255}$/.test(input.idempotencyKey)) {
    throw errors.validation(
      [{ field: 'Idempotency-Key', issue: 'must be 1-255 printable ASCII characters' }],
      'Invalid Idempotency-Key header.',
    );
  }
  const now = deps.clock.now();
  const scope = `${input.keyId}:${deps.crypto.sha256Hex(input.idempotencyKey)}`;
  const requestHash = deps.crypto.sha256Hex(input.requestFingerprint);
  const claimId = deps.ids.next('idm');
  const claim = await deps.store.idempotency.claim(
    {
      scope,
      claimId,
      requestHash,
      response: null,
      createdAt: now.toISOString(),
      leaseExpiresAt: new Date(now.getTime() + IDEMPOTENCY_LEASE_SECONDS * 1000).toISOString(),
      expiresAt: new Date(now.getTime() + deps.config.idempotencyTtlSeconds * 1000).toISOString(),
    },
    now.toISOString(),
  );
  if (!claim.claimed) {
    if (claim.existing.requestHash !== requestHash) {
      throw errors.conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', [
        { field: 'Idempotency-Key', issue: 'already used with a different body' },
      ]);
    }
    if (!claim.existing.response) {
      throw errors.conflict(
        'idempotency_request_in_progress',
        'A request with this Idempotency-Key is still being processed; retry shortly.',
        [],
        { 'Retry-After': '1' },
      );
    }
    const body = deps.crypto.open(responseKey(deps, input.keyId, input.idempotencyKey), claim.existing.response.body);
    // Same scope means same key id and key, so the seal opens; anything else is a corrupt record.
    if (body === null) throw new Error(`stored idempotent response of ${scope} does not open`);
    return { statusCode: claim.existing.response.statusCode, body, replayed: true };
  }
  try {
    const response = await run();
    await deps.store.idempotency.complete(scope, claimId, {
      statusCode: response.statusCode,
      body: deps.crypto.seal(responseKey(deps, input.keyId, input.idempotencyKey), response.body),
    });
    return { ...response, replayed: false };
  } catch (err) {
    await deps.store.idempotency.release(scope, claimId);
    throw err;
  }
}
