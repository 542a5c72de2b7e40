/**
 * bench:api — create-verification throughput and latency of the real `npm start` server at 50
 * concurrent connections, side by side with a bare node:http server doing the same SQLite insert
 * (WAL, synchronous=NORMAL). Both run as separate processes; autocannon drives them from here.
 * Last line is machine-readable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { runCli } from '../../functions/local/cli';

const ROOT = resolve(__dirname, '../..');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const BODY = JSON.stringify({ applicantEmail: 'user@example.com', metadata: { orderId: 'A-1234' } });

const BASELINE = `
const http = require('node:http');
const Database = require('better-sqlite3');
const crypto = require('node:crypto');
const db = new Database(process.env.DB);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS v (id TEXT PRIMARY KEY, doc TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO v (id, doc) VALUES (?, ?)');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const id = 'vrf_' + crypto.randomBytes(10).toString('hex');
    insert.run(id, JSON.stringify({ id, ...body }));
    const out = JSON.stringify({ data: { id, status: 'pending' } });
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) });
    res.end(out);
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
`;

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

function spawnUntilListening(args: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('listening on') && res(child));
    child.on('exit', (code) => rej(new Error(`exited ${code}`)));
  });
}

async function load(
  url: string,
  headers: Record<string, string>,
): Promise<{ rps: number; p50: number; p99: number; non2xx: number }> {
  await autocannon({ url, method: 'POST', headers, body: BODY, connections: CONNECTIONS, duration: 2 }); // warm-up
  const r = await autocannon({
    url,
    method: 'POST',
    headers,
    body: BODY,
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-bench-'));
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    process.env.KYC_DATA_DIR = dir;
    await runCli(['orgs', 'create', '--name', 'Bench', '--json'], () => undefined);
    let minted = '';
    await runCli(['keys', 'create', '--mode', 'test', '--json'], (s) => (minted += s));
    const { key } = JSON.parse(minted) as { key: string };
    children.push(
      await spawnUntilListening(['dist/main.js'], { PORT: String(port), KYC_DATA_DIR: dir, LOG_LEVEL: 'ERROR' }),
    );
    const service = await load(`http://127.0.0.1:${port}/api/v1/external/kyc/verifications`, {
      'Content-Type': 'application/json',
      'X-Api-Key': key,
    });
    children.pop()!.kill('SIGTERM');

    const basePort = await freePort();
    children.push(
      await spawnUntilListening(['-e', BASELINE], { PORT: String(basePort), DB: join(dir, 'baseline.sqlite') }),
    );
    const baseline = await load(`http://127.0.0.1:${basePort}/`, { 'Content-Type': 'application/json' });

    const ratio = service.rps / baseline.rps;
    const row = (name: string, r: typeof service) =>
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   non-2xx ${r.non2xx}`;
    console.log(`POST /verifications, ${CONNECTIONS} connections, ${DURATION_S} s each, same machine`);
    console.log(row('kyc service', service));
    console.log(row('bare node:http+sqlite', baseline));
    console.log(`ratio ${(ratio * 100).toFixed(1)} % of baseline throughput (target >= 30 %), p99 target <= 25 ms`);
    console.log(
      `bench:api rps=${service.rps.toFixed(0)} p99_ms=${service.p99} baseline_rps=${baseline.rps.toFixed(0)} ratio=${ratio.toFixed(3)}`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
