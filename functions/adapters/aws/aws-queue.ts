/**
 * The Queue port on AWS. Each job type goes where its runtime runs it:
 * - `webhook.deliver` -> SQS (the webhook consumer Lambda), delayed with DelaySeconds;
 * - `pipeline.run` -> a Step Functions execution named `<verificationId>-<attempt>`, so a second start of the
 *   same attempt is a no-op while that execution runs (ExecutionAlreadyExists), and a PipelineRunEndedError once
 *   it has ended (a name cannot be reused for 90 days);
 * - `maintenance.sweep` -> nothing: an EventBridge schedule runs the sweep on AWS.
 */
import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { type EnqueueOptions, type JobType, PipelineRunEndedError, type Queue } from '../../ports/queue';
import { DEDUPE_ATTRIBUTE, SQS_MAX_DELAY_SECONDS, encodeJobMessage } from './job-message';
import type { QueueLocks } from './queue-locks';

export interface AwsQueueOptions {
  sqs: SQSClient;
  sfn: SFNClient;
  webhookQueueUrl: string;
  pipelineStateMachineArn: string;
  /** Dedupe-key locks; without them `dedupeKey` is ignored (at-least-once handlers stay correct, just busier). */
  locks: QueueLocks | null;
  /**
   * How long a dedupe key stays held after the job's run time if nobody releases it (job lost or
   * dead-lettered). Longer than the consumer's worst-case retry chain.
   */
  dedupeLeaseMs?: number;
  now?: () => Date;
}

const DEFAULT_DEDUPE_LEASE_MS = 60 * 60 * 1000;

const pipelineRunPayload = z.object({
  verificationId: z.string().regex(/^[A-Za-z0-9_-]+$/),
  attempt: z.number().int().positive(),
});

/** Step Functions execution names: at most 80 characters of [A-Za-z0-9_-]. */
export function pipelineExecutionName(verificationId: string, attempt: number): string {
  const name = `${verificationId}-${attempt}`;
  if (name.length > 80) throw new Error(`execution name too long: ${name}`);
  return name;
}

export class AwsQueue implements Queue {
  private readonly now: () => Date;

  constructor(private readonly options: AwsQueueOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async enqueue(type: JobType, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<void> {
    switch (type) {
      case 'webhook.deliver':
        return this.sendToSqs(type, payload, opts);
      case 'pipeline.run':
        // Delay and dedupe key do not apply: the execution name dedupes, and retries with backoff
        // live in the state machine's Retry policies.
        return this.startPipeline(payload);
      case 'maintenance.sweep':
        // Scheduled by EventBridge on AWS; an explicit enqueue has nothing to add.
        return;
    }
  }

  private async sendToSqs(type: JobType, payload: Record<string, unknown>, opts: EnqueueOptions): Promise<void> {
    const now = this.now();
    const delayMs = Math.max(0, opts.delayMs ?? 0);
    const runAt = new Date(now.getTime() + delayMs);
    if (opts.dedupeKey && this.options.locks) {
      const leaseUntil = new Date(runAt.getTime() + (this.options.dedupeLeaseMs ?? DEFAULT_DEDUPE_LEASE_MS));
      if (!(await this.options.locks.acquire(opts.dedupeKey, leaseUntil, now))) return;
    }
    const delaySeconds = Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(delayMs / 1000));
    try {
      await this.options.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.options.webhookQueueUrl,
          MessageBody: encodeJobMessage({
            id: randomUUID(),
            type,
            payload,
            // Past SQS's 15-minute cap the consumer re-hides the message until this time.
            notBefore: delayMs > SQS_MAX_DELAY_SECONDS * 1000 ? runAt.toISOString() : null,
          }),
          DelaySeconds: delaySeconds,
          MessageAttributes: opts.dedupeKey
            ? { [DEDUPE_ATTRIBUTE]: { DataType: 'String', StringValue: opts.dedupeKey } }
            : undefined,
        }),
      );
    } catch (err) {
      // Nothing was queued: free the key so the outbox sweep can enqueue it again.
      if (opts.dedupeKey && this.options.locks) await this.options.locks.release(opts.dedupeKey);
      throw err;
    }
  }

  private async startPipeline(payload: Record<string, unknown>): Promise<void> {
    const { verificationId, attempt } = pipelineRunPayload.parse(payload);
    try {
      await this.options.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.pipelineStateMachineArn,
          name: pipelineExecutionName(verificationId, attempt),
          input: JSON.stringify(payload),
        }),
      );
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ExecutionAlreadyExists')) throw err;
      const executionArn = pipelineExecutionArn(this.options.pipelineStateMachineArn, verificationId, attempt);
      const { status } = await this.options.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status && ENDED_EXECUTION_STATUSES.has(status)) throw new PipelineRunEndedError(status);
    }
  }
}

/** Execution statuses after which the execution's name can never start a run again. */
const ENDED_EXECUTION_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** `arn:<partition>:states:<region>:<account>:execution:<stateMachineName>:<executionName>` */
export function pipelineExecutionArn(stateMachineArn: string, verificationId: string, attempt: number): string {
  const [prefix, name] = stateMachineArn.split(':stateMachine:');
  if (!prefix || !name) throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return `${prefix}:execution:${name}:${pipelineExecutionName(verificationId, attempt)}`;
}
