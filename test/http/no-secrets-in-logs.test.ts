import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../../functions/local/cli';
import { ApplicantClient } from '../support/applicant-client';
import { api } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

/**
 * The real `npm start` process at its most verbose (LOG_LEVEL=DEBUG): a whole flow through it, with the
 * secrets in every place a client puts them (X-Api-Key, Bearer token, the verify URL's `?token=`, wrong
 * guesses too), then everything it wrote to stdout and stderr is searched for each secret.
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

function startServer(dataDir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  let out = '';
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      KYC_DATA_DIR: dataDir,
      KYC_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      KYC_WARM_MODELS: '0',
      LOG_LEVEL: 'DEBUG',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('listening on')) resolvePromise({ child, output: () => out });
    });
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    child.removeAllListeners('exit');
    child.on('exit', () => r());
    child.kill('SIGTERM');
  });
}

it('logs no API key, signing secret, client token, operator password, session or CSRF token on the local runtime', async () => {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-logs-'));
  const receiver = await startReceiver(() => 200);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(dataDir, port);
  try {
    process.env.KYC_DATA_DIR = dataDir;
    const lines: string[] = [];
    expect(await runCli(['keys', 'create', '--mode', 'test', '--json'], (s) => lines.push(s))).toBe(0);
    delete process.env.KYC_DATA_DIR;
    const { key, secret } = JSON.parse(lines.join('\n')) as { key: string; secret: string };

    const hook = await api(base, 'POST', `${BASE}/webhooks`, {
      key,
      body: { url: receiver.url, events: ['verification.completed'] },
    });
    expect(hook.status).toBe(201);
    const created = await api(base, 'POST', `${BASE}/verifications`, {
      key,
      body: { metadata: { orderId: 'L-1' } },
      headers: { 'Idempotency-Key': 'logs-test-1' },
    });
    expect(created.status).toBe(201);
    const { id, clientToken, verifyUrl } = created.json.data as { id: string; clientToken: string; verifyUrl: string };

    // The page, opened with the token in its query string; a wrong key and a wrong token.
    const page = await fetch(`${base}${new URL(verifyUrl).pathname}${new URL(verifyUrl).search}`);
    expect(new URL(verifyUrl).searchParams.get('token')).toBe(clientToken);
    // 503 when the hosted flow is not built (`npm test` builds it): the request and its query string still arrive.
    expect([200, 503]).toContain(page.status);
    expect((await api(base, 'GET', `${BASE}/verifications/${id}`, { key: `${key.slice(0, -4)}xxxx` })).status).toBe(
      401,
    );
    const client = new ApplicantClient(base, clientToken);
    expect((await new ApplicantClient(base, `${clientToken.slice(0, -4)}xxxx`).session()).status).toBe(401);
    expect((await client.consent()).status).toBe(200);
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    await client.upload('selfie', 0, png, 'image/png');
    const simulated = await api(base, 'POST', `${BASE}/verifications/${id}/simulate`, {
      key,
      body: { decision: 'approved' },
    });
    expect(simulated.status).toBe(200);
    await receiver.waitFor(1); // a delivery signed with the secret went out

    // The dashboard: the first admin's password (printed once, by design, at the first start), a wrong guess,
    // the session cookie and the CSRF token, each sent where a browser sends them.
    const banner = /password \(shown once, store it now\): (\S+)/.exec(server.output());
    expect(banner).not.toBeNull();
    const password = banner![1]!;
    const signIn = (pw: string) =>
      fetch(`${base}/api/v1/admin/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: pw }),
      });
    const wrongPassword = `${password.slice(0, -3)}Zq9`;
    expect((await signIn(wrongPassword)).status).toBe(401);
    const session = await signIn(password);
    expect(session.status).toBe(200);
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
    const sessionToken = cookie.split('=')[1]!;
    expect(sessionToken.length).toBeGreaterThan(16);
    const { csrfToken } = ((await session.json()) as { data: { csrfToken: string } }).data;
    const listed = await fetch(`${base}/api/v1/admin/verifications?email=x%40example.com`, { headers: { cookie } });
    expect(listed.status).toBe(200);
    const signedOut = await fetch(`${base}/api/v1/admin/session`, {
      method: 'DELETE',
      headers: { cookie, 'X-CSRF-Token': csrfToken },
    });
    expect(signedOut.status).toBe(200);

    await stop(server.child);
    const logs = server.output();
    expect(logs).toContain('"message":"request"'); // the access log ran at all
    for (const [what, value] of Object.entries({ key, secret, clientToken, wrongPassword, sessionToken, csrfToken })) {
      expect({ what, found: logs.includes(value) }).toEqual({ what, found: false });
    }
    // The generated password appears only in the first-start banner, never in a request's log line.
    expect(logs.split(password)).toHaveLength(2);
  } finally {
    if (server.child.exitCode === null) await stop(server.child);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
