import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redeliver } from '../../functions/app/webhooks/deliver';
import type { Delivery } from '../../functions/domain/model';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

/**
 * Receiver faults the README documents ("8 s timeout, 2xx = success; otherwise up to 3 retries ... then kept as
 * failed (dead-lettered) and can be sent again with the same id and body"), each against the real sender:
 * a receiver slower than the default 8 s timeout, one that resets the connection, one whose TLS certificate is
 * not trusted, and one that redirects (never followed). 5xx, hangs at a short timeout, dead letter and the CLI
 * redelivery are in webhook-delivery.test.ts.
 */
const BASE = '/api/v1/external/kyc';

let srv: TestServer;
beforeAll(async () => {
  // Default send timeout (8 s, as documented); short retry gaps.
  srv = await startTestServer({ env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '200,300,400' } });
});
afterAll(() => srv.stop());

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/** Registers `url` for a fresh test key and decides one verification; returns the delivery owed to that endpoint. */
async function deliveryTo(url: string): Promise<{ deliveryId: string; verificationId: string }> {
  const minted = await srv.mintKey('test');
  const hook = await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
    key: minted.key,
    body: { url, events: ['verification.completed'] },
  });
  expect(hook.status).toBe(201);
  const v = await api(srv.baseUrl, 'POST', `${BASE}/verifications`, { key: minted.key, body: {} });
  const verificationId = v.json.data.id as string;
  const sim = await api(srv.baseUrl, 'POST', `${BASE}/verifications/${verificationId}/simulate`, {
    key: minted.key,
    body: { decision: 'approved' },
  });
  expect(sim.status).toBe(200);
  // Endpoints are per organisation and mode: earlier tests' endpoints get a delivery too; take this one's.
  const d = (await srv.app.runtime.deps.store.deliveries.listByVerification(verificationId)).find(
    (x) => x.endpointId === hook.json.data.id,
  );
  expect(d).toBeDefined();
  return { deliveryId: d!.id, verificationId };
}

async function waitForStatus(id: string, status: Delivery['status'], timeoutMs = 30_000): Promise<Delivery> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await srv.app.runtime.deps.store.deliveries.get(id);
    if (d?.status === status) return d;
    if (Date.now() > deadline) throw new Error(`delivery ${id} is ${d?.status}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('cuts a receiver slower than 8 s at the default timeout and retries with the same id and bytes', async () => {
  let n = 0;
  const bodies: string[] = [];
  const ids: string[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      ids.push(String(req.headers['webhook-id']));
      // The first answer comes after 9 s, past the timeout; the retry is answered at once.
      if (++n === 1) setTimeout(() => res.writeHead(200).end(), 9000).unref();
      else res.writeHead(200).end();
    });
  });
  const port = await listen(server);
  try {
    const { deliveryId } = await deliveryTo(`http://127.0.0.1:${port}/hooks`);
    const d = await waitForStatus(deliveryId, 'succeeded', 20_000);
    expect(d.attempts).toHaveLength(2);
    expect(d.attempts[0]).toMatchObject({ statusCode: null, error: 'timeout' });
    expect(d.attempts[0]!.durationMs).toBeGreaterThanOrEqual(8000);
    expect(d.attempts[0]!.durationMs).toBeLessThan(9000);
    expect(d.attempts[1]).toMatchObject({ statusCode: 200, error: null });
    expect(ids).toEqual([deliveryId, deliveryId]);
    expect(bodies[1]).toBe(bodies[0]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}, 30_000);

it('retries a receiver that resets the connection, then dead-letters it; redelivery sends it again', async () => {
  let resetting = true;
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests++;
    if (resetting) {
      req.socket.resetAndDestroy();
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  const port = await listen(server);
  try {
    const { deliveryId } = await deliveryTo(`http://127.0.0.1:${port}/hooks`);
    const failed = await waitForStatus(deliveryId, 'failed');
    // One try + 3 retries, each a connection error; nothing more is sent once it is dead-lettered.
    expect(failed.attempts.map((a) => [a.statusCode, a.error])).toEqual(Array(4).fill([null, 'connect_error']));
    await new Promise((r) => setTimeout(r, 800));
    expect(requests).toBe(4);
    resetting = false;
    await redeliver(srv.app.runtime.deps, deliveryId);
    const done = await waitForStatus(deliveryId, 'succeeded');
    expect(done.attempts.at(-1)).toMatchObject({ statusCode: 204, error: null });
    expect(requests).toBe(5);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

it('never sends to a receiver whose TLS certificate is not trusted: a connection error, retried, dead-lettered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-tls-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1']
      .concat(['-addext', 'subjectAltName=IP:127.0.0.1'])
      .concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
    { stdio: 'ignore' },
  );
  let received = 0;
  const server = createHttpsServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (_req, res) => {
      received++;
      res.writeHead(200).end();
    },
  );
  const port = await listen(server);
  try {
    const { deliveryId } = await deliveryTo(`https://127.0.0.1:${port}/hooks`);
    const failed = await waitForStatus(deliveryId, 'failed');
    expect(failed.attempts.map((a) => [a.statusCode, a.error])).toEqual(Array(4).fill([null, 'connect_error']));
    expect(received).toBe(0); // the self-signed certificate was refused before any byte of the body left
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('does not follow a redirect: a 3xx counts as a failure, and the target never receives the delivery', async () => {
  const target = await startReceiver(() => 200);
  let hits = 0;
  const server = createHttpServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(hits % 2 ? 307 : 301, { Location: target.url }).end());
  });
  const port = await listen(server);
  try {
    const { deliveryId } = await deliveryTo(`http://127.0.0.1:${port}/hooks`);
    const failed = await waitForStatus(deliveryId, 'failed');
    expect(failed.attempts.map((a) => a.statusCode)).toEqual([307, 301, 307, 301]);
    await new Promise((r) => setTimeout(r, 500));
    expect(target.received).toHaveLength(0);
  } finally {
    server.closeAllConnections();
    server.close();
    await target.close();
  }
});
