/**
 * An Idempotency-Key whose first request died between claim and store (a crash, a killed process): its retry is
 * told "in progress" only for the claim's lease, then runs; the dead claimant can no longer write.
 */
import { IDEMPOTENCY_LEASE_SECONDS, withIdempotency } from '../../functions/app/idempotency';
import { createPipelineHarness, type PipelineHarness } from '../pipeline/harness';

describe('idempotency lease', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  const input = { keyId: 'key_test1', idempotencyKey: 'create-42', requestFingerprint: '{"body":1}' };
  const later = (seconds: number) => {
    h.clock.current = new Date(h.clock.current.getTime() + seconds * 1000);
  };

  it('a retry after the lease takes over a claim its process never finished; the replay then holds', async () => {
    // The first request claims the key, then its process is killed before the response is stored.
    const crashed = withIdempotency(h.deps, input, () => new Promise<never>(() => undefined));
    void crashed;
    await new Promise((r) => setImmediate(r));

    later(5);
    await expect(
      withIdempotency(h.deps, input, async () => ({ statusCode: 201, body: 'second' })),
    ).rejects.toMatchObject({
      code: 'idempotency_request_in_progress',
    });

    later(IDEMPOTENCY_LEASE_SECONDS);
    expect(await withIdempotency(h.deps, input, async () => ({ statusCode: 201, body: 'retried' }))).toEqual({
      statusCode: 201,
      body: 'retried',
      replayed: false,
    });
    later(60);
    expect(await withIdempotency(h.deps, input, async () => ({ statusCode: 201, body: 'third' }))).toEqual({
      statusCode: 201,
      body: 'retried',
      replayed: true,
    });
  });
});
