/**
 * Durable job queue port. Local: a SQLite table polled by the worker loop. AWS: SQS (webhooks)
 * and Step Functions (pipeline) deliver the same job payloads to the same handlers.
 *
 * At-least-once: a job whose handler crashes is delivered again, so handlers are idempotent.
 */
export type JobType = 'webhook.deliver' | 'pipeline.run' | 'maintenance.sweep';

export interface Job<P = Record<string, unknown>> {
  id: string;
  type: JobType;
  payload: P;
  /** How many times this job has been handed to a worker (1 on first run). */
  attempt: number;
}

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** At most one live job per dedupe key (enqueue is a no-op if one is queued or running). */
  dedupeKey?: string;
}

export interface Queue {
  enqueue(type: JobType, payload: Record<string, unknown>, opts?: EnqueueOptions): Promise<void>;
}

/**
 * Thrown by `enqueue('pipeline.run', ...)` when that attempt's run already ended and cannot start again under
 * its dedupe identity (AWS: the Step Functions execution of that name timed out, was aborted, failed or
 * finished). A run that ended without a decision would otherwise be re-queued as a silent no-op forever: the
 * caller decides the attempt instead.
 */
export class PipelineRunEndedError extends Error {
  override readonly name = 'PipelineRunEndedError';

  /** @param runStatus how the run ended, as the runtime reports it (e.g. `TIMED_OUT`). */
  constructor(readonly runStatus: string) {
    super(`the pipeline run already ended (${runStatus})`);
  }
}
