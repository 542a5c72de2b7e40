/**
 * Wiring of the AWS runtime: AppDeps over DynamoDB, S3, SQS/Step Functions and KMS, built once per Lambda
 * container (module scope survives warm invocations) and shared by every entry in functions/aws/entries.
 * SDK clients take region and credentials from the Lambda environment.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient, createDynamoStore } from '../adapters/aws/dynamodb-store';
import { dynamoQueueLocks, type QueueLocks } from '../adapters/aws/queue-locks';
import { nodeCrypto } from '../adapters/node/node-crypto';
import { createRandomIds } from '../adapters/node/random-ids';
import { createNodeWebhookTransport } from '../adapters/node/node-webhook-transport';
import type { AppDeps } from '../app/deps';
import type { BlobStore } from '../ports/blobs';
import type { CheckProvider } from '../ports/checks';
import type { SequenceObserver } from '../checks/face-sequence/sequence-verdict';
import { systemClock } from '../ports/clock';
import { type AwsConfig, loadAwsConfig } from './config';
import { lazily } from './lazy';

// Adapters other than DynamoDB are loaded with require() on first use (see lazy.ts): esbuild keeps a
// require of a bundled module lazy, so their SDK packages load only in the Lambdas that call them.
const loadS3 = () => require('../adapters/aws/s3-blob-store') as typeof import('../adapters/aws/s3-blob-store');
const loadS3Client = () => require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
const loadSqs = () => require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
const loadSfn = () => require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn');
const loadQueue = () => require('../adapters/aws/aws-queue') as typeof import('../adapters/aws/aws-queue');
const loadKms = () => require('@aws-sdk/client-kms') as typeof import('@aws-sdk/client-kms');
const loadSecretBox = () =>
  require('../adapters/aws/kms-secret-box') as typeof import('../adapters/aws/kms-secret-box');
const loadSecretMac = () =>
  require('../adapters/aws/kms-secret-mac') as typeof import('../adapters/aws/kms-secret-mac');
const loadRekognition = () => require('@aws-sdk/client-rekognition') as typeof import('@aws-sdk/client-rekognition');
const loadTextract = () => require('@aws-sdk/client-textract') as typeof import('@aws-sdk/client-textract');
const loadChecks = () => require('../checks/aws') as typeof import('../checks/aws');
const loadFaceLivenessSessions = () =>
  require('../checks/aws/face-liveness-session') as typeof import('../checks/aws/face-liveness-session');
const loadCheckOptions = () => require('../checks/aws/options') as typeof import('../checks/aws/options');

/** AppDeps plus the AWS pieces some entries need beyond the ports (the webhook consumer's SQS client and locks). */
export interface AwsRuntime {
  deps: AppDeps;
  config: AwsConfig;
  sqs: SQSClient;
  locks: QueueLocks;
}

export interface AwsRuntimeOptions {
  /** Wraps the check provider's SDK clients (the pipeline task passes the Powertools tracer's capture). */
  instrumentClient?: <T>(client: T) => T;
  /**
   * Judges liveness recordings (face-api, see face-sequence-observer.ts). Only the pipeline task passes it:
   * imported by its entry alone, face-api and tfjs are bundled into that Lambda only.
   */
  sequenceObserver?: SequenceObserver;
}

let cached: AwsRuntime | null = null;

/**
 * Builds (first call) or returns (later calls) the container's runtime.
 * @param env environment to read; only the first call's env is used
 */

export function createAwsRuntime(env: NodeJS.ProcessEnv = process.env, options: AwsRuntimeOptions = {}): AwsRuntime {
  if (cached) return cached;
  const config = loadAwsConfig(env);
  const instrument = options.instrumentClient ?? (<T>(client: T) => client);
  const doc = createDocumentClient();
  const locks = dynamoQueueLocks({ doc, tableName: config.tableName });
  // Send to the configured SQS endpoint, not the queue URL's host (same host on AWS; differs on emulators).
  const sqs = lazily(() => new (loadSqs().SQSClient)({ useQueueUrlAsEndpoint: false }));
  let s3Blobs: import('../adapters/aws/s3-blob-store').S3BlobStore | null = null;
  const s3BlobStore = () =>
    (s3Blobs ??= new (loadS3().S3BlobStore)(new (loadS3Client().S3Client)({}), {
      bucket: config.capturesBucket,
      kmsKeyId: config.capturesKeyArn,
    }));
  const blobs: BlobStore = lazily(s3BlobStore);

  let checks: Promise<CheckProvider> | null = null;
  const rekognition = lazily(() => instrument(new (loadRekognition().RekognitionClient)({})));
  const deps: AppDeps = {
    config,
    store: createDynamoStore(doc, config.tableName),
    blobs,
    blobLinks: lazily(s3BlobStore),
    uploads: lazily(() => loadS3().createS3UploadSigner(s3BlobStore())),
    queue: lazily(
      () =>
        new (loadQueue().AwsQueue)({
          sqs,
          sfn: new (loadSfn().SFNClient)({}),
          webhookQueueUrl: config.webhookQueueUrl,
          pipelineStateMachineArn: config.pipelineStateMachineArn,
          locks,
        }),
    ),
    clock: systemClock,
    ids: createRandomIds(),
    crypto: nodeCrypto,
    secrets: lazily(() => new (loadSecretBox().KmsSecretBox)(new (loadKms().KMSClient)({}), config.secretsKeyArn)),
    // Only the pipeline's document check MACs identities (it alone may kms:GenerateMac on this key).
    identityMac: lazily(
      () => new (loadSecretMac().KmsSecretMac)(new (loadKms().KMSClient)({}), config.identityMacKeyArn),
    ),
    webhookTransport: createNodeWebhookTransport(),
    // Only the pipeline and applicant Lambdas ever call the checks.
    checks: () =>
      (checks ??= Promise.resolve().then(() =>
        loadChecks().createAwsCheckProvider({
          rekognition,
          textract: instrument(new (loadTextract().TextractClient)({})),
          mrzReader: null,
          collectionId: config.faceCollectionId,
          sequenceObserver: options.sequenceObserver ?? null,
        }),
      )),
    // The applicant Lambda opens sessions without the check provider (it would load sharp, which it does not ship).
    faceLivenessSessions: async () =>
      loadFaceLivenessSessions().createFaceLivenessSessions(
        rekognition,
        loadCheckOptions().DEFAULT_AWS_CHECK_OPTIONS.faceLiveness,
      ),
  };
  cached = { deps, config, sqs, locks };
  return cached;
}

/** The container's AppDeps (see {@link createAwsRuntime}). */
export function createAwsDeps(env: NodeJS.ProcessEnv = process.env, options: AwsRuntimeOptions = {}): AppDeps {
  return createAwsRuntime(env, options).deps;
}

/** Forgets the cached runtime (tests only: a Lambda container never changes its environment). */
export function resetAwsRuntimeForTests(): void {
  cached = null;
}
