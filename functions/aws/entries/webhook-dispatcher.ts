import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createWebhookDispatcher } from '../../handlers/webhook-dispatcher';
import { createAwsDeps } from '../deps';

/**
 * Lambda entry: SQS `webhook.deliver` jobs. The dispatcher returns `batchItemFailures` for deliveries to
 * retry after calling ChangeMessageVisibility with the next back-off delay (see lib/webhooks.ts).
 */
export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = createWebhookDispatcher(createAwsDeps());
