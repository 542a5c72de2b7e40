import type { Settlement, SqliteJobQueue } from '../../functions/adapters/sqlite/job-queue';
import { LocalWorker } from '../../functions/local/worker';
import type { Job, JobType } from '../../functions/ports/queue';
import { createPipelineHarness, type PipelineHarness } from '../pipeline/harness';

/**
 * The local worker survives a database that stays locked past busy_timeout (seen on a loaded 2-core machine):
 * a failed poll is retried after a pause, and an outcome write that fails is written again later instead of
 * killing the loop, while its job stays held (never claimed twice). Queue failures are injected around an
 * in-memory queue; the jobs run against the real use cases.
 */

const LOCKED = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

class FlakyQueue {
  jobs: Job[] = [];
  acked: string[] = [];
  /** Claims that fail (a read refused): nothing is taken. */
  claimFailures = 0;
  /** Outcome writes that fail (COMMIT refused): nothing of them is written. */
  ackFailures = 0;
  polls = 0;
  settleCalls = 0;
  /** Ids of the jobs handed to the worker, once per claim. */
  claims: string[] = [];

  claimUnheld(limits: Partial<Record<JobType, number>>, held: ReadonlyMap<string, JobType>): Job[] {
    this.polls++;
    if (this.claimFailures > 0) {
      this.claimFailures--;
      throw LOCKED;
    }
    const claimed: Job[] = [];
    for (const job of this.jobs) {
      if (held.has(job.id)) continue;
      if ((limits[job.type] ?? 0) > claimed.filter((j) => j.type === job.type).length) claimed.push(job);
    }
    this.claims.push(...claimed.map((j) => j.id));
    return claimed;
  }
  async settle(settled: readonly Settlement[]): Promise<void> {
    this.settleCalls++;
    await new Promise((r) => setImmediate(r));
    if (this.ackFailures > 0) {
      this.ackFailures--;
      throw LOCKED;
    }
    for (const s of settled) {
      if (s.retryInMs !== null) continue;
      this.acked.push(s.jobId);
      this.jobs = this.jobs.filter((j) => j.id !== s.jobId);
    }
  }
  msUntilNextDue(): number | null {
    return null;
  }
  releaseAllLeases(): number {
    return 0;
  }
}

let h: PipelineHarness;
beforeEach(async () => {
  h = await createPipelineHarness();
});
afterEach(() => h.close());

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a locked database delays polling but never stops the loop; a failed outcome write is written again later, its job held meanwhile', async () => {
  const queue = new FlakyQueue();
  queue.claimFailures = 2;
  queue.ackFailures = 1;
  const sweep = (id: string): Job => ({ id, type: 'maintenance.sweep', payload: {}, attempt: 1 });
  queue.jobs.push(sweep('job_1'));
  const worker = new LocalWorker(h.deps, queue as unknown as SqliteJobQueue, {
    concurrency: { 'maintenance.sweep': 1 },
    maxIdleMs: 20,
    settleDelayMs: 0,
  });
  worker.start();
  try {
    // job_1 ran after two locked polls; its ack failed, the loop carried on polling, and the ack was written on a
    // later try. Meanwhile the worker kept holding job_1: it was never claimed (so never run) a second time.
    await until(() => queue.acked.includes('job_1'), 'the first job to be acked');
    expect(queue.settleCalls).toBeGreaterThanOrEqual(2);
    expect(queue.polls).toBeGreaterThan(4);
    expect(queue.claims).toEqual(['job_1']);
    queue.jobs.push(sweep('job_2'));
    worker.nudge();
    await until(() => queue.acked.includes('job_2'), 'the second job to be acked');
    expect(queue.claims).toEqual(['job_1', 'job_2']);
  } finally {
    await worker.stop();
  }
});
