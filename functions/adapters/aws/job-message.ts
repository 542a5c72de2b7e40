/**
 * The SQS message format of a queued job, shared by the producer (AwsQueue) and the consumer
 * (functions/aws/webhook-consumer.ts). Parsed with zod: a message body is a trust boundary.
 */
import * as z from 'zod';
import type { Job, JobType } from '../../ports/queue';

const jobTypes = ['webhook.deliver', 'pipeline.run', 'maintenance.sweep'] as const satisfies readonly JobType[];

export const jobMessageSchema = z.object({
  id: z.string().min(1),
  type: z.enum(jobTypes),
  payload: z.record(z.string(), z.unknown()),
  /** Earliest run time (ISO), when the requested delay exceeded SQS's 15-minute DelaySeconds. */
  notBefore: z.iso.datetime().nullable(),
  /**
   * Consecutive infrastructure faults (the job's handler threw before it could act) this job has been re-queued
   * after as a fresh message, whose receive count starts over; absent on a job as first sent.
   */
  infraFaults: z.number().int().nonnegative().optional(),
});

export type JobMessage = z.infer<typeof jobMessageSchema>;

/** Message attribute carrying the dedupe key, so the consumer can free it when the job is done. */
export const DEDUPE_ATTRIBUTE = 'dedupeKey';

/** Longest delay SQS applies to a message at send time. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** Longest visibility timeout SQS accepts (12 hours). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export function encodeJobMessage(m: JobMessage): string {
  return JSON.stringify(m);
}

/** Parses a message body; throws a ZodError (or SyntaxError) on anything else. */
export function decodeJobMessage(body: string): JobMessage {
  return jobMessageSchema.parse(JSON.parse(body));
}

/** The Job a handler sees: `attempt` is SQS's receive count (1 on first delivery). */
export function toJob(m: JobMessage, receiveCount: number): Job {
  return { id: m.id, type: m.type, payload: m.payload, attempt: receiveCount };
}
