import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverWebhook } from '../../app/webhooks/deliver';
import { logger } from '../../http/observability';
import { createAwsRuntime } from '../deps';
import { metrics } from '../observability';
import { withPowertools } from '../tracing';
import { createWebhookConsumer, infraFaultDelays } from '../webhook-consumer';
import { withDeliveryMetrics } from './webhook-metrics';

const runtime = createAwsRuntime();
const consume = createWebhookConsumer({
  sqs: runtime.sqs,
  queueUrl: runtime.config.webhookQueueUrl,
  locks: runtime.locks,
  deliver: withDeliveryMetrics((deliveryId) => deliverWebhook(runtime.deps, deliveryId), metrics),
  // A throttled table or key before an attempt re-queues the job instead of using one of its SQS receives.
  infraFaultDelaysMs: infraFaultDelays(runtime.deps.config.webhookRetryDelaysMs),
  log: {
    warn: (message, extra) => logger.warn(message, { ...extra }),
    error: (message, extra) => logger.error(message, { ...extra }),
  },
});

/**
 * Lambda entry: SQS `webhook.deliver` jobs. A delivery to retry is re-hidden with ChangeMessageVisibility
 * (the next back-off delay) and reported in `batchItemFailures` (see lib/webhooks.ts); an infrastructure fault
 * re-queues the job as a fresh message instead; every attempt is counted for the webhook failure-rate alarm.
 */
export const handler = withPowertools(async (event: SQSEvent): Promise<SQSBatchResponse> => consume(event));
