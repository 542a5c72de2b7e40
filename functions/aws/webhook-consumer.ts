/**
 * SQS consumer for `webhook.deliver` jobs (the webhook Lambda's handler body). Each record runs the
 * injected `deliver`; a retry re-hides the message with ChangeMessageVisibility(retryInMs) and reports it
 * as a batch item failure, so the backoff comes from SQS visibility and the redrive policy moves a message
 * to the DLQ after maxReceiveCount receives. Needs `ReportBatchItemFailures` on the event source mapping.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  DEDUPE_ATTRIBUTE,
  SQS_MAX_VISIBILITY_SECONDS,
  decodeJobMessage,
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
    if (remainingMs > 0) {
      // Delay longer than SQS's send-time cap: hide again until due (does not call deliver).
      await settleRetry(deps, received, remainingMs);
      return false;
    }
    let result: DeliveryResult;
    try {
      result = await deps.deliver(deliveryId);
    } catch (err) {
      // Transient failure: the queue's visibility timeout paces the retry; the DLQ catches a persistent one.
      deps.log?.warn('webhook delivery threw; SQS will redeliver', { deliveryId, error: String(err) });
      return false;
    }
    if (result.outcome === 'retry') {
      await settleRetry(deps, received, result.retryInMs);
      return false;
    }
    await settleDone(deps, received);
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
