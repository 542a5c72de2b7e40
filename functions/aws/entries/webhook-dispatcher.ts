import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { METRICS } from '../../adapters/aws/table-design';
import { deliverWebhook } from '../../app/webhooks/deliver';
import { createAwsRuntime } from '../deps';
import { createWebhookConsumer } from '../webhook-consumer';
import { withDeliveryMetrics } from './webhook-metrics';

const runtime = createAwsRuntime();
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.serviceName });
const logger = new Logger({ serviceName: METRICS.serviceName });
const consume = createWebhookConsumer({
  sqs: runtime.sqs,
  queueUrl: runtime.config.webhookQueueUrl,
  locks: runtime.locks,
  deliver: withDeliveryMetrics((deliveryId) => deliverWebhook(runtime.deps, deliveryId), metrics),
  log: {
    warn: (message, extra) => logger.warn(message, { ...extra }),
    error: (message, extra) => logger.error(message, { ...extra }),
  },
});

/**
 * Lambda entry: SQS `webhook.deliver` jobs. A delivery to retry is re-hidden with ChangeMessageVisibility
 * (the next back-off delay) and reported in `batchItemFailures` (see lib/webhooks.ts); every attempt is
 * counted for the webhook failure-rate alarm.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await consume(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
