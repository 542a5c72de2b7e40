/**
 * bench:webhooks — local webhook dispatcher throughput (outbox rows in SQLite, durable queue jobs, the worker
 * claiming them, loading delivery + endpoint + key, decrypting the secret, signing, POSTing, recording the
 * attempt, acking) to a local receiver, side by side with a bare loop that signs and POSTs the same bodies at
 * the same concurrency. The receiver is a separate process answering 204, shared by both sides.
 *
 * Both sides first run an unmeasured warm-up (the HTTP client, signing and, for the dispatcher, the SQLite
 * statements reach their optimized code), then run in alternating rounds in ABBA order (dispatcher, baseline;
 * baseline, dispatcher; ...): a side measured cold against a warm one, or during a neighbour's burst that the
 * other side missed, says nothing about the dispatcher. Rates are total deliveries over total time per side.
 * Last line is machine-readable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Delivery } from '../../functions/domain/model';

process.env.LOG_LEVEL ??= 'ERROR';

const N = Number(process.env.BENCH_DELIVERIES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const TARGET_PER_S = 500;
const TARGET_RATIO = 0.5;

const RECEIVER = `
const http = require('node:http');
let n = 0;
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => { n++; res.writeHead(204).end(); });
}).listen(0, '127.0.0.1', function () { console.log('listening on ' + this.address().port); });
process.on('message', () => process.send(n));
`;

function startReceiverProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((res, rej) => {
    child.stdout!.on('data', (c: Buffer) => {
      const m = /listening on (\d+)/.exec(c.toString());
      if (m) res({ child, url: `http://127.0.0.1:${m[1]}/hooks/kyc` });
    });
    child.on('exit', (code) => rej(new Error(`receiver exited ${code}`)));
  });
}

async function main(): Promise<void> {
  const { createLocalRuntime } = await import('../../functions/local/deps');
  const { loadLocalConfig } = await import('../../functions/local/config');
  const { LocalWorker } = await import('../../functions/local/worker');
  const { createOrganisation, mintKey } = await import('../../functions/app/admin');
  const { planDeliveries } = await import('../../functions/domain/webhooks');
  const { signDelivery } = await import('../../functions/domain/webhooks');
  const { nodeCrypto } = await import('../../functions/adapters/node/node-crypto');
  const { groupCommitFor } = await import('../../functions/adapters/sqlite/group-commit');

  const dir = mkdtempSync(join(tmpdir(), 'kyc-bench-webhooks-'));
  const receiver = await startReceiverProcess();
  const config = loadLocalConfig({ KYC_DATA_DIR: dir, KYC_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
  const concurrency = config.webhookConcurrency;
  const runtime = createLocalRuntime(config);
  runtime.startCheckpoints();
  try {
    const deps = runtime.deps;
    const { org } = await createOrganisation(deps, { name: 'Bench', plan: 'enterprise' });
    const minted = await mintKey(deps, { orgId: org.id, mode: 'test', flowId: null });
    const endpoint = {
      id: deps.ids.next('whe'),
      orgId: org.id,
      keyId: minted.keyId,
      mode: 'test' as const,
      url: receiver.url,
      events: ['verification.completed' as const, 'verification.approved' as const],
      createdAt: new Date().toISOString(),
      deletedAt: null,
    };
    await deps.store.webhooks.create(endpoint);
    // The outbox rows for every round: two per decided verification (completed + approved), with the envelope
    // bodies publishOutcome writes.
    const perRound = Math.ceil(N / ROUNDS);
    const total = WARMUP + perRound * ROUNDS;
    const deliveries: Delivery[] = [];
    for (let i = 0; deliveries.length < total; i++) {
      const now = new Date();
      const view = {
        verificationId: `vrf_bench${String(i).padStart(8, '0')}`,
        status: 'approved' as const,
        decision: 'approved' as const,
        declineType: null,
        reasonCodes: [],
        riskFlags: [],
        mode: 'test' as const,
        createdAt: now.toISOString(),
        completedAt: now.toISOString(),
        flowId: 'flw_bench',
        expiresAt: now.toISOString(),
        metadata: { orderId: `B-${i}` },
        attempts: 1,
        review: null,
        redacted: false,
      };
      deliveries.push(
        ...planDeliveries([endpoint], ['verification.completed', 'verification.approved'], view, org.id, now, () =>
          deps.ids.next('whd'),
        ),
      );
    }
    deliveries.length = total;
    // CPU time of this process (all its threads: the checkpointer too), per side: unlike the rates, it hardly
    // depends on what else the machine runs. The receiver's CPU is the same for both sides and not counted.
    let serviceCpuUs = 0;
    let baselineCpuUs = 0;
    const cpuOf = (u: NodeJS.CpuUsage) => u.user + u.system;
    const anyPending = runtime.db.prepare("SELECT 1 FROM deliveries WHERE status = 'pending' LIMIT 1").pluck();

    // Service: the local worker as `npm start` runs it (webhook concurrency from the config default), over
    // outbox rows and queue jobs written before it starts, so the time is the dispatcher alone.
    const dispatch = async (batch: Delivery[]): Promise<number> => {
      await deps.store.deliveries.createMany(batch);
      await Promise.all(
        batch.map((d) =>
          deps.queue.enqueue('webhook.deliver', { deliveryId: d.id }, { dedupeKey: `delivery:${d.id}` }),
        ),
      );
      groupCommitFor(runtime.db).flush();
      const worker = new LocalWorker(deps, runtime.queue, { concurrency: { 'webhook.deliver': concurrency } });
      const cpu = process.cpuUsage();
      const started = performance.now();
      worker.start();
      while (anyPending.get() !== undefined) await new Promise((r) => setTimeout(r, 2));
      const ms = performance.now() - started;
      serviceCpuUs += cpuOf(process.cpuUsage(cpu));
      await worker.stop();
      return ms;
    };

    // Baseline: the same bodies signed with the same secret and POSTed at the same concurrency, one fresh
    // connection per send as the dispatcher makes (it pins the SSRF-checked address per send, no keep-alive).
    const secret = minted.secret;
    const url = new URL(receiver.url);
    const post = (d: Delivery) =>
      new Promise<number>((resolve, reject) => {
        const headers = signDelivery(nodeCrypto, secret, d, new Date());
        const req = request(
          url,
          { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(d.body) }, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(d.body);
      });
    let baselineFailed = 0;
    const bareLoop = async (batch: Delivery[]): Promise<number> => {
      let next = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < batch.length) {
            const status = await post(batch[next++]!);
            if (status < 200 || status >= 300) baselineFailed++;
          }
        }),
      );
      const ms = performance.now() - started;
      baselineCpuUs += cpuOf(process.cpuUsage(cpu));
      return ms;
    };

    // Warm-up in rounds too: the first dispatch round after a first one ran slow on its own (measured).
    const warmRounds = Number(process.env.BENCH_WARMUP_ROUNDS ?? 2);
    for (let r = 0; r < warmRounds; r++) {
      const warm = deliveries.slice((r * WARMUP) / warmRounds, ((r + 1) * WARMUP) / warmRounds);
      await dispatch(warm);
      await bareLoop(warm);
    }
    let serviceMs = 0;
    let baselineMs = 0;
    const rounds: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const batch = deliveries.slice(WARMUP + r * perRound, WARMUP + (r + 1) * perRound);
      // ABBA order (dispatcher first in even rounds, baseline first in odd ones): a machine that speeds up or
      // slows down during the run favours neither side.
      let d: number;
      let b: number;
      if (r % 2 === 0) {
        d = await dispatch(batch);
        b = await bareLoop(batch);
      } else {
        b = await bareLoop(batch);
        d = await dispatch(batch);
      }
      serviceMs += d;
      baselineMs += b;
      rounds.push(`${((batch.length / d) * 1000).toFixed(0)}/${((batch.length / b) * 1000).toFixed(0)}`);
    }
    const failed = (
      runtime.db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'succeeded'").get() as { n: number }
    ).n;
    const measured = perRound * ROUNDS;

    const received = await new Promise<number>((r) => {
      receiver.child.once('message', (n) => r(Number(n)));
      receiver.child.send('count');
    });
    const perS = (measured / serviceMs) * 1000;
    const baselinePerS = (measured / baselineMs) * 1000;
    const ratio = perS / baselinePerS;
    console.log(
      `${measured} deliveries per side in ${ROUNDS} alternating rounds after a warm-up of ${WARMUP}, to a local receiver process (204), concurrency ${concurrency}, same machine`,
    );
    console.log(
      `dispatcher (outbox + queue + sign + POST + record)  ${perS.toFixed(0).padStart(6)} /s  ${serviceMs.toFixed(0).padStart(6)} ms  not succeeded ${failed}`,
    );
    console.log(
      `bare loop  (sign + POST)                            ${baselinePerS.toFixed(0).padStart(6)} /s  ${baselineMs.toFixed(0).padStart(6)} ms  non-2xx ${baselineFailed}`,
    );
    console.log(`per round, dispatcher/baseline per s: ${rounds.join(' ')}`);
    console.log(
      `CPU of this process per delivery: dispatcher ${(serviceCpuUs / measured).toFixed(0)} us, bare loop ${(baselineCpuUs / measured).toFixed(0)} us`,
    );
    console.log(`receiver counted ${received} requests (want ${2 * total})`);
    console.log(
      `target >= ${TARGET_PER_S}/s: ${perS >= TARGET_PER_S ? 'met' : 'NOT met'}; target >= ${TARGET_RATIO * 100} % of baseline: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'} (${(ratio * 100).toFixed(1)} %)`,
    );
    console.log(
      `bench:webhooks per_s=${perS.toFixed(0)} baseline_per_s=${baselinePerS.toFixed(0)} ratio=${ratio.toFixed(3)}`,
    );
  } finally {
    await runtime.close();
    receiver.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
