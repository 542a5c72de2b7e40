import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The real `npm start` (dist/main.js) on an empty data directory creates the organisation and the first
 * dashboard admin and prints its password once: the admin signs in with it, and a second start prints none.
 */
const MAIN = resolve(__dirname, '../../dist/main.js');

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

/** Starts the server and resolves with it and everything it printed up to (and including) its banner. */
function start(dataDir: string, port: number): Promise<{ child: ChildProcess; stdout: () => string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: String(port), KYC_DATA_DIR: dataDir, KYC_WARM_MODELS: '0', LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      // The banner ends with the admin's lines (when there are any) or with the next step's hint.
      if (/listening on/.test(out)) setTimeout(() => resolvePromise({ child, stdout: () => out }), 300);
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
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

it('first start creates the first admin and prints its password once', async () => {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-first-start-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  try {
    const first = await start(dataDir, port);
    let printed: string;
    try {
      printed = first.stdout();
      expect(printed).toContain('Dashboard admin created: admin@example.com');
      const matches = [...printed.matchAll(/password \(shown once, store it now\): (\S+)/g)];
      expect(matches).toHaveLength(1);
      const password = matches[0]![1]!;
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(printed.split(password)).toHaveLength(2); // printed exactly once
      const signIn = (pw: string) =>
        fetch(`${base}/api/v1/admin/session`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: 'admin@example.com', password: pw }),
        });
      const res = await signIn(password);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { role: string } }).data.role).toBe('admin');
      expect((await signIn(`${password}x`)).status).toBe(401);
    } finally {
      await stop(first.child);
    }

    const second = await start(dataDir, port);
    try {
      expect(second.stdout()).not.toContain('Dashboard admin created');
      expect(second.stdout()).not.toContain('password');
    } finally {
      await stop(second.child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
