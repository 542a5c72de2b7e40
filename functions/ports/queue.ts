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
