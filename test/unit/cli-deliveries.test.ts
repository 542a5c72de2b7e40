import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Delivery } from '../../functions/domain/model';
import { runCli } from '../../functions/local/cli';
import { loadLocalConfig } from '../../functions/local/config';
import { createLocalRuntime, type LocalRuntime } from '../../functions/local/deps';

/**
 * `kyc deliveries redeliver` follows the same rule as the operator console (the rule lives in the redeliver use
 * case): a delivery still pending is refused, since its send or retry is already queued; a finished one is queued
 * again with the same id and body.
 */
describe('kyc deliveries redeliver', () => {
  let dir: string;
  let rt: LocalRuntime;
  const previous = process.env.KYC_DATA_DIR;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kyc-cli-deliveries-'));
    process.env.KYC_DATA_DIR = dir;
    rt = createLocalRuntime(loadLocalConfig());
  });
  afterAll(async () => {
    await rt.close();
    if (previous === undefined) delete process.env.KYC_DATA_DIR;
    else process.env.KYC_DATA_DIR = previous;
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...argv: string[]): Promise<{ code: number; json: any }> {
    const lines: string[] = [];
    const code = await runCli([...argv, '--json'], (s) => lines.push(s));
    return { code, json: JSON.parse(lines.join('\n')) };
  }

  it("refuses a pending delivery with the console's 409 delivery_pending, and queues a finished one again", async () => {
    const org = await cli('orgs', 'create', '--name', 'Acme');
    expect(org.code).toBe(0);
    const orgId = org.json.orgId as string;
    const at = new Date().toISOString();
    const delivery: Delivery = {
      id: rt.deps.ids.next('whd'),
      orgId,
      endpointId: rt.deps.ids.next('whe'),
      verificationId: rt.deps.ids.next('vrf'),
      event: 'verification.completed',
      body: '{"event":"verification.completed"}',
      createdAt: at,
      status: 'pending',
      attempts: [],
      nextAttemptAt: at,
      updatedAt: at,
    };
    await rt.deps.store.deliveries.createMany([delivery]);

    const refused = await cli('deliveries', 'redeliver', delivery.id, '--org', orgId);
    expect(refused.code).toBe(2);
    expect(refused.json).toMatchObject({ error: { code: 'delivery_pending' } });
    // Nothing changed: no fresh retry budget, still the one pending send.
    expect(await rt.deps.store.deliveries.get(delivery.id)).toMatchObject({ status: 'pending', attempts: [] });
    expect((await rt.deps.store.deliveries.get(delivery.id))?.redeliveredAfterFailures).toBeUndefined();

    // Dead-lettered after one failed attempt: the operator may send it again.
    const failedAt = new Date().toISOString();
    const attempt = { at: failedAt, statusCode: 500, error: null, durationMs: 12 };
    expect(
      await rt.deps.store.deliveries.recordAttempt(
        delivery.id,
        { status: 'pending', attemptCount: 0 },
        { status: 'failed', attempts: [attempt], nextAttemptAt: null, updatedAt: failedAt },
      ),
    ).toBe(true);
    const queued = await cli('deliveries', 'redeliver', delivery.id, '--org', orgId);
    expect(queued).toMatchObject({ code: 0, json: { deliveryId: delivery.id, status: 'pending' } });
    expect(await rt.deps.store.deliveries.get(delivery.id)).toMatchObject({
      status: 'pending',
      redeliveredAfterFailures: 1,
    });
  });
});
