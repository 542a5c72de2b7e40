/**
 * createAwsDeps() as a Lambda builds it, pointed at the emulators through the SDK's standard endpoint
 * variables (AWS_ENDPOINT_URL_<SERVICE>): config parsing, then one real round trip through each port
 * it wires (DynamoDB store, S3 blobs and upload signer, SQS queue) and the webhook Lambda entry running
 * the real deliverWebhook through the SQS consumer.
 */
import type { Context } from 'aws-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { loadAwsConfig } from '../../functions/aws/config';
import { createAwsDeps, resetAwsRuntimeForTests } from '../../functions/aws/deps';
import { makeDelivery, makeOrg } from '../support/builders';
import {
  type Emulator,
  type FauxqsServer,
  S3RVER_CREDENTIALS,
  TEST_REGION,
  createDesignTable,
  startDynamoDbLocal,
  startFauxqs,
  startS3rver,
} from '../support/emulators';

const BUCKET = 'kyc-runtime-captures';
const TABLE = 'kyc-runtime';
let ddb: Emulator & { client: DynamoDBClient };
let sqsEmu: Emulator & { server: FauxqsServer };
let s3: Emulator;
let queueUrl: string;
const savedEnv = { ...process.env };

function lambdaEnv(): NodeJS.ProcessEnv {
  return {
    [AWS_ENV.tableName]: TABLE,
    [AWS_ENV.capturesBucket]: BUCKET,
    [AWS_ENV.capturesKeyArn]: 'arn:aws:kms:us-east-1:111122223333:key/captures',
    [AWS_ENV.secretsKeyArn]: 'arn:aws:kms:us-east-1:111122223333:key/secrets',
    [AWS_ENV.identityMacKeyArn]: 'arn:aws:kms:us-east-1:111122223333:key/identity-mac',
    [AWS_ENV.webhookQueueUrl]: queueUrl,
    [AWS_ENV.pipelineStateMachineArn]: 'arn:aws:states:us-east-1:111122223333:stateMachine:kyc',
    [AWS_ENV.faceCollectionId]: 'kyc-test',
    [AWS_ENV.publicUrl]: 'https://kyc.example.com/',
    [AWS_ENV.webhookAllowHosts]: '',
    [AWS_ENV.webhookRetryDelaysMs]: '1000,2000',
  };
}

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  sqsEmu = await startFauxqs();
  s3 = await startS3rver([BUCKET]);
  await createDesignTable(ddb.client, TABLE);
  queueUrl = sqsEmu.server.createQueue('runtime-webhooks').queueUrl;
  Object.assign(process.env, lambdaEnv(), {
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_SQS: sqsEmu.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  });
  resetAwsRuntimeForTests();
});
afterAll(async () => {
  process.env = savedEnv;
  resetAwsRuntimeForTests();
  await Promise.all([ddb?.stop(), sqsEmu?.stop(), s3?.stop()]);
});

describe('AWS config', () => {
  it('reads every setting from the Lambda environment', () => {
    const config = loadAwsConfig(lambdaEnv());
    expect(config).toMatchObject({
      runtime: 'aws',
      tableName: TABLE,
      publicUrl: 'https://kyc.example.com',
      webhookAllowHosts: [],
      webhookRetryDelaysMs: [1000, 2000],
      allowHttpLocalhost: false,
    });
  });

  it('names every missing or invalid variable', () => {
    const env = {
      ...lambdaEnv(),
      [AWS_ENV.tableName]: '',
      [AWS_ENV.webhookQueueUrl]: 'not a url',
      [AWS_ENV.webhookRetryDelaysMs]: '1000,soon',
    };
    expect(() => loadAwsConfig(env)).toThrow(/KYC_TABLE_NAME.*KYC_WEBHOOK_QUEUE_URL.*KYC_WEBHOOK_RETRY_DELAYS_MS/s);
    expect(() => loadAwsConfig({})).toThrow(/KYC_SECRETS_KEY_ARN/);
  });
});

describe('createAwsDeps against the emulators', () => {
  it('is built once per container', () => {
    expect(createAwsDeps()).toBe(createAwsDeps());
  });

  it('wires the DynamoDB store to the configured table', async () => {
    const deps = createAwsDeps();
    await deps.store.orgs.put(makeOrg({ id: 'org_runtime' }));
    expect(await deps.store.orgs.get('org_runtime')).toEqual(makeOrg({ id: 'org_runtime' }));
  });

  it('wires S3 blobs and the presigned-POST upload signer to the captures bucket and key', async () => {
    const deps = createAwsDeps();
    await deps.blobs.put('captures/vrf_r/1/cap_r', Buffer.from([0, 1, 2, 255]), 'image/jpeg');
    expect([...((await deps.blobs.get('captures/vrf_r/1/cap_r')) ?? [])]).toEqual([0, 1, 2, 255]);
    const expiresAt = new Date(Date.now() + 600_000);
    const slot = await deps.uploads.createUpload({
      captureId: 'cap_r',
      blobKey: 'captures/vrf_r/1/cap_r2',
      contentType: 'image/png',
      maxBytes: 5_000_000,
      contentTypes: ['image/jpeg', 'image/png'],
      expiresAt,
    });
    expect(slot).toMatchObject({ method: 'POST', maxBytes: 5_000_000 });
    // The POST expires before the 10-minute slot: at most five minutes after it was signed.
    expect(Date.parse(slot.expiresAt)).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(Date.parse(slot.expiresAt)).toBeGreaterThan(Date.now() + 290_000);
    expect(slot.url).toContain(BUCKET);
    expect(slot.fields).toMatchObject({
      key: 'captures/vrf_r/1/cap_r2',
      'Content-Type': 'image/png',
      'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/captures',
    });
  });

  it('wires the queue to the webhook SQS queue, and the webhook handler runs deliverWebhook', async () => {
    const deps = createAwsDeps();
    // A delivery that already succeeded: deliverWebhook has nothing to send ("skipped").
    await deps.store.deliveries.createMany([
      makeDelivery({ id: 'whd_runtime', status: 'succeeded', nextAttemptAt: null }),
    ]);
    await deps.queue.enqueue('webhook.deliver', { deliveryId: 'whd_runtime' }, { dedupeKey: 'delivery:whd_runtime' });
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    sqs.destroy();
    const [m] = res.Messages ?? [];
    expect(m).toBeDefined();
    const event: SQSEvent = {
      Records: [
        {
          messageId: m!.MessageId!,
          receiptHandle: m!.ReceiptHandle!,
          body: m!.Body!,
          attributes: { ApproximateReceiveCount: '1' } as SQSEvent['Records'][number]['attributes'],
          messageAttributes: { dedupeKey: { stringValue: 'delivery:whd_runtime', dataType: 'String' } },
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:runtime-webhooks',
          awsRegion: TEST_REGION,
        },
      ],
    };
    // The real Lambda entry, loaded after the environment is in place (it builds its runtime at import).
    const { handler } = await import('../../functions/aws/entries/webhook-dispatcher');
    const context = {
      functionName: 'kyc-webhooks',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => 30_000,
    } as unknown as Context;
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    // Done: the dedupe key was released, so the same delivery can be queued again.
    await deps.queue.enqueue('webhook.deliver', { deliveryId: 'whd_runtime' }, { dedupeKey: 'delivery:whd_runtime' });
    const again = new SQSClient({ useQueueUrlAsEndpoint: false });
    const res2 = await again.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    again.destroy();
    // The first message is still in flight (not deleted in this test), the second is new.
    expect((res2.Messages ?? []).map((x) => x.MessageId)).not.toContain(m!.MessageId);
    expect(res2.Messages ?? []).toHaveLength(1);
  });
});
