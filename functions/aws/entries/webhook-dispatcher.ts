import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsWebhookHandler } from '../deps';

/**
 * Lambda entry: SQS `webhook.deliver` jobs. A delivery to retry is re-hidden with ChangeMessageVisibility
 * (the next back-off delay) and reported in `batchItemFailures` (see lib/webhooks.ts).
 */
export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = createAwsWebhookHandler();
