import { ApiError } from '../domain/errors';
import type { AppDeps } from './deps';

export interface StoredResponse {
  statusCode: number;
  body: string;
}

/**
 * Idempotency-Key handling (Stripe semantics). Primary course: claim the key for this caller -> run
 * the request -> store its response for 24 h. The same key with the same body replays the stored
 * response; with a different body -> 409; while the first request is still running -> 409.
 * Failed requests release the key so the client can retry with it.
 */
export async function withIdempotency(
  deps: AppDeps,
  input: { keyId: string; idempotencyKey: string | undefined; requestFingerprint: string },
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (input.idempotencyKey === undefined) return { ...(await run()), replayed: false };
  if (!/^[\x21-\x7e]{1,255}$/.test(input.idempotencyKey)) {
    throw new ApiError(400, 'validation_error', 'Invalid Idempotency-Key header.', [
      { field: 'Idempotency-Key', issue: 'must be 1-255 printable ASCII characters' },
    ]);
  }
  const now = deps.clock.now();
  const scope = `${input.keyId}:${deps.crypto.sha256Hex(input.idempotencyKey)}`;
  const requestHash = deps.crypto.sha256Hex(input.requestFingerprint);
  const claim = await deps.store.idempotency.claim(
    {
      scope,
      requestHash,
      response: null,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deps.config.idempotencyTtlSeconds * 1000).toISOString(),
    },
    now.toISOString(),
  );
  if (!claim.claimed) {
    if (claim.existing.requestHash !== requestHash) {
      throw new ApiError(
        409,
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request body.',
        [{ field: 'Idempotency-Key', issue: 'already used with a different body' }],
      );
    }
    if (!claim.existing.response) {
      throw new ApiError(
        409,
        'idempotency_request_in_progress',
        'A request with this Idempotency-Key is still being processed; retry shortly.',
        [],
        { 'Retry-After': '1' },
      );
    }
    return { ...claim.existing.response, replayed: true };
  }
  try {
    const response = await run();
    await deps.store.idempotency.complete(scope, response);
    return { ...response, replayed: false };
  } catch (err) {
    await deps.store.idempotency.release(scope);
    throw err;
  }
}
