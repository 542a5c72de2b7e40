import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFlow, createOrganisation, mintKey } from '../../functions/app/admin';
import type { Delivery } from '../../functions/domain/model';
import { createLocalRuntime, type LocalRuntime } from '../../functions/local/deps';
import { loadLocalConfig } from '../../functions/local/config';
import { ApplicantClient, type Response } from './applicant-client';
import { api } from './local-server';
import { TESTDATA } from './testdata';
import { startReceiver } from './webhook-receiver';

/**
 * Fault run of the local runtime (issue 12 §3): the real `npm start` process (dist/main.js) serves a load of
 * verifications (live ones with the real offline checks, test-mode ones decided by /simulate) with webhooks to
 * a local receiver, while it is killed with SIGKILL at random moments and restarted each time. Afterwards it
 * checks, from the receiver, the integrator API as observed during the run, and the store:
 * - every verification reaches exactly one decision (terminal, one `verification.finalized` audit entry, its
 *   attempts decided once);
 * - every owed delivery (one per endpoint and event of its outcome) exists once and arrived at least once,
 *   always under the same id with the same bytes, and carries the final outcome;
 * - no verification changes after it was first seen terminal.
 * Used by `npm run test:faults` (20 kills) and by test/http/kill-restart.test.ts (a few kills).
 */
const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist/main.js');
const BASE = '/api/v1/external/kyc';
const EVENTS = [
  'verification.completed',
  'verification.approved',
  'verification.rejected',
  'verification.manual_review',
] as const;

export interface KillRestartOptions {
  kills: number;
  live: number;
  test: number;
  /** Random pause between the server being ready and the next kill. */
  killAfterMs: [number, number];
  /** Gap between starting two applicants, so kills land in every phase of the flow. */
  launchGapMs: number;
  log?: (line: string) => void;
}

export interface KillRestartReport {
  kills: number;
  verifications: { live: number; test: number; decided: number; byStatus: Record<string, number> };
  deliveries: { owed: number; delivered: number; receipts: number; duplicates: number };
  terminalObservations: number;
  /** Longest time from a restart to the server accepting requests. */
  maxRestartMs: number;
  durationMs: number;
  violations: string[];
}

const image = (p: string) => readFileSync(join(TESTDATA, p));
/** Document + selfie cases of the document + face match flow (as in bench:pipeline). */
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

/** The server under test: (re)started on one port and data directory, killed on demand. */
class ServerProcess {
  private child: ChildProcess | null = null;
  restarts = 0;
  maxRestartMs = 0;
  constructor(
    private readonly env: Record<string, string>,
    private readonly log: (s: string) => void,
  ) {}

  async start(): Promise<void> {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    await new Promise<void>((res, rej) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('listening on')) res();
      });
      child.stderr!.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.once('exit', (code, signal) => rej(new Error(`server exited at start (${code ?? signal}): ${out}`)));
    });
    child.removeAllListeners('exit');
    this.maxRestartMs = Math.max(this.maxRestartMs, Date.now() - started);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGKILL');
    });
    this.restarts++;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });
  }

  /** Kills abruptly, never waits (clean-up after a failure). */
  abort(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.log('server aborted');
  }
}

/** Retries a request while the server is down (connection errors, or 5xx during start-up). */
async function untilAnswered(call: () => Promise<Response>, stop: () => boolean): Promise<Response | null> {
  for (let i = 0; !stop(); i++) {
    try {
      const res = await call();
      if (res.status < 500) return res;
    } catch {
      // connection refused or reset: the server is down or was killed mid-request
    }
    await sleep(Math.min(1000, 100 * (i + 1)));
  }
  return null;
}

interface Seen {
  terminal: string | null;
  observations: number;
}

export async function runKillRestart(opts: KillRestartOptions): Promise<KillRestartReport> {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` first');
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-faults-'));
  const receiver = await startReceiver(() => 200);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const violations: string[] = [];
  let runtime: LocalRuntime | null = null;
  const server = new ServerProcess(
    {
      PORT: String(port),
      KYC_DATA_DIR: dataDir,
      KYC_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      KYC_WEBHOOK_RETRY_DELAYS_MS: '500,1000,2000',
      KYC_SWEEP_INTERVAL_SECONDS: '2',
      LOG_LEVEL: 'ERROR',
    },
    log,
  );
  let aborted = false;
  try {
    // Set-up on the data directory before the first start: an org, a document + face match flow for the live
    // keys (one attempt, so a decline is final), keys, and one endpoint per mode pointing at the receiver.
    // Live endpoints must be https through the API; the receiver is plain http, so their rows are written directly.
    runtime = createLocalRuntime(loadLocalConfig({ KYC_DATA_DIR: dataDir }));
    const deps = runtime.deps;
    const { org } = await createOrganisation(deps, { name: 'Fault run', plan: 'enterprise' });
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
        events: [...EVENTS],
        createdAt: new Date().toISOString(),
        deletedAt: null,
      });
    }
    await runtime.close();
    runtime = null;
    await server.start();

    const ids: string[] = [];
    const keyOf = new Map<string, string>();
    const seen = new Map<string, Seen>();
    let killing = true;
    const stopAll = () => aborted;

    /** One applicant, end to end, tolerant of the server vanishing at any moment. */
    async function applicant(n: number): Promise<void> {
      const live = n % (opts.live + opts.test) < opts.live;
      const key = live ? liveKey.key : testKey.key;
      // An Idempotency-Key makes the retry of a create whose response was lost return the same verification.
      const create = () =>
        untilAnswered(
          () =>
            api(baseUrl, 'POST', `${BASE}/verifications`, {
              key,
              body: {},
              headers: { 'Idempotency-Key': `fault-${n}` },
            }),
          stopAll,
        );
      let res = await create();
      // 409 idempotency_request_in_progress asks for a retry shortly; it must not outlast the claim's 30 s lease
      // (a create cut off by the kill between claim and store is taken over by the retry after the lease).
      for (let i = 0; i < 90 && res?.status === 409; i++) {
        await sleep(500);
        res = await create();
      }
      if (!res) return;
      if (res.status !== 201) {
        violations.push(
          `create of applicant ${n} with its Idempotency-Key: ${res.status} ${res.text} (after 45 s of retries)`,
        );
        return;
      }
      const id = res.json.data.id as string;
      const client = new ApplicantClient(baseUrl, res.json.data.clientToken as string);
      ids.push(id);
      keyOf.set(id, key);
      seen.set(id, { terminal: null, observations: 0 });
      if (!live) {
        const outcome = SIMULATED[n % SIMULATED.length]!;
        // A simulate whose response was lost answers 409 on the retry: the first one won.
        const sim = await untilAnswered(
          () => api(baseUrl, 'POST', `${BASE}/verifications/${id}/simulate`, { key, body: outcome }),
          stopAll,
        );
        if (sim && sim.status !== 200 && !(sim.status === 409 && sim.json?.error?.code === 'verification_finished'))
          violations.push(`simulate ${id}: ${sim.status} ${sim.text}`);
        return;
      }
      const c = LIVE_CASES[n % LIVE_CASES.length]!;
      let uploaded = false;
      for (;;) {
        const s = await untilAnswered(() => client.session(), stopAll);
        if (!s) return;
        const data = s.json?.data;
        if (s.status !== 200) throw new Error(`session ${id}: ${s.status} ${s.text}`);
        if (data.status !== 'pending') return; // in progress or decided: the observer follows it
        if (!data.consent.given) {
          await untilAnswered(() => client.consent(), stopAll);
          continue;
        }
        if (!uploaded) {
          try {
            await client.upload('document_front', 0, image(c.document));
            await client.upload('selfie', 0, image(c.selfie));
            uploaded = true;
          } catch {
            await sleep(200); // cut off mid-upload: upload again (a new slot replaces the unfinished one)
          }
          continue;
        }
        const sub = await untilAnswered(() => client.submit(c.type ? { documentType: c.type } : {}), stopAll);
        if (sub?.status === 409 && sub.json?.error?.code === 'captures_missing') uploaded = false;
      }
    }

    /** Polls every verification as an integrator would, recording its first terminal state. */
    async function observe(id: string, key: string): Promise<void> {
      try {
        const res = await api(baseUrl, 'GET', `${BASE}/verifications/${id}`, { key });
        if (res.status !== 200) return;
        const v = res.json.data;
        const s = seen.get(id)!;
        if (!['approved', 'declined', 'review', 'expired'].includes(v.status)) return;
        const snapshot = JSON.stringify({
          status: v.status,
          decision: v.decision,
          declineType: v.declineType,
          reasonCodes: v.reasonCodes,
          riskFlags: v.riskFlags,
          completedAt: v.completedAt,
          attempts: v.attempts,
        });
        s.observations++;
        if (s.terminal === null) s.terminal = snapshot;
        else if (s.terminal !== snapshot)
          violations.push(`${id} changed after it was terminal: ${s.terminal} -> ${snapshot}`);
      } catch {
        // server down: next round
      }
    }
    let observing = true;
    const observer = (async () => {
      while (observing) {
        for (const id of [...ids]) await observe(id, keyOf.get(id)!);
        await sleep(500);
      }
    })();

    const killer = (async () => {
      for (let k = 0; k < opts.kills; k++) {
        const [lo, hi] = opts.killAfterMs;
        await sleep(lo + Math.random() * (hi - lo));
        await server.kill();
        log(`kill ${k + 1}/${opts.kills} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
        await server.start();
      }
      killing = false;
    })();

    const total = opts.live + opts.test;
    const applicants: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      applicants.push(applicant(n));
      await sleep(opts.launchGapMs);
    }
    await Promise.all(applicants);
    await killer;
    if (killing) throw new Error('killer did not finish');

    // Quiet period: the last server runs until every verification is decided and every delivery sent.
    const deadline = Date.now() + 180_000;
    runtime = createLocalRuntime(loadLocalConfig({ KYC_DATA_DIR: dataDir }));
    const store = runtime.deps.store;
    for (;;) {
      const verifications = await Promise.all(ids.map((id) => store.verifications.get(id)));
      const deliveries = (await Promise.all(ids.map((id) => store.deliveries.listByVerification(id)))).flat();
      const open = verifications.filter((v) => !v || !['approved', 'declined', 'review', 'expired'].includes(v.status));
      const pending = deliveries.filter((d) => d.status === 'pending' || !received(d.id));
      if (open.length === 0 && pending.length === 0 && verifications.every((v) => v?.publishedAt)) break;
      if (Date.now() > deadline) {
        violations.push(
          `not quiescent after 180 s: ${open.length} verifications undecided, ${pending.length} deliveries not received`,
        );
        break;
      }
      await sleep(500);
    }
    function received(deliveryId: string): boolean {
      return receiver.received.some((r) => r.headers['webhook-id'] === deliveryId);
    }
    await sleep(1500); // a late duplicate or change would show up here
    for (const id of ids) await observe(id, keyOf.get(id)!);
    observing = false;
    await observer;
    await server.stop();

    // Invariants, from the store after the run.
    const byStatus: Record<string, number> = {};
    let owed = 0;
    let delivered = 0;
    const receiptsById = new Map<string, Buffer[]>();
    for (const r of receiver.received) {
      const id = String(r.headers['webhook-id']);
      receiptsById.set(id, [...(receiptsById.get(id) ?? []), r.raw]);
    }
    const knownDeliveryIds = new Set<string>();
    for (const id of ids) {
      const v = await store.verifications.get(id);
      if (!v) {
        violations.push(`${id} is missing`);
        continue;
      }
      byStatus[v.status] = (byStatus[v.status] ?? 0) + 1;
      const finalized = (await store.audit.listByVerification(id)).filter((e) => e.type === 'verification.finalized');
      if (finalized.length !== 1)
        violations.push(`${id} (${v.mode}, ${v.status}): ${finalized.length} finalized entries (want 1)`);
      if (v.mode === 'live') {
        const decided = v.attempts.filter((a) => a.decision !== null);
        if (v.attempts.length !== 1 || decided.length !== 1)
          violations.push(`${id}: ${v.attempts.length} attempts, ${decided.length} decided (want 1 and 1)`);
      }
      const observed = seen.get(id)?.terminal;
      if (observed) {
        const o = JSON.parse(observed) as { status: string; decision: string | null; completedAt: string };
        if (o.status !== v.status || o.decision !== v.decision || o.completedAt !== v.completedAt)
          violations.push(`${id}: first seen terminal as ${o.status}, now ${v.status}`);
      }
      const deliveries = await store.deliveries.listByVerification(id);
      const event =
        v.decision === 'approved'
          ? 'verification.approved'
          : v.decision === 'declined'
            ? 'verification.rejected'
            : v.decision === 'review'
              ? 'verification.manual_review'
              : null;
      const expected = ['verification.completed', ...(event ? [event] : [])].sort();
      const got = deliveries.map((d) => d.event).sort();
      if (JSON.stringify(got) !== JSON.stringify(expected))
        violations.push(`${id}: deliveries ${got.join(',')} (want one each of ${expected.join(',')})`);
      for (const d of deliveries) {
        owed++;
        knownDeliveryIds.add(d.id);
        checkDelivery(d, v.status, v.decision);
      }
    }
    function checkDelivery(d: Delivery, status: string, decision: string | null): void {
      const receipts = receiptsById.get(d.id) ?? [];
      if (receipts.length === 0) return void violations.push(`delivery ${d.id} (${d.event}) never arrived`);
      delivered++;
      if (new Set(receipts.map((b) => b.toString('base64'))).size !== 1)
        violations.push(`delivery ${d.id} arrived with different bodies`);
      const body = JSON.parse(receipts[0]!.toString('utf8')) as {
        id: string;
        data: { status: string; decision: string };
      };
      if (body.id !== d.id) violations.push(`delivery ${d.id}: body id ${body.id}`);
      if (body.data.status !== status || body.data.decision !== decision)
        violations.push(
          `delivery ${d.id}: says ${body.data.status}/${body.data.decision}, final is ${status}/${decision}`,
        );
    }
    for (const id of receiptsById.keys())
      if (!knownDeliveryIds.has(id)) violations.push(`received delivery ${id} that the store does not know`);
    const receipts = receiver.received.length;
    return {
      kills: server.restarts,
      verifications: {
        live: opts.live,
        test: opts.test,
        decided: Object.entries(byStatus)
          .filter(([s]) => ['approved', 'declined', 'review', 'expired'].includes(s))
          .reduce((n, [, c]) => n + c, 0),
        byStatus,
      },
      deliveries: { owed, delivered, receipts, duplicates: receipts - receiptsById.size },
      terminalObservations: [...seen.values()].reduce((n, s) => n + s.observations, 0),
      maxRestartMs: server.maxRestartMs,
      durationMs: Date.now() - started,
      violations,
    };
  } catch (err) {
    aborted = true;
    server.abort();
    throw err;
  } finally {
    await runtime?.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
