import fc from 'fast-check';
import sharp from 'sharp';
import { CONSENT_TEXT_VERSION } from '../../functions/app/applicant/session';
import { revokeKey } from '../../functions/app/admin';
import { TERMINAL_STATUSES } from '../../functions/domain/model';
import { ScriptedProvider } from '../pipeline/scripted-provider';
import { startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';
import { type ApiDocument, ContractFuzzer, type FuzzTarget } from './contract-fuzzer';

/**
 * Contract fuzz of the integrator and applicant APIs against the real local server (HTTP, SQLite, file blobs,
 * the pipeline worker; checks scripted to pass, as in the other HTTP tests). Requests come from the OpenAPI
 * documents the server serves. Each run sends KYC_FUZZ_REQUESTS requests (default 5,000) with the fixed seed
 * and as many with a random seed, which is printed (replay it with KYC_FUZZ_SEED=<seed>).
 * `npm run test:fuzz` sends 10,000 per seed. KYC_FUZZ_ALL=1 goes on past a failing batch and lists every violation.
 */
const REQUESTS = Number(process.env.KYC_FUZZ_REQUESTS ?? 5000);
const FIXED_SEED = 20261205;
const RANDOM_SEED = process.env.KYC_FUZZ_SEED ? Number(process.env.KYC_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
/** Requests of one property run (one fast-check example): sent in groups of CONCURRENCY at once. */
const BATCH = 50;
const CONCURRENCY = 4;
const TIMEOUT_MS = 10_000;

let srv: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let target: FuzzTarget;
let documents: ApiDocument[];

beforeAll(async () => {
  srv = await startTestServer({
    checks: async () => new ScriptedProvider(),
    env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '10,10', KYC_PIPELINE_CONCURRENCY: '2' },
  });
  receiver = await startReceiver();
  const otherOrg = await srv.createOrg('enterprise');
  const revoked = await srv.mintKey('test');
  await revokeKey(srv.app.runtime.deps, srv.org.id, revoked.keyId);
  const image = sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } });
  target = {
    baseUrl: srv.baseUrl,
    keys: {
      test: (await srv.mintKey('test')).key,
      live: (await srv.mintKey('live')).key,
      otherOrg: (await srv.mintKey('test', { orgId: otherOrg.org.id, flowId: otherOrg.flow.id })).key,
      revoked: revoked.key,
    },
    receiverUrl: receiver.url,
    images: {
      'image/jpeg': await image.clone().jpeg().toBuffer(),
      'image/png': await image.clone().png().toBuffer(),
      'image/webp': await image.clone().webp().toBuffer(),
    },
    consentTextVersion: CONSENT_TEXT_VERSION,
    timeoutMs: TIMEOUT_MS,
  };
  documents = await Promise.all(
    ['/openapi.json', '/api/v1/applicant/openapi.json'].map(async (p) => (await fetch(`${srv.baseUrl}${p}`)).json()),
  );
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await srv?.stop();
});

/** Sends `requests` generated requests with `seed`; returns the fuzzer with its report. */
async function fuzz(seed: number, requests: number): Promise<ContractFuzzer> {
  const fuzzer = new ContractFuzzer(target, documents);
  const run = await fc.check(
    fc.asyncProperty(fc.array(fuzzer.step(), { minLength: BATCH, maxLength: BATCH }), async (steps) => {
      if (fuzzer.report.requests >= requests) return; // journeys send several requests: stop at the count
      const before = fuzzer.report.violations.length;
      for (let i = 0; i < steps.length; i += CONCURRENCY)
        await Promise.all(steps.slice(i, i + CONCURRENCY).map((s) => fuzzer.run(s)));
      const found = fuzzer.report.violations.slice(before);
      if (found.length && !process.env.KYC_FUZZ_ALL)
        throw new Error(`${found.length} contract violations:\n${found.slice(0, 20).join('\n')}`);
    }),
    // A batch is sent to a server whose state the earlier batches changed: shrinking would not replay it.
    { seed, numRuns: Math.ceil(requests / BATCH), endOnFailure: true },
  );
  // The violations, not fast-check's counterexample (a whole batch of requests, unreadable).
  if (run.failed)
    throw new Error(`seed ${seed}, run ${run.counterexamplePath}: ${(run.errorInstance as Error)?.message}`);
  return fuzzer;
}

/** Waits until no verification the fuzz created has checks running. */
async function settled(ids: string[]): Promise<void> {
  const deps = srv.app.runtime.deps;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const running = (await Promise.all(ids.map((id) => deps.store.verifications.get(id)))).filter(
      (v) => v?.status === 'in_progress',
    );
    if (running.length === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The invariants in the store: one decision per verification and per attempt, each attempt submitted once. */
async function storeViolations(ids: string[]): Promise<string[]> {
  const deps = srv.app.runtime.deps;
  const found: string[] = [];
  for (const id of ids) {
    const v = (await deps.store.verifications.get(id))!;
    const audit = await deps.store.audit.listByVerification(id);
    const count = (type: string) => audit.filter((e) => e.type === type).length;
    if (count('verification.finalized') > 1) found.push(`${id}: finalized ${count('verification.finalized')} times`);
    if ((count('verification.finalized') === 1) !== (TERMINAL_STATUSES as readonly string[]).includes(v.status))
      found.push(`${id}: status ${v.status} but finalized ${count('verification.finalized')} times`);
    if (count('attempt.submitted') !== v.attempts.length)
      found.push(`${id}: ${v.attempts.length} attempts, ${count('attempt.submitted')} submitted`);
    const retried = audit.filter((e) => e.type === 'attempt.declined_retry').map((e) => e.data.attempt);
    if (new Set(retried).size !== retried.length) found.push(`${id}: an attempt declined twice (${retried})`);
    const open = v.attempts.filter((a) => a.completedAt === null).length;
    if (open > (v.status === 'in_progress' ? 1 : 0)) found.push(`${id}: ${open} attempts still open (${v.status})`);
    const completed = (await deps.store.deliveries.listByVerification(id)).filter(
      (d) => d.event === 'verification.completed',
    );
    const perEndpoint = new Set(completed.map((d) => d.endpointId));
    if (perEndpoint.size !== completed.length) found.push(`${id}: verification.completed queued twice for an endpoint`);
  }
  return found;
}

function summary(name: string, seed: number, f: ContractFuzzer): string {
  const r = f.report;
  const fivexx = Object.entries(r.byStatus)
    .filter(([s]) => s.startsWith('5'))
    .reduce((n, [, c]) => n + c, 0);
  return [
    `contract fuzz (${name} seed ${seed}): requests=${r.requests} 5xx=${fivexx} hangs=${r.byStatus.hang ?? 0} violations=${r.violations.length} verifications=${r.verifications.length}`,
    `  statuses: ${JSON.stringify(r.byStatus)}`,
    `  operations: ${JSON.stringify(r.byOperation)}`,
    `  mutations: ${JSON.stringify(r.byMutation)}`,
  ].join('\n');
}

describe.each([
  ['fixed', FIXED_SEED],
  ['random', RANDOM_SEED],
])('contract fuzz, %s seed', (name, seed) => {
  it(`${REQUESTS} requests: no 5xx, no hang, every response as documented, invariants hold`, async () => {
    console.log(`contract fuzz: ${name} seed ${seed} (replay: KYC_FUZZ_SEED=${seed})`);
    const fuzzer = await fuzz(seed, REQUESTS);
    await settled(fuzzer.report.verifications);
    const stored = await storeViolations(fuzzer.report.verifications);
    console.log(summary(name, seed, fuzzer));
    expect(stored).toEqual([]);
    expect(fuzzer.report.violations).toEqual([]);
    expect(fuzzer.report.requests).toBeGreaterThanOrEqual(REQUESTS);
    expect(fuzzer.report.byStatus.hang ?? 0).toBe(0);
    // The fuzz reached the deep states, not only the validation errors.
    for (const status of ['200', '201', '202', '204', '400', '401', '404', '409', '413', '415'])
      expect(fuzzer.report.byStatus[status] ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
