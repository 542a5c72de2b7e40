import { runPipeline } from '../app/pipeline';
import type { AppDeps } from '../app/deps';
import { runMaintenanceSweep } from '../app/maintenance';
import { deliverWebhook } from '../app/webhooks/deliver';
import type { SqliteJobQueue } from '../adapters/sqlite/job-queue';
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
export class LocalWorker {
  private running = new Map<string, Promise<void>>();
  private perType = new Map<JobType, number>();
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly deps: AppDeps,
    private readonly queue: SqliteJobQueue,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    this.queue.releaseAllLeases();
    this.loop = this.run();
  }

  /** Wakes the loop now (after an enqueue in this process). */
  nudge(): void {
    this.wake?.();
  }

  /** Stops claiming and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop;
    await Promise.allSettled([...this.running.values()]);
  }

  private capacity(type: JobType): number {
    return (this.opts.concurrency[type] ?? 1) - (this.perType.get(type) ?? 0);
  }

  private async run(): Promise<void> {
    const leaseMs = this.opts.leaseMs ?? 120_000;
    const maxIdle = this.opts.maxIdleMs ?? 500;
    let busyPolls = 0;
    while (!this.stopped) {
      // Free slots per type: claiming only what can start now spares the store leases that are handed back.
      const limits: Partial<Record<JobType, number>> = {};
      let free = 0;
      for (const t of ['webhook.deliver', 'pipeline.run', 'maintenance.sweep'] as JobType[]) {
        limits[t] = Math.max(0, this.capacity(t));
        free += limits[t];
      }
      let jobs: Job[] = [];
      let next: number | null = null;
      let backoff: number | null = null;
      try {
        jobs = free > 0 ? this.queue.claimDueByType(limits, leaseMs) : [];
        next = this.queue.msUntilNextDue();
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
      for (const job of jobs) {
        if (this.capacity(job.type) <= 0) {
          this.settle(job, () => this.queue.retryLater(job.id, 0)); // no room for this type right now: hand the lease back
          continue;
        }
        this.perType.set(job.type, (this.perType.get(job.type) ?? 0) + 1);
        const p = this.execute(job).finally(() => {
          this.running.delete(job.id);
          this.perType.set(job.type, (this.perType.get(job.type) ?? 1) - 1);
          this.nudge();
        });
        this.running.set(job.id, p);
      }
      if (this.stopped) break;
      const sleep = backoff ?? (jobs.length > 0 && free > jobs.length ? 0 : Math.min(maxIdle, next ?? maxIdle));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, sleep);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async execute(job: Job): Promise<void> {
    try {
      if (job.type === 'webhook.deliver') {
        const r = await deliverWebhook(this.deps, String(job.payload.deliveryId));
        if (r.outcome === 'retry') return this.settle(job, () => this.queue.retryLater(job.id, r.retryInMs));
      } else if (job.type === 'pipeline.run') {
        await runPipeline(this.deps, {
          verificationId: String(job.payload.verificationId),
          attempt: Number(job.payload.attempt),
        });
      } else if (job.type === 'maintenance.sweep') {
        await runLoggedSweep(this.deps);
      }
      this.settle(job, () => this.queue.ack(job.id));
    } catch (err) {
      // Infrastructure failure (disk, bug): keep the job and try again later; never drop work.
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(job.attempt, 6));
      logger.error('job failed; will retry', {
        jobType: job.type,
        attempt: job.attempt,
        retryInMs: delay,
        error: err instanceof Error ? err.message : String(err),
      });
      this.settle(job, () => this.queue.retryLater(job.id, delay));
    }
  }

  /**
   * Acks or reschedules a job. If the database refuses (locked past busy_timeout), the job keeps its lease
   * and runs again when the lease lapses: handlers are idempotent, so a repeat is harmless.
   */
  private settle(job: Job, write: () => void): void {
    try {
      write();
    } catch (err) {
      logger.warn('could not settle job; it runs again after its lease', {
        jobType: job.type,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
