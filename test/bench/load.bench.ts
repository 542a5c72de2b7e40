/**
 * bench:load — many applicants at once on the local runtime (issue 12 §4). The real server (dist/main.js, its
 * own process, default or env-given concurrency) serves BENCH_LIVE live applicants (document + face match with
 * the real offline checks) and BENCH_TEST test-mode applicants (decided by /simulate), all started together,
 * with webhooks to a local receiver. Prints decisions per hour on this machine, queue wait p50/p99 (submit ->
 * the pipeline's first step record), submit -> first webhook p50/p99 (live), and the server's peak RSS
 * (VmHWM). Tune with KYC_PIPELINE_CONCURRENCY / KYC_WEBHOOK_CONCURRENCY. Last line is machine-readable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

process.env.LOG_LEVEL ??= 'ERROR';

import { TESTDATA } from '../support/testdata';

const LIVE = Number(process.env.BENCH_LIVE ?? 12);
const TEST = Number(process.env.BENCH_TEST ?? 48);
const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist/main.js');
const BASE = '/api/v1/external/kyc';
const image = (p: string) => readFileSync(join(TESTDATA, p));
const LIVE_CASES = [
  { document: 'documents/synth_td3_uto_london013.jpg', selfie: 'faces/london_013_smiling.jpg', type: 'passport' },
  { document: 'documents/synth_td1_uto_london042.jpg', selfie: 'faces/london_042_smiling.jpg', type: undefined },
  { document: 'documents/synth_td3_uto_london013.jpg', selfie: 'faces/london_042_smiling.jpg', type: 'passport' },
] as const;
const SIMULATED = [
  { decision: 'approved' },
  { decision: 'declined', declineType: 'final', reasonCodes: ['BAD_FACE_MATCHING'] },
  { decision: 'review' },
] as const;

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

/** Peak resident set of a process so far (Linux /proc VmHWM), MiB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build:server` first');
  const { createLocalRuntime } = await import('../../functions/local/deps');
  const { loadLocalConfig } = await import('../../functions/local/config');
  const { createFlow, createOrganisation, mintKey } = await import('../../functions/app/admin');
  const { api } = await import('../support/local-server');
  const { ApplicantClient } = await import('../support/applicant-client');
  const { startReceiver } = await import('../support/webhook-receiver');

  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-bench-load-'));
  const receiver = await startReceiver(() => 200);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  try {
    // Set-up on the data directory before the server starts (as the fault run): org, flow, keys, endpoints.
    const runtime = createLocalRuntime(loadLocalConfig({ KYC_DATA_DIR: dataDir }));
    const deps = runtime.deps;
    const { org } = await createOrganisation(deps, { name: 'Load', plan: 'enterprise' });
    const flow = await createFlow(deps, org.id, {
      name: 'document + face',
      checks: ['document', 'faceMatch'],
      maxAttempts: 1,
    });
    const liveKey = await mintKey(deps, { orgId: org.id, mode: 'live', flowId: flow.id });
    const testKey = await mintKey(deps, { orgId: org.id, mode: 'test', flowId: flow.id });
    for (const [mode, keyId] of [
      ['live', liveKey.keyId],
      ['test', testKey.keyId],
    ] as const) {
      await deps.store.webhooks.create({
        id: deps.ids.next('whe'),
        orgId: org.id,
        keyId,
        mode,
        url: receiver.url,
        events: ['verification.completed'],
        createdAt: new Date().toISOString(),
        deletedAt: null,
      });
    }
    await runtime.close();

    const server = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), KYC_DATA_DIR: dataDir, KYC_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = server;
    await new Promise<void>((res, rej) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('listening on')) res();
      });
      server.once('exit', (code) => rej(new Error(`server exited (${code})`)));
    });
    const pipelineConcurrency = process.env.KYC_PIPELINE_CONCURRENCY ?? 'default';
    const webhookConcurrency = process.env.KYC_WEBHOOK_CONCURRENCY ?? 'default';

    const submittedAt = new Map<string, number>();
    const liveIds: string[] = [];
    const ids: string[] = [];
    const started = Date.now();
    async function applicant(n: number): Promise<void> {
      const live = n < LIVE;
      const key = live ? liveKey.key : testKey.key;
      const created = await api(baseUrl, 'POST', `${BASE}/verifications`, { key, body: {} });
      if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
      const id = created.json.data.id as string;
      ids.push(id);
      if (!live) {
        submittedAt.set(id, Date.now());
        const sim = await api(baseUrl, 'POST', `${BASE}/verifications/${id}/simulate`, {
          key,
          body: SIMULATED[n % SIMULATED.length]!,
        });
        if (sim.status !== 200) throw new Error(`simulate: ${sim.status} ${sim.text}`);
        return;
      }
      liveIds.push(id);
      const c = LIVE_CASES[n % LIVE_CASES.length]!;
      const client = new ApplicantClient(baseUrl, created.json.data.clientToken as string);
      if ((await client.consent()).status !== 200) throw new Error('consent failed');
      await client.upload('document_front', 0, image(c.document));
      await client.upload('selfie', 0, image(c.selfie));
      submittedAt.set(id, Date.now());
      const sub = await client.submit(c.type ? { documentType: c.type } : {});
      if (sub.status !== 202) throw new Error(`submit: ${sub.status} ${sub.text}`);
    }
    // Everyone at once, live applicants first so their checks queue behind each other.
    await Promise.all(Array.from({ length: LIVE + TEST }, (_, n) => applicant(n)));

    const firstWebhook = new Map<string, number>();
    const deadline = Date.now() + 30 * 60_000;
    let peakMb = 0;
    while (firstWebhook.size < ids.length) {
      for (const r of receiver.received) {
        const vid = r.json?.data?.verificationId as string | undefined;
        if (vid && !firstWebhook.has(vid)) firstWebhook.set(vid, r.at);
      }
      peakMb = Math.max(peakMb, peakRssMb(server.pid!));
      if (Date.now() > deadline) throw new Error(`only ${firstWebhook.size} of ${ids.length} decided in 30 min`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const wallMs = Math.max(...firstWebhook.values()) - started;
    peakMb = Math.max(peakMb, peakRssMb(server.pid!));

    // Queue wait of a live submit: until the pipeline's first step (prepare) was recorded.
    const reader = createLocalRuntime(loadLocalConfig({ KYC_DATA_DIR: dataDir }));
    const waits: number[] = [];
    for (const id of liveIds) {
      const prepare = (await reader.deps.store.steps.listByAttempt(id, 1)).find((s) => s.step === 'prepare');
      if (prepare) waits.push(Date.parse(prepare.createdAt) - submittedAt.get(id)!);
    }
    await reader.close();
    const e2e = (list: string[]) => list.map((id) => firstWebhook.get(id)! - submittedAt.get(id)!);
    const liveE2e = e2e(liveIds);
    const testE2e = e2e(ids.filter((id) => !liveIds.includes(id)));
    const perHour = Math.round((ids.length / wallMs) * 3_600_000);
    const liveDecisionMs = Math.max(...liveIds.map((id) => firstWebhook.get(id)!)) - started;
    const livePerHour = LIVE > 0 ? Math.round((LIVE / liveDecisionMs) * 3_600_000) : 0;
    const p99 = percentile(liveE2e.length ? liveE2e : testE2e, 99);

    console.log(
      `\n${LIVE} live (document + face match, real checks) + ${TEST} test-mode applicants at once; pipeline concurrency ${pipelineConcurrency}, webhook concurrency ${webhookConcurrency}`,
    );
    console.log(
      `all decided and delivered in ${(wallMs / 1000).toFixed(1)} s: ${perHour} decisions/hour (live alone ${livePerHour}/hour)`,
    );
    console.log(
      `queue wait (live submit -> first step) p50 ${percentile(waits, 50)} ms, p99 ${percentile(waits, 99)} ms`,
    );
    console.log(`submit -> webhook, live: p50 ${percentile(liveE2e, 50)} ms, p99 ${percentile(liveE2e, 99)} ms`);
    console.log(`simulate -> webhook, test-mode: p50 ${percentile(testE2e, 50)} ms, p99 ${percentile(testE2e, 99)} ms`);
    console.log(`server peak RSS ${peakMb} MiB`);
    console.log(`bench:load live=${LIVE} per_hour=${perHour} p99_ms=${p99} rss_mb=${peakMb}`);
  } finally {
    child?.kill('SIGTERM');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
