/**
 * SQS consumer for `webhook.deliver` jobs (the webhook Lambda's handler body). Each record runs the
 * injected `deliver`; a retry re-hides the message with ChangeMessageVisibility(retryInMs) and reports it
 * as a batch item failure, so the backoff comes from SQS visibility and the redrive policy moves a message
 * to the DLQ after maxReceiveCount receives. Needs `ReportBatchItemFailures` on the event source mapping.
 *
 * Only delivery attempts may use those receives: when `deliver` throws (DynamoDB throttled, KMS unavailable:
 * no attempt was made, or none was recorded), the job is sent again as a fresh message, whose receive count
 * starts over, after a back-off (`infraFaultDelaysMs`), and the received one is done. Past that list of
 * tolerated consecutive faults it is reported failed like before, so a persistent fault (a missing permission)
 * still ends in the DLQ and its alarm. A job not due yet (delayed past SQS's 15-minute cap) is likewise sent
 * again as a fresh message rather than hidden, so waiting uses none of the receives either.
 *
 * A receive consumed without a recorded attempt otherwise only happens when the Lambda dies mid-record: before
 * the attempt is recorded (the send is then repeated, same id), or after (a retry is made early, each receive
 * still one attempt; a finished delivery is found finished and skipped). The delivery's state in the table, not
 * the message, is the record: a message dead-lettered that way leaves a pending delivery, which the outbox sweep
 * queues again.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  DEDUPE_ATTRIBUTE,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
  decodeJobMessage,
  encodeJobMessage,
  type JobMessage,
} from '../adapters/aws/job-message';
import type { QueueLocks } from '../adapters/aws/queue-locks';
import type { DeliveryResult } from '../app/webhooks/deliver';

export interface WebhookConsumerDeps {
  sqs: SQSClient;
  queueUrl: string;
  deliver(deliveryId: string): Promise<DeliveryResult>;
  /** The same locks the producer (AwsQueue) takes for dedupe keys; null when dedupe is off. */
  locks: QueueLocks | null;
  /** Lease added after a rescheduled run time (see AwsQueueOptions.dedupeLeaseMs). */
  dedupeLeaseMs?: number;
  /**
   * Back-off before the fresh copy of a job whose `deliver` threw (an infrastructure fault) runs, one entry per
   * tolerated consecutive fault (see {@link infraFaultDelays}); none given: every fault is a batch item failure.
   */
  infraFaultDelaysMs?: readonly number[];
  now?: () => Date;
  /** Structured logger (powertools Logger fits); errors of single records are reported, not thrown. */
  log?: {
    warn(message: string, extra?: Record<string, unknown>): void;
    error(message: string, extra?: Record<string, unknown>): void;
  };
}

/** The pieces of a received message the settle functions need (from a Lambda record or ReceiveMessage). */
export interface ReceivedJob {
  receiptHandle: string;
  dedupeKey: string | null;
}

const DEFAULT_DEDUPE_LEASE_MS = 60 * 60 * 1000;

/** How many consecutive infrastructure faults of one job are re-queued before it counts toward the DLQ. */
export const INFRA_FAULT_REQUEUES = 6;

/**
 * The back-off of re-queued infrastructure faults: the webhook retry delays, each capped at SQS's 15-minute
 * send delay, then the last of them again, {@link INFRA_FAULT_REQUEUES} in all (defaults 60 s, 5 min, then
 * 15 min: about an hour of faults tolerated before the DLQ).
 */
export function infraFaultDelays(retryDelaysMs: readonly number[]): number[] {
  const capped = retryDelaysMs.map((ms) => Math.min(ms, SQS_MAX_DELAY_SECONDS * 1000));
  const last = capped.at(-1) ?? 60_000;
  return Array.from({ length: INFRA_FAULT_REQUEUES }, (_, i) => capped[i] ?? last);
}

function visibilitySeconds(ms: number): number {
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(ms / 1000)));
}

/** The job finished (succeeded, failed for good, or nothing to do): free its dedupe key. */
export async function settleDone(deps: Pick<WebhookConsumerDeps, 'locks'>, job: ReceivedJob): Promise<void> {
  if (job.dedupeKey && deps.locks) await deps.locks.release(job.dedupeKey);
}

/** The job runs again in `delayMs`: hide the message that long and keep its dedupe key held meanwhile. */
export async function settleRetry(
  deps: Pick<WebhookConsumerDeps, 'sqs' | 'queueUrl' | 'locks' | 'dedupeLeaseMs' | 'now'>,
  job: ReceivedJob,
  delayMs: number,
): Promise<void> {
  if (job.dedupeKey && deps.locks) {
    const now = (deps.now ?? (() => new Date()))();
    await deps.locks.extend(
      job.dedupeKey,
      new Date(now.getTime() + delayMs + (deps.dedupeLeaseMs ?? DEFAULT_DEDUPE_LEASE_MS)),
    );
  }
  await deps.sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: deps.queueUrl,
      ReceiptHandle: job.receiptHandle,
      VisibilityTimeout: visibilitySeconds(delayMs),
    }),
  );
}

/**
 * The job runs again in `delayMs` as a fresh message (receive count 0) carrying `message`; the caller then
 * lets the received one be deleted. Throws if the send fails. Extends the dedupe key's lease too, best effort:
 * the table may be what is failing, and a lease that runs out early only lets the outbox sweep queue a second
 * copy (the delivery's state makes that harmless).
 */
export async function requeueFresh(
  deps: Pick<WebhookConsumerDeps, 'sqs' | 'queueUrl' | 'locks' | 'dedupeLeaseMs' | 'now' | 'log'>,
  job: ReceivedJob,
  message: JobMessage,
  delayMs: number,
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const runAt = new Date(now.getTime() + delayMs);
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.queueUrl,
      MessageBody: encodeJobMessage({
        ...message,
        notBefore: delayMs > SQS_MAX_DELAY_SECONDS * 1000 ? runAt.toISOString() : null,
      }),
      DelaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(delayMs / 1000)),
      MessageAttributes: job.dedupeKey
        ? { [DEDUPE_ATTRIBUTE]: { DataType: 'String', StringValue: job.dedupeKey } }
        : undefined,
    }),
  );
  if (!job.dedupeKey || !deps.locks) return;
  const leaseUntil = new Date(runAt.getTime() + (deps.dedupeLeaseMs ?? DEFAULT_DEDUPE_LEASE_MS));
  await deps.locks.extend(job.dedupeKey, leaseUntil).catch((err: unknown) => {
    deps.log?.warn('could not extend the dedupe lease of a re-queued webhook job', { error: String(err) });
  });
}

/** Deletes a message explicitly (outside Lambda; inside it the event source mapping deletes successes). */
export async function deleteMessage(
  deps: Pick<WebhookConsumerDeps, 'sqs' | 'queueUrl'>,
  job: ReceivedJob,
): Promise<void> {
  await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: job.receiptHandle }));
}

function receivedFromRecord(record: SQSRecord): ReceivedJob {
  return {
    receiptHandle: record.receiptHandle,
    dedupeKey: record.messageAttributes[DEDUPE_ATTRIBUTE]?.stringValue ?? null,
  };
}

/**
 * Builds the SQS handler: `(event) => SQSBatchResponse`. A record is reported as failed when it must run
 * again (retry, not yet due, or `deliver` threw); everything else is deleted by Lambda.
 */
export function createWebhookConsumer(deps: WebhookConsumerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());

  const handleRecord = async (record: SQSRecord): Promise<boolean> => {
    const received = receivedFromRecord(record);
    let message: JobMessage;
    try {
      message = decodeJobMessage(record.body);
    } catch (err) {
      // Never deliverable: keep failing it so the redrive policy parks it in the DLQ for a human.
      deps.log?.error('unreadable webhook job message', { messageId: record.messageId, error: String(err) });
      return false;
    }
    const deliveryId = message.payload.deliveryId;
    if (message.type !== 'webhook.deliver' || typeof deliveryId !== 'string') {
      deps.log?.error('unexpected job on the webhook queue', { messageId: record.messageId, type: message.type });
      return false;
    }
    const remainingMs = message.notBefore ? Date.parse(message.notBefore) - now().getTime() : 0;
    if (remainingMs > 0) return waitAsFreshMessage(received, message, deliveryId, remainingMs);
    let result: DeliveryResult;
    try {
      result = await deps.deliver(deliveryId);
    } catch (err) {
      return requeueAfterInfraFault(received, message, deliveryId, err);
    }
    if (result.outcome === 'retry') {
      await settleRetry(deps, received, result.retryInMs);
      return false;
    }
    await settleDone(deps, received);
    return true;
  };

  /**
   * Not due yet (a delay longer than SQS's 15-minute send cap, carried in `notBefore`): no attempt is made, so
   * this receive must not count toward maxReceiveCount. Sent again as a fresh message (receive count 0) that
   * waits up to 15 more minutes with the same `notBefore`, and the received one is done (true). Only if that
   * send fails is the message hidden until due instead (false: SQS counts that receive, the job is kept).
   */
  const waitAsFreshMessage = async (
    received: ReceivedJob,
    message: JobMessage,
    deliveryId: string,
    remainingMs: number,
  ): Promise<boolean> => {
    try {
      await requeueFresh(deps, received, message, remainingMs);
      return true;
    } catch (err) {
      deps.log?.warn('could not re-send a webhook job that is not due yet; hiding it until due', {
        deliveryId,
        error: String(err),
      });
      await settleRetry(deps, received, remainingMs);
      return false;
    }
  };

  /**
   * `deliver` threw: an infrastructure fault, not an attempt the receiver answered. Re-queue the job as a fresh
   * message so this receive does not use one of the delivery's attempts (true: the received one is done); past
   * the tolerated faults, or if the re-queue fails too, report it failed (false) and let SQS count it.
   */
  const requeueAfterInfraFault = async (
    received: ReceivedJob,
    message: JobMessage,
    deliveryId: string,
    err: unknown,
  ): Promise<boolean> => {
    const infraFaults = (message.infraFaults ?? 0) + 1;
    const delayMs = deps.infraFaultDelaysMs?.[infraFaults - 1];
    if (delayMs === undefined) {
      deps.log?.warn('webhook delivery threw; SQS will redeliver', { deliveryId, infraFaults, error: String(err) });
      return false;
    }
    try {
      await requeueFresh(deps, received, { ...message, infraFaults }, delayMs);
    } catch (requeueErr) {
      deps.log?.warn('webhook delivery threw and could not be re-queued; SQS will redeliver', {
        deliveryId,
        error: String(err),
        requeueError: String(requeueErr),
      });
      return false;
    }
    deps.log?.warn('webhook delivery threw; re-queued without using an attempt', {
      deliveryId,
      infraFaults,
      delayMs,
      error: String(err),
    });
    return true;
  };

  return async (event) => {
    const results = await Promise.allSettled(event.Records.map(handleRecord));
    const batchItemFailures = event.Records.flatMap((record, i) => {
      const r = results[i]!;
      if (r.status === 'rejected')
        deps.log?.error('webhook record failed', { messageId: record.messageId, error: String(r.reason) });
      return r.status === 'fulfilled' && r.value ? [] : [{ itemIdentifier: record.messageId }];
    });
    return { batchItemFailures };
  };
}
