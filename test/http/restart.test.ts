import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../functions/local/cli';
import { api } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

/**
 * Durability of the real `npm start` process: deliveries queued when it stops are all sent after a
 * restart on the same data directory, each exactly once.
 */
const MAIN = resolve(__dirname, '../../dist/main.js');
const BASE = '/api/v1/external/kyc';

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      KYC_DATA_DIR: dataDir,
      KYC_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      KYC_WEBHOOK_RETRY_DELAYS_MS: '1500,1500,1500',
      LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('listening on')) resolvePromise(child);
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => r(code));
    child.kill('SIGTERM');
  });
}

it('completes every queued delivery after a restart, none twice', async () => {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-restart-'));
  let accepting = false;
  const receiver = await startReceiver(() => (accepting ? 200 : 500));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  try {
    let server = await startServer(dataDir, port);
    process.env.KYC_DATA_DIR = dataDir;
    const lines: string[] = [];
    expect(await runCli(['keys', 'create', '--mode', 'test', '--json'], (s) => lines.push(s))).toBe(0);
    delete process.env.KYC_DATA_DIR;
    const { key, secret, flowId, mode } = JSON.parse(lines.join('\n'));
    expect({ mode, flowId: typeof flowId, secret: typeof secret }).toEqual({
      mode: 'test',
      flowId: 'string',
      secret: 'string',
    });
    expect(
      (
        await api(base, 'POST', `${BASE}/webhooks`, {
          key,
          body: { url: receiver.url, events: ['verification.completed', 'verification.approved'] },
        })
      ).status,
    ).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const v = await api(base, 'POST', `${BASE}/verifications`, { key, body: {} });
      ids.push(v.json.data.id);
      expect(
        (
          await api(base, 'POST', `${BASE}/verifications/${v.json.data.id}/simulate`, {
            key,
            body: { decision: 'approved' },
          })
        ).status,
      ).toBe(200);
    }
    await receiver.waitFor(10); // every delivery tried once and failed; retries are now queued
    expect(await stop(server)).toBe(0);
    const failedBefore = receiver.received.length;

    accepting = true;
    server = await startServer(dataDir, port);
    const deadline = Date.now() + 20_000;
    const okIds = () => receiver.received.slice(failedBefore).map((d) => d.json.id as string);
    while (new Set(okIds()).size < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000)); // a duplicate would show up here
    expect(await stop(server)).toBe(0);

    const delivered = okIds();
    expect(delivered).toHaveLength(10);
    expect(new Set(delivered).size).toBe(10);
    const byVerification = new Map<string, string[]>();
    for (const d of receiver.received.slice(failedBefore))
      byVerification.set(d.json.data.verificationId, [
        ...(byVerification.get(d.json.data.verificationId) ?? []),
        d.json.event,
      ]);
    expect([...byVerification.keys()].sort()).toEqual([...ids].sort());
    for (const events of byVerification.values())
      expect(events.sort()).toEqual(['verification.approved', 'verification.completed']);
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
