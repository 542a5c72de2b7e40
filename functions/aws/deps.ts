/**
 * Wiring of the AWS runtime: AppDeps over DynamoDB, S3, SQS/Step Functions and KMS, built once per Lambda
 * container (module scope survives warm invocations) and shared by every entry in functions/aws/entries.
 * SDK clients take region and credentials from the Lambda environment.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { TextractClient } from '@aws-sdk/client-textract';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AwsQueue } from '../adapters/aws/aws-queue';
import { createDocumentClient, createDynamoStore } from '../adapters/aws/dynamodb-store';
import { KmsSecretBox } from '../adapters/aws/kms-secret-box';
import { dynamoQueueLocks, type QueueLocks } from '../adapters/aws/queue-locks';
import { S3BlobStore, createS3UploadSigner } from '../adapters/aws/s3-blob-store';
import { nodeCrypto } from '../adapters/local/node-crypto';
import { createRandomIds } from '../adapters/local/random-ids';
import { createNodeWebhookTransport } from '../adapters/node-webhook-transport';
import type { AppDeps } from '../app/deps';
import { deliverWebhook } from '../app/webhooks/deliver';
import type { CheckProvider } from '../ports/checks';
import { systemClock } from '../ports/clock';
import { type AwsConfig, loadAwsConfig } from './config';
import { createWebhookConsumer } from './webhook-consumer';

/** AppDeps plus the AWS pieces some entries need beyond the ports (the webhook consumer's SQS client and locks). */
export interface AwsRuntime {
  deps: AppDeps;
  config: AwsConfig;
  sqs: SQSClient;
  locks: QueueLocks;
}

let cached: AwsRuntime | null = null;

/**
 * Builds (first call) or returns (later calls) the container's runtime.
 * @param env environment to read; only the first call's env is used
 */
export function createAwsRuntime(env: NodeJS.ProcessEnv = process.env): AwsRuntime {
  if (cached) return cached;
  const config = loadAwsConfig(env);
  const doc = createDocumentClient();
  const s3 = new S3Client({});
  // Send to the configured SQS endpoint, not the queue URL's host (same host on AWS; differs on emulators).
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const locks = dynamoQueueLocks({ doc, tableName: config.tableName });
  const blobs = new S3BlobStore(s3, { bucket: config.capturesBucket, kmsKeyId: config.capturesKeyArn });

  let checks: Promise<CheckProvider> | null = null;
  const deps: AppDeps = {
    config,
    store: createDynamoStore(doc, config.tableName),
    blobs,
    uploads: createS3UploadSigner(blobs),
    queue: new AwsQueue({
      sqs,
      sfn: new SFNClient({}),
      webhookQueueUrl: config.webhookQueueUrl,
      pipelineStateMachineArn: config.pipelineStateMachineArn,
      locks,
    }),
    clock: systemClock,
    ids: createRandomIds(),
    crypto: nodeCrypto,
    secrets: new KmsSecretBox(new KMSClient({}), config.secretsKeyArn),
    webhookTransport: createNodeWebhookTransport(),
    // Loaded on first use: only the pipeline and applicant Lambdas ever call the checks.
    checks: () =>
      (checks ??= import('../checks/aws').then(({ createAwsCheckProvider }) =>
        createAwsCheckProvider({
          rekognition: new RekognitionClient({}),
          textract: new TextractClient({}),
          mrzReader: null,
          collectionId: config.faceCollectionId,
        }),
      )),
  };
  cached = { deps, config, sqs, locks };
  return cached;
}

/** The container's AppDeps (see {@link createAwsRuntime}). */
export function createAwsDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  return createAwsRuntime(env).deps;
}

/**
 * The SQS handler for `webhook.deliver` jobs without metrics: deliverWebhook through the SQS consumer
 * (retries paced by message visibility, see webhook-consumer.ts). The webhook entry may wrap `deliver`
 * itself (metrics) by calling createWebhookConsumer with the runtime's pieces instead.
 */
export function createAwsWebhookHandler(env: NodeJS.ProcessEnv = process.env): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const runtime = createAwsRuntime(env);
  return createWebhookConsumer({
    sqs: runtime.sqs,
    queueUrl: runtime.config.webhookQueueUrl,
    locks: runtime.locks,
    deliver: (deliveryId) => deliverWebhook(runtime.deps, deliveryId),
  });
}

/** Forgets the cached runtime (tests only: a Lambda container never changes its environment). */
export function resetAwsRuntimeForTests(): void {
  cached = null;
}
