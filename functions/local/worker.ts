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
  /** Lease per claimed job; a crashed worker's jobs come back after it (or at the next start-up). */
  leaseMs?: number;
  /** Longest sleep between polls, so jobs queued by another process (the CLI) are seen. */
  maxIdleMs?: number;
}

/**
 * The local runtime's job runner over the durable SQLite queue: webhook sends, pipeline runs and
 * maintenance sweeps, each type with its own concurrency. A job is acked only after its handler
 * finished, so work interrupted by a crash or restart runs again (handlers are idempotent).
 */
const JOB_TYPES: readonly JobType[] = ['webhook.deliver', 'pipeline.run', 'maintenance.sweep'];

/** A claimed job waiting in this process for a free slot, with the time its lease started. */
type Ready = { job: Job; claimedAt: number };

export class LocalWorker {
  private running = new Map<string, Promise<void>>();
  private perType = new Map<JobType, number>();
  /**
   * Claimed jobs waiting for a slot, up to one more round per type: a finishing job hands its slot to the next
   * one at once, without waiting for a claim to be committed.
   */
  private ready = new Map<JobType, Ready[]>();
  /** Outcomes of finished jobs, written with the loop's next claim (one transaction per turn, not one per job). */
  private settled: Settlement[] = [];
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

  private get leaseMs(): number {
    return this.opts.leaseMs ?? 120_000;
  }

  start(): void {
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
   * Stops claiming, waits for the jobs in flight to finish, hands the claimed jobs that never started back to
   * the queue and writes every outcome.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop;
    for (const waiting of this.ready.values()) {
      for (const r of waiting.splice(0)) this.settle(r.job, 0);
    }
    await Promise.allSettled([...this.running.values()]);
    if (this.settled.length > 0) {
      try {
        await this.queue.settleAndClaim(() => ({ settled: this.settled.splice(0), limits: {} }), this.leaseMs);
      } catch (err) {
        this.warnUnsettled(err);
      }
    }
  }

  private concurrency(type: JobType): number {
    return this.opts.concurrency[type] ?? 1;
  }

  private capacity(type: JobType): number {
    return this.concurrency(type) - (this.perType.get(type) ?? 0);
  }

  /** How many more jobs of a type to claim now: its free slots, plus one round waiting ready. */
  private wanted(type: JobType): number {
    if (this.stopped) return 0;
    return Math.max(0, this.capacity(type) + this.concurrency(type) - (this.ready.get(type)?.length ?? 0));
  }

  private async run(): Promise<void> {
    const maxIdle = this.opts.maxIdleMs ?? 500;
    let busyPolls = 0;
    while (!this.stopped) {
      this.nudged = false;
      let backoff: number | null = null;
      try {
        const now = Date.now();
        // Types with room that may have something due (a type known to have nothing due is not asked again
        // until then, or until maxIdle has passed: jobs queued by another process, the CLI, show up by then).
        const looking = JOB_TYPES.filter((t) => this.wanted(t) > 0 && (this.quietUntil.get(t) ?? 0) <= now);
        if (this.settled.length > 0 || looking.length > 0) {
          // Outcomes and room are read when the batch runs: jobs that finish meanwhile join it.
          const limits: Partial<Record<JobType, number>> = {};
          const claimed = await this.queue.settleAndClaim(() => {
            for (const t of looking) limits[t] = this.wanted(t);
            return { settled: this.settled.splice(0), limits };
          }, this.leaseMs);
          const claimedAt = Date.now();
          for (const job of claimed) {
            // Already running or waiting here (its lease lapsed meanwhile): never hold one job twice.
            if (this.running.has(job.id) || this.ready.get(job.type)?.some((r) => r.job.id === job.id)) continue;
            const waiting = this.ready.get(job.type) ?? [];
            waiting.push({ job, claimedAt });
            this.ready.set(job.type, waiting);
          }
          this.startReady();
          for (const t of looking) {
            // Fewer than asked: nothing else of this type is due now. Note when the next one is.
            if (claimed.filter((j) => j.type === t).length < (limits[t] ?? 0)) {
              this.quietUntil.set(t, claimedAt + Math.min(maxIdle, this.queue.msUntilNextDue([t]) ?? maxIdle));
            }
          }
        }
        busyPolls = 0;
      } catch (err) {
        // The database stayed locked past busy_timeout (another process, a long checkpoint on a loaded
        // machine): poll again after a growing pause. Nothing was claimed, so nothing is lost; the jobs whose
        // outcomes were not written keep their leases and run again when those lapse (handlers are idempotent).
        busyPolls++;
        logger.warn('queue poll failed; retrying', {
          error: err instanceof Error ? err.message : String(err),
          busyPolls,
        });
        backoff = Math.min(5_000, 250 * 2 ** Math.min(busyPolls, 5));
      }
      if (this.stopped) break;
      if (this.nudged && backoff === null) continue;
      // Until the first type with room may have a job due; a finishing job or an enqueue wakes the loop sooner.
      const now = Date.now();
      let sleep = maxIdle;
      for (const t of JOB_TYPES) {
        if (this.wanted(t) > 0) sleep = Math.min(sleep, Math.max(0, (this.quietUntil.get(t) ?? 0) - now));
      }
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

  /** Starts waiting jobs in the free slots. A job that waited past half its lease is handed back instead. */
  private startReady(): void {
    if (this.stopped) return;
    const staleBefore = Date.now() - this.leaseMs / 2;
    for (const [type, waiting] of this.ready) {
      while (waiting.length > 0 && this.capacity(type) > 0) {
        const { job, claimedAt } = waiting.shift()!;
        if (claimedAt < staleBefore) {
          this.settle(job, 0);
          continue;
        }
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
   * Records a job's outcome (ack when `retryInMs` is null) for the loop's next write. The handler's own writes
   * are committed before this runs, so a crash before the outcome is written only repeats an idempotent job.
   * If that write fails (locked past busy_timeout), the job keeps its lease and runs again when it lapses.
   */
  private settle(job: Job, retryInMs: number | null): void {
    this.settled.push({ jobId: job.id, retryInMs });
    // A job put back on the queue may be due before its type's noted quiet time.
    if (retryInMs !== null) this.quietUntil.delete(job.type);
  }

  private warnUnsettled(err: unknown): void {
    logger.warn('could not settle jobs; they run again after their lease', {
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
