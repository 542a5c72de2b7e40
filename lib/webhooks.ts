import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowEnqueueWebhooks, allowSecrets, allowTable } from './access';
import type { Data } from './data';
import { KycFunction, type FunctionDefaults } from './kyc-function';

export interface WebhooksProps {
  stage: string;
  defaults: FunctionDefaults;
  data: Data;
  /** Delays between attempts, seconds; its length is the number of retries. */
  retryDelaysSeconds: number[];
}

/** Dispatcher Lambda timeout: one batch of deliveries, each cut at the app's webhook timeout (~8 s). */
export const DISPATCHER_TIMEOUT_SECONDS = 60;

/**
 * Webhook delivery: an SQS queue of `webhook.deliver` jobs, a dead-letter queue, and the dispatcher.
 *
 * Attempts: maxReceiveCount = 1 + retries (4 with the default 3 retries). The dispatcher reports failed
 * messages through `reportBatchItemFailures` and, before that, calls ChangeMessageVisibility on each with
 * the delay of the next retry (KYC_WEBHOOK_RETRY_DELAYS_MS[ApproximateReceiveCount - 1], in seconds,
 * max 12 h), which is the exponential back-off: SQS redelivers the message when that visibility ends.
 * An infrastructure fault before an attempt (a throttled table) re-sends the job as a fresh message instead, so
 * it does not use a receive; only a fault that persists past the dispatcher's tolerance (about an hour) is
 * reported failed and counts. After the last try SQS moves it to the DLQ (alarmed). The dispatcher needs KYC_WEBHOOK_QUEUE_URL and
 * KYC_WEBHOOK_RETRY_DELAYS_MS (set by the stack) and sqs:ChangeMessageVisibility (granted with the event source).
 */
export class Webhooks extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly key: kms.Key;
  readonly dispatcher: KycFunction;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    this.maxReceiveCount = props.retryDelaysSeconds.length + 1;
    this.key = new kms.Key(this, 'Key', {
      description: `KYC ${props.stage}: webhook job queues`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      // Six times the function timeout (AWS guidance for Lambda event sources).
      visibilityTimeout: Duration.seconds(DISPATCHER_TIMEOUT_SECONDS * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });

    this.dispatcher = new KycFunction(this, 'Dispatcher', {
      entry: 'webhook-dispatcher',
      description: 'KYC webhook dispatcher (SQS -> signed HTTPS POST)',
      memorySize: 256,
      timeout: Duration.seconds(DISPATCHER_TIMEOUT_SECONDS),
      defaults: props.defaults,
    });
    this.dispatcher.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );
    // The event source grants Receive/Delete/GetAttributes/ChangeMessageVisibility (back-off) and kms:Decrypt.
    allowTable(this.dispatcher, props.data.table, props.data.tableKey, 'readWrite');
    allowSecrets(this.dispatcher, props.data.secretsKey, 'decrypt'); // signing secret of the endpoint's key
    // A job whose delivery hit an infrastructure fault is sent again as a fresh message (its receive count starts
    // over), so only real attempts use the maxReceiveCount budget.
    allowEnqueueWebhooks(this.dispatcher, this.queue, this.key);
  }
}
