import { runPipeline } from '../app/pipeline';
import type { AppDeps } from '../app/deps';
import { runMaintenanceSweep } from '../app/maintenance';
import { deliverWebhook } from '../app/webhooks/deliver';
import type { Settlement, SqliteJobQueue } from '../adapters/sqlite/job-queue';
import type { Job, JobType } from '../ports/queue';
import { logger } from '../http/observability';

/** Runs the maintenance sweep and logs the items it could not handle (ids and error names only; they stay due). */
export async function runLoggedSweep(deps: AppDeps): Promise<void> {
  const report = await runMaintenanceSweep(deps);
  for (const f of report.failed) logger.warn('sweep item failed; retried next sweep', { ...f });
}

export interface WorkerOptions {
  concurrency: Partial<Record<JobType, number>>;
  /** Longest sleep between polls, so jobs queued by another process (the CLI) are seen. */
  maxIdleMs?: number;
  /** Longest time a finished job's outcome waits to share a commit with other writes (default 50 ms). */
  settleDelayMs?: number;
}

/**
 * The local runtime's job runner over the durable SQLite queue: webhook sends, pipeline runs and
 * maintenance sweeps, each type with its own concurrency. A job is acked only after its handler
 * finished, so work interrupted by a crash or restart runs again (handlers are idempotent).
 *
 * It is the one worker of its data dir, so it holds the jobs it claimed in memory instead of leasing them in the
 * table: a claim is a read, and the only queue write per job is its outcome, which rides along with the next
 * commit. Whatever it held when it stopped or crashed is still due in the table and runs again at the next start.
 */
const JOB_TYPES: readonly JobType[] = ['webhook.deliver', 'pipeline.run', 'maintenance.sweep'];

/** Claimed jobs kept waiting per type beyond its slots, so claims (one read each) are few. */
const READY_AHEAD = 32;

export class LocalWorker {
  private running = new Map<string, Promise<void>>();
  private perType = new Map<JobType, number>();
  /** Claimed jobs waiting for a slot: a finishing job hands its slot to the next one at once. */
  private ready = new Map<JobType, Job[]>();
  /** Every job this worker claimed and has not settled in the table yet (waiting, running or settling), by id. */
  private held = new Map<string, JobType>();
  /** Outcomes of finished jobs, not yet handed to the queue. */
  private settled: Settlement[] = [];
  /** Outcome writes in flight. */
  private settling = new Set<Promise<void>>();
  /** After a failed outcome write, none is tried again before this time. */
  private settleRetryAt = 0;
  private settleFailures = 0;
  private stopped = false;
  /** Set by a nudge; the loop looks again instead of sleeping if it was nudged while busy. */
  private nudged = false;
  /** Per type, a time before which it has no job due, as the queue last said (absent: look). */
  private quietUntil = new Map<JobType, number>();
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly deps: AppDeps,
    private readonly queue: SqliteJobQueue,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    // Leases taken by tools (claimDue) or by an older version: nobody else works this data dir.
    this.queue.releaseAllLeases();
    this.loop = this.run();
  }

  /** Wakes the loop now: a job was enqueued in this process, so every type may have one due. */
  nudge(): void {
    this.quietUntil.clear();
    this.poke();
  }

  /** Wakes the loop now (a slot freed up, or an outcome waits to be written). */
  private poke(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Stops claiming, waits for the jobs in flight to finish and writes every outcome. Jobs claimed but never
   * started need nothing written: they are still due in the table.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop;
    for (const waiting of this.ready.values()) {
      for (const job of waiting.splice(0)) this.held.delete(job.id);
    }
    await Promise.allSettled([...this.running.values()]);
    await Promise.allSettled([...this.settling]);
    this.settleRetryAt = 0;
    this.writeOutcomes(0);
    await Promise.allSettled([...this.settling]);
  }

  private concurrency(type: JobType): number {
    return this.opts.concurrency[type] ?? 1;
  }

  private capacity(type: JobType): number {
    return this.concurrency(type) - (this.perType.get(type) ?? 0);
  }

  /**
   * How many more jobs of a type to claim now: none while at least one round waits ready, else enough to fill
   * the free slots and READY_AHEAD more.
   */
  private wanted(type: JobType): number {
    if (this.stopped) return 0;
    const waiting = this.ready.get(type)?.length ?? 0;
    if (waiting >= this.concurrency(type)) return 0;
    return Math.max(0, this.capacity(type) + READY_AHEAD - waiting);
  }

  private async run(): Promise<void> {
    const maxIdle = this.opts.maxIdleMs ?? 500;
    let busyPolls = 0;
    while (!this.stopped) {
      this.nudged = false;
      let backoff: number | null = null;
      try {
        this.writeOutcomes(this.opts.settleDelayMs ?? 50);
        const now = Date.now();
        // Types with room that may have something due (a type known to have nothing due is not asked again
        // until then, or until maxIdle has passed: jobs queued by another process, the CLI, show up by then).
        const looking = JOB_TYPES.filter((t) => this.wanted(t) > 0 && (this.quietUntil.get(t) ?? 0) <= now);
        if (looking.length > 0) {
          const limits: Partial<Record<JobType, number>> = {};
          for (const t of looking) limits[t] = this.wanted(t);
          const claimed = this.queue.claimUnheld(limits, this.held);
          for (const job of claimed) {
            this.held.set(job.id, job.type);
            const waiting = this.ready.get(job.type) ?? [];
            waiting.push(job);
            this.ready.set(job.type, waiting);
          }
          this.startReady();
          const claimedAt = Date.now();
          for (const t of looking) {
            // Fewer than asked: nothing else of this type is due now. Note when the next one is.
            if (claimed.filter((j) => j.type === t).length < (limits[t] ?? 0)) {
              const next = this.queue.msUntilNextDue([t], this.held);
              this.quietUntil.set(t, claimedAt + Math.min(maxIdle, next ?? maxIdle));
            }
          }
        }
        busyPolls = 0;
      } catch (err) {
        // The database stayed locked past busy_timeout (another process, a long checkpoint on a loaded
        // machine): poll again after a growing pause. Nothing was claimed, so nothing is lost.
        busyPolls++;
        logger.warn('queue poll failed; retrying', {
          error: err instanceof Error ? err.message : String(err),
          busyPolls,
        });
        backoff = Math.min(5_000, 250 * 2 ** Math.min(busyPolls, 5));
      }
      if (this.stopped) break;
      if (this.nudged && backoff === null) continue;
      // Until the first type with room may have a job due (or a failed outcome write may be tried again); a
      // finishing job or an enqueue wakes the loop sooner.
      const now = Date.now();
      let sleep = maxIdle;
      for (const t of JOB_TYPES) {
        if (this.wanted(t) > 0) sleep = Math.min(sleep, Math.max(0, (this.quietUntil.get(t) ?? 0) - now));
      }
      if (this.settled.length > 0) sleep = Math.min(sleep, Math.max(0, this.settleRetryAt - now));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff ?? sleep);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Starts waiting jobs in the free slots. */
  private startReady(): void {
    if (this.stopped) return;
    for (const [type, waiting] of this.ready) {
      while (waiting.length > 0 && this.capacity(type) > 0) {
        const job = waiting.shift()!;
        this.perType.set(type, (this.perType.get(type) ?? 0) + 1);
        const p = this.execute(job).finally(() => {
          this.running.delete(job.id);
          this.perType.set(type, (this.perType.get(type) ?? 1) - 1);
          this.startReady();
          this.poke();
        });
        this.running.set(job.id, p);
      }
    }
  }

  /**
   * Hands the outcomes gathered so far to the queue, to be committed with the next batch (within `maxDelayMs`).
   * A job stays held until its outcome is committed, so it is never claimed again meanwhile. If the write fails
   * (locked past busy_timeout), the outcomes are tried again after a growing pause; if the process dies first,
   * those jobs run again at the next start (handlers are idempotent).
   */
  private writeOutcomes(maxDelayMs: number): void {
    if (this.settled.length === 0 || Date.now() < this.settleRetryAt) return;
    const batch = this.settled.splice(0);
    const write: Promise<void> = this.queue.settle(batch, maxDelayMs).then(
      () => {
        this.settleFailures = 0;
        for (const s of batch) {
          // A job put back on the queue may be due before its type's noted quiet time.
          const type = this.held.get(s.jobId);
          if (type && s.retryInMs !== null) this.quietUntil.delete(type);
          this.held.delete(s.jobId);
        }
      },
      (err: unknown) => {
        this.settleFailures++;
        this.settleRetryAt = Date.now() + Math.min(5_000, 250 * 2 ** Math.min(this.settleFailures, 5));
        this.settled.unshift(...batch);
        logger.warn('could not write job outcomes; trying again', {
          error: err instanceof Error ? err.message : String(err),
          settleFailures: this.settleFailures,
        });
      },
    );
    this.settling.add(write);
    void write.finally(() => {
      this.settling.delete(write);
      this.poke();
    });
  }

  private async execute(job: Job): Promise<void> {
    try {
      if (job.type === 'webhook.deliver') {
        const r = await deliverWebhook(this.deps, String(job.payload.deliveryId));
        if (r.outcome === 'retry') return this.settle(job, r.retryInMs);
      } else if (job.type === 'pipeline.run') {
        await runPipeline(this.deps, {
          verificationId: String(job.payload.verificationId),
          attempt: Number(job.payload.attempt),
        });
      } else if (job.type === 'maintenance.sweep') {
        await runLoggedSweep(this.deps);
      }
      this.settle(job, null);
    } catch (err) {
      // Infrastructure failure (disk, bug): keep the job and try again later; never drop work.
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(job.attempt, 6));
      logger.error('job failed; will retry', {
        jobType: job.type,
        attempt: job.attempt,
        retryInMs: delay,
        error: err instanceof Error ? err.message : String(err),
      });
      this.settle(job, delay);
    }
  }

  /**
   * Records a job's outcome (ack when `retryInMs` is null) for the loop to write. The handler's own writes are
   * committed before this runs, so a crash before the outcome is written only repeats an idempotent job.
   */
  private settle(job: Job, retryInMs: number | null): void {
    this.settled.push({ jobId: job.id, retryInMs });
  }
}
