import crypto from 'node:crypto';
import { verifyTimestampedSignature } from '../../functions/domain/webhooks';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { runCli } from '../../functions/local/cli';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

const BASE = '/api/v1/external/kyc';

/** The spec's verification snippet, verbatim apart from taking the secret as a parameter. */
function specVerify(SECRET: string, rawBody: Buffer, signatureHeader: string | undefined): boolean {
  const expected = crypto.createHmac('sha256', SECRET).update(rawBody).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signatureHeader || '');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '200,400,800', KYC_WEBHOOK_TIMEOUT_MS: '1000' } });
});
afterAll(() => srv.stop());

async function setup(responder: Parameters<typeof startReceiver>[0], events = ['verification.completed']) {
  const receiver = await startReceiver(responder);
  const minted = await srv.mintKey('test');
  const hook = await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
    key: minted.key,
    body: { url: receiver.url, events },
  });
  expect(hook.status).toBe(201);
  const v = await api(srv.baseUrl, 'POST', `${BASE}/verifications`, {
    key: minted.key,
    body: { metadata: { orderId: 'W-1' } },
  });
  return { receiver, minted, hookId: hook.json.data.id as string, verificationId: v.json.data.id as string };
}

const simulate = (key: string, id: string, body: unknown) =>
  api(srv.baseUrl, 'POST', `${BASE}/verifications/${id}/simulate`, { key, body });

describe('signed deliveries', () => {
  it('delivers the spec envelope, verifiable with the spec snippet and the timestamped signature', async () => {
    const { receiver, minted, verificationId } = await setup(
      () => 200,
      [
        'verification.completed',
        'verification.approved',
        'verification.rejected',
        'verification.manual_review',
        'fraud.flagged',
      ],
    );
    await simulate(minted.key, verificationId, { decision: 'approved', riskFlags: ['HIGH_ATTEMPT_VELOCITY'] });
    const got = await receiver.waitFor(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(3); // completed + approved + fraud.flagged, nothing else
    expect(got.map((d) => d.json.event).sort()).toEqual([
      'fraud.flagged',
      'verification.approved',
      'verification.completed',
    ]);
    for (const d of got) {
      expect(specVerify(minted.secret, d.raw, d.headers['x-nextcap-signature'] as string)).toBe(true);
      expect(specVerify('whsec_wrong', d.raw, d.headers['x-nextcap-signature'] as string)).toBe(false);
      expect(d.headers['x-nextcap-event']).toBe(d.json.event);
      expect(d.headers['x-nextcap-delivery']).toBe(d.json.id);
      expect(d.json.id).toMatch(/^whd_[a-z0-9]{20}$/);
      expect(Object.keys(d.json).sort()).toEqual(['data', 'event', 'id', 'timestamp']);
      expect(d.json.data).toMatchObject({
        verificationId,
        status: 'approved',
        decision: 'approved',
        declineType: null,
        reasonCodes: [],
        riskFlags: ['HIGH_ATTEMPT_VELOCITY'],
        mode: 'test',
        metadata: { orderId: 'W-1' },
      });
      expect(d.json.data.completedAt).toEqual(expect.any(String));
      // Standard Webhooks: webhook-id/timestamp/signature, replay-protected.
      expect(d.headers['webhook-id']).toBe(d.json.id);
      const headers = {
        id: d.headers['webhook-id'] as string,
        timestamp: d.headers['webhook-timestamp'] as string,
        signature: d.headers['webhook-signature'] as string,
      };
      expect(verifyTimestampedSignature(nodeCrypto, minted.secret, headers, d.raw.toString('utf8'), new Date())).toBe(
        true,
      );
      expect(
        verifyTimestampedSignature(
          nodeCrypto,
          minted.secret,
          headers,
          d.raw.toString('utf8'),
          new Date(Date.now() + 10 * 60_000),
        ),
      ).toBe(false);
      expect(
        verifyTimestampedSignature(
          nodeCrypto,
          minted.secret,
          headers,
          d.raw.toString('utf8').replace('approved', 'declined'),
          new Date(),
        ),
      ).toBe(false);
    }
    await receiver.close();
  });

  it('signs the timestamped signature the Standard Webhooks way (base64 key after whsec_)', async () => {
    const { receiver, minted, verificationId } = await setup(() => 200);
    await simulate(minted.key, verificationId, { decision: 'review' });
    const [d] = await receiver.waitFor(1);
    const id = d!.headers['webhook-id'] as string;
    const ts = d!.headers['webhook-timestamp'] as string;
    const key = Buffer.from(minted.secret.slice('whsec_'.length), 'base64');
    const expected = crypto
      .createHmac('sha256', key)
      .update(`${id}.${ts}.${d!.raw.toString('utf8')}`)
      .digest('base64');
    expect(d!.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(d!.json.data).toMatchObject({ decision: 'review', reasonCodes: expect.any(Array) });
    await receiver.close();
  });

  it('sends only the events an endpoint subscribed to', async () => {
    const { receiver, minted, verificationId } = await setup(() => 200, ['verification.rejected']);
    await simulate(minted.key, verificationId, { decision: 'approved' });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(0);
    await receiver.close();
  });
});

describe('retries', () => {
  it('retries a failing receiver with growing gaps and the same delivery id', async () => {
    const { receiver, minted, verificationId } = await setup((n) => (n <= 3 ? 500 : 200));
    await simulate(minted.key, verificationId, { decision: 'approved' });
    const got = await receiver.waitFor(4);
    await new Promise((r) => setTimeout(r, 1200));
    expect(receiver.received).toHaveLength(4);
    expect(new Set(got.map((d) => d.headers['x-nextcap-delivery'])).size).toBe(1);
    expect(new Set(got.map((d) => d.raw.toString('utf8'))).size).toBe(1); // same bytes every time
    const gaps = got.slice(1).map((d, i) => d.at - got[i]!.at);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    const delivery = await srv.app.runtime.deps.store.deliveries.get(got[0]!.json.id);
    expect(delivery).toMatchObject({ status: 'succeeded' });
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    await receiver.close();
  });

  it('dead-letters after 1 try + 3 retries, shows it in health, and redelivers on request', async () => {
    let healthy = false;
    const { receiver, minted, hookId, verificationId } = await setup(() => (healthy ? 200 : 503));
    await simulate(minted.key, verificationId, { decision: 'declined', declineType: 'retry' });
    const got = await receiver.waitFor(4);
    const deliveryId = got[0]!.json.id as string;
    const deps = srv.app.runtime.deps;
    for (let i = 0; i < 50 && (await deps.store.deliveries.get(deliveryId))!.status !== 'failed'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await deps.store.deliveries.get(deliveryId))!.status).toBe('failed');
    expect(receiver.received).toHaveLength(4);
    const list = await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: minted.key });
    const health = list.json.data.find((e: { id: string }) => e.id === hookId).health;
    expect(health).toMatchObject({
      lastStatus: 'failed',
      lastStatusCode: 503,
      consecutiveFailures: 4,
      successRate: 0,
      deadLettered: 1,
    });
    healthy = true;
    const lines: string[] = [];
    process.env.KYC_DATA_DIR = srv.dataDir; // the CLI works on the running server's data directory
    try {
      expect(await runCli(['deliveries', 'redeliver', deliveryId, '--json'], (s) => lines.push(s))).toBe(0);
    } finally {
      delete process.env.KYC_DATA_DIR;
    }
    expect(JSON.parse(lines.join(''))).toEqual({ deliveryId, status: 'pending' });
    const all = await receiver.waitFor(5);
    expect(all[4]!.headers['x-nextcap-delivery']).toBe(deliveryId);
    for (let i = 0; i < 50 && (await deps.store.deliveries.get(deliveryId))!.status !== 'succeeded'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await deps.store.deliveries.get(deliveryId))!.status).toBe('succeeded');
    const after = (await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: minted.key })).json.data.find(
      (e: { id: string }) => e.id === hookId,
    ).health;
    expect(after).toMatchObject({ lastStatus: 'succeeded', consecutiveFailures: 0, successRate: 1, deadLettered: 0 });
    await receiver.close();
  });

  it('cuts a hanging receiver at the timeout and retries', async () => {
    const { receiver, minted, verificationId } = await setup((n) => (n === 1 ? 'hang' : 200));
    await simulate(minted.key, verificationId, { decision: 'approved' });
    const got = await receiver.waitFor(2, 10_000);
    const delivery = await srv.app.runtime.deps.store.deliveries.get(got[0]!.json.id);
    for (
      let i = 0;
      i < 30 && delivery && (await srv.app.runtime.deps.store.deliveries.get(delivery.id))!.status !== 'succeeded';
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const final = await srv.app.runtime.deps.store.deliveries.get(got[0]!.json.id);
    expect(final!.attempts[0]).toMatchObject({ statusCode: null, error: 'timeout' });
    expect(final!.attempts[0]!.durationMs).toBeGreaterThanOrEqual(1000);
    expect(final!.attempts[1]).toMatchObject({ statusCode: 200 });
    await receiver.close();
  });

  it('stops delivering to a deleted endpoint', async () => {
    const { receiver, minted, hookId, verificationId } = await setup(() => 500);
    await simulate(minted.key, verificationId, { decision: 'approved' });
    await receiver.waitFor(1);
    await api(srv.baseUrl, 'DELETE', `${BASE}/webhooks/${hookId}`, { key: minted.key });
    await new Promise((r) => setTimeout(r, 1800));
    expect(receiver.received).toHaveLength(1);
    await receiver.close();
  });

  it('revoking a key disables the endpoints it registered: retries stop, new outcomes are not sent', async () => {
    const { receiver, minted, hookId, verificationId } = await setup(() => 500);
    const colleague = await srv.mintKey('test'); // another active key of the same org and mode
    const later = await api(srv.baseUrl, 'POST', `${BASE}/verifications`, { key: colleague.key, body: {} });
    await simulate(minted.key, verificationId, { decision: 'approved' });
    const first = await receiver.waitFor(1);
    const lines: string[] = [];
    process.env.KYC_DATA_DIR = srv.dataDir;
    try {
      expect(await runCli(['keys', 'revoke', minted.keyId], (s) => lines.push(s))).toBe(0);
    } finally {
      delete process.env.KYC_DATA_DIR;
    }
    expect(lines.join('\n')).toContain(
      `Disabled the webhook endpoints it registered (they receive nothing): ${hookId}`,
    );
    // A new terminal outcome of the org is not planned for the disabled endpoint either.
    await simulate(colleague.key, later.json.data.id, { decision: 'approved' });
    const deps = srv.app.runtime.deps;
    const owedId = first[0]!.json.id as string;
    // The owed retry (due within 200-800 ms) is refused instead of sent.
    for (let i = 0; i < 100 && (await deps.store.deliveries.get(owedId))!.status === 'pending'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const owed = await deps.store.deliveries.get(owedId);
    expect(owed).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(owed!.attempts.at(-1)).toMatchObject({ statusCode: null, error: 'signing_key_revoked' });
    expect(receiver.received).toHaveLength(1);
    const planned = await deps.store.deliveries.listByVerification(later.json.data.id);
    expect(planned.filter((d) => d.endpointId === hookId)).toEqual([]);

    const listed = await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: colleague.key });
    expect(listed.json.data.find((e: { id: string }) => e.id === hookId)).toMatchObject({
      status: 'disabled',
      disabledAt: expect.any(String),
      disabledReason: 'key_revoked',
    });
    await receiver.close();
  });

  it("never signs with a revoked key's secret, even before its endpoints are marked disabled", async () => {
    const { receiver, minted, hookId } = await setup(() => 200);
    const deps = srv.app.runtime.deps;
    // Only the key record changes (as if revocation stopped between its two writes).
    expect(await deps.store.keys.revoke(srv.org.id, minted.keyId, new Date().toISOString())).toBe(true);
    expect((await deps.store.webhooks.get(srv.org.id, hookId))?.disabledAt ?? null).toBeNull();
    const owner = await srv.mintKey('test');
    const hook2 = await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
      key: owner.key,
      body: { url: receiver.url, events: ['verification.completed'] },
    });
    await simulate(
      owner.key,
      (await api(srv.baseUrl, 'POST', `${BASE}/verifications`, { key: owner.key, body: {} })).json.data.id,
      {
        decision: 'approved',
      },
    );
    const got = await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 500));
    // Only the active key's endpoint got a delivery, signed with the active key's secret.
    expect(receiver.received).toHaveLength(1);
    expect(specVerify(owner.secret, got[0]!.raw, got[0]!.headers['x-nextcap-signature'] as string)).toBe(true);
    const toRevoked = (await deps.store.deliveries.listByEndpoint(hookId, { limit: 10 })).items[0];
    expect(toRevoked?.attempts.at(-1)).toMatchObject({ statusCode: null, error: 'signing_key_revoked' });
    expect(hook2.json.data.status).toBe('active');
    await receiver.close();
  });

  it('applies the SSRF guard again at delivery time (no send to a host that is no longer allowed)', async () => {
    const { receiver, minted, hookId, verificationId } = await setup(() => 200);
    const config = srv.app.runtime.deps.config;
    const saved = config.webhookAllowHosts;
    config.webhookAllowHosts = []; // 127.0.0.1 is loopback: only the allow-list let it register
    try {
      await simulate(minted.key, verificationId, { decision: 'approved' });
      const deps = srv.app.runtime.deps;
      // Only this test's endpoint: earlier tests leave other endpoints of the org subscribed.
      const toThisEndpoint = async () =>
        (await deps.store.deliveries.listByVerification(verificationId)).filter((d) => d.endpointId === hookId);
      let ds = await toThisEndpoint();
      for (let i = 0; i < 40 && !ds.some((d) => d.attempts.length > 0); i++) {
        await new Promise((r) => setTimeout(r, 50));
        ds = await toThisEndpoint();
      }
      expect(ds[0]!.attempts[0]).toMatchObject({ statusCode: null, error: 'ssrf_blocked' });
      expect(receiver.received).toHaveLength(0);
    } finally {
      config.webhookAllowHosts = saved;
      await receiver.close();
    }
  });
});
