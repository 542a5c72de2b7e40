/**
 * The queue contract against SQS (fauxqs) with dedupe locks in DynamoDB Local, driven the way the
 * webhook consumer drives it (settleDone / settleRetry). Also: the SQS consumer's partial batch
 * response, visibility backoff and DLQ redrive on fauxqs, and `pipeline.run` -> Step Functions
 * StartExecution on aws-sdk-client-mock.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsQueue } from '../../functions/adapters/aws/aws-queue';
import { createDocumentClient } from '../../functions/adapters/aws/dynamodb-store';
import { DEDUPE_ATTRIBUTE, decodeJobMessage, encodeJobMessage, toJob } from '../../functions/adapters/aws/job-message';
import { dynamoQueueLocks, type QueueLocks } from '../../functions/adapters/aws/queue-locks';
import type { DeliveryResult } from '../../functions/app/webhooks/deliver';
import { createWebhookConsumer, deleteMessage, settleDone, settleRetry } from '../../functions/aws/webhook-consumer';
import { type Job, PipelineRunEndedError } from '../../functions/ports/queue';
import {
  type Emulator,
  type FauxqsServer,
  TEST_CREDENTIALS,
  TEST_REGION,
  createDesignTable,
  startDynamoDbLocal,
  startFauxqs,
} from '../support/emulators';
import { type QueueHarness, describeQueueContract } from './queue.contract';

let sqsEmu: Emulator & { server: FauxqsServer };
let ddb: Emulator & { client: DynamoDBClient };
let sqs: SQSClient;
let locks: QueueLocks;
let counter = 0;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

beforeAll(async () => {
  // One after the other, so afterAll can stop whichever started if the other fails.
  ddb = await startDynamoDbLocal();
  sqsEmu = await startFauxqs();
  sqs = new SQSClient({ endpoint: sqsEmu.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  await createDesignTable(ddb.client, 'kyc-queue');
  const doc = createDocumentClient({ endpoint: ddb.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  locks = dynamoQueueLocks({ doc, tableName: 'kyc-queue' });
});
afterAll(async () => {
  sqs?.destroy();
  await Promise.all([sqsEmu?.stop(), ddb?.stop()]);
});

/**
 * A webhook queue (1 s visibility) whose messages move to its own DLQ after two receives, and the adapter
 * that enqueues on it.
 */
function redrivenWebhookQueue(name: string, queueLocks: QueueLocks | null) {
  const dlq = sqsEmu.server.createQueue(`${name}-dlq`);
  const { queueUrl } = sqsEmu.server.createQueue(name, {
    attributes: {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 2 }),
    },
  });
  const queue = new AwsQueue({
    sqs,
    sfn: unusedSfn(),
    webhookQueueUrl: queueUrl,
    pipelineStateMachineArn: 'unused',
    locks: queueLocks,
  });
  return { queueUrl, dlqUrl: dlq.queueUrl, queue };
}

/** An SFN client that must never be called by webhook jobs. */
function unusedSfn(): SFNClient {
  return new SFNClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS, endpoint: 'http://127.0.0.1:9' });
}

async function receiveRaw(queueUrl: string, max = 1): Promise<Message[]> {
  const res = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    }),
  );
  return res.Messages ?? [];
}

describeQueueContract('SQS (fauxqs) + DynamoDB locks', async (): Promise<QueueHarness> => {
  counter += 1;
  const queueName = `webhooks-${counter}`;
  const { queueUrl } = sqsEmu.server.createQueue(queueName, { attributes: { VisibilityTimeout: '60' } });
  const queue = new AwsQueue({
    sqs,
    sfn: unusedSfn(),
    webhookQueueUrl: queueUrl,
    pipelineStateMachineArn: 'unused',
    locks,
  });
  const inFlight = new Map<string, { receiptHandle: string; dedupeKey: string | null }>();
  const consumerDeps = { sqs, queueUrl, locks };
  return {
    queue,
    async receive(): Promise<Job | null> {
      const [m] = await receiveRaw(queueUrl);
      if (!m) return null;
      const job = toJob(decodeJobMessage(m.Body!), Number(m.Attributes?.ApproximateReceiveCount ?? '1'));
      inFlight.set(job.id, {
        receiptHandle: m.ReceiptHandle!,
        dedupeKey: m.MessageAttributes?.[DEDUPE_ATTRIBUTE]?.StringValue ?? null,
      });
      return job;
    },
    async ack(job) {
      const received = inFlight.get(job.id)!;
      await settleDone(consumerDeps, received);
      await deleteMessage(consumerDeps, received);
    },
    async nack(job, delayMs) {
      await settleRetry(consumerDeps, inFlight.get(job.id)!, delayMs);
    },
    advance: sleep,
    async cleanup() {
      sqsEmu.server.deleteQueue(queueName);
    },
  };
});

/** The Lambda event for messages received from the queue (what the event source mapping sends). */
function toEvent(messages: Message[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      } as SQSEvent['Records'][number]['attributes'],
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { stringValue: v.StringValue, dataType: v.DataType ?? 'String' },
        ]),
      ),
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:webhooks',
      awsRegion: TEST_REGION,
    })),
  };
}

/** What Lambda does after the handler: delete every record not reported as failed. */
async function deleteSucceeded(queueUrl: string, messages: Message[], failures: string[]): Promise<void> {
  for (const m of messages) {
    if (!failures.includes(m.MessageId!))
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
}

describe('SQS webhook consumer (fauxqs)', () => {
  it('reports retries as batch item failures and paces them with visibility; successes are done', async () => {
    counter += 1;
    const { queueUrl } = sqsEmu.server.createQueue(`consumer-${counter}`, { attributes: { VisibilityTimeout: '60' } });
    const queue = new AwsQueue({
      sqs,
      sfn: unusedSfn(),
      webhookQueueUrl: queueUrl,
      pipelineStateMachineArn: 'unused',
      locks,
    });
    await queue.enqueue('webhook.deliver', { deliveryId: 'whd_retry' }, { dedupeKey: `delivery:whd_retry:${counter}` });
    await queue.enqueue('webhook.deliver', { deliveryId: 'whd_ok' });
    const outcomes: Record<string, DeliveryResult> = {
      whd_retry: { outcome: 'retry', retryInMs: 2_000 },
      whd_ok: { outcome: 'succeeded' },
    };
    const calls: string[] = [];
    const consume = createWebhookConsumer({
      sqs,
      queueUrl,
      locks,
      deliver: async (id) => {
        calls.push(id);
        return outcomes[id]!;
      },
    });

    const first = await receiveRaw(queueUrl, 10);
    expect(first).toHaveLength(2);
    const res = await consume(toEvent(first));
    const retryMsg = first.find((m) => m.Body!.includes('whd_retry'))!;
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: retryMsg.MessageId }]);
    expect(calls.sort()).toEqual(['whd_ok', 'whd_retry']);
    await deleteSucceeded(
      queueUrl,
      first,
      res.batchItemFailures.map((f) => f.itemIdentifier),
    );

    // Hidden for the retry delay, not the queue's 60 s visibility timeout; the dedupe key stays held.
    expect(await receiveRaw(queueUrl)).toEqual([]);
    await queue.enqueue('webhook.deliver', { deliveryId: 'whd_retry' }, { dedupeKey: `delivery:whd_retry:${counter}` });
    await sleep(3_000);
    const second = await receiveRaw(queueUrl, 10);
    expect(second).toHaveLength(1);
    expect(second[0]!.Attributes?.ApproximateReceiveCount).toBe('2');
    outcomes.whd_retry = { outcome: 'failed' };
    const res2 = await consume(toEvent(second));
    expect(res2.batchItemFailures).toEqual([]);
    await deleteSucceeded(queueUrl, second, []);
    // Finished for good: the key is free again.
    await queue.enqueue('webhook.deliver', { deliveryId: 'whd_retry' }, { dedupeKey: `delivery:whd_retry:${counter}` });
    expect(await receiveRaw(queueUrl)).toHaveLength(1);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount', async () => {
    counter += 1;
    const { queueUrl, dlqUrl, queue } = redrivenWebhookQueue(`main-${counter}`, null);
    await queue.enqueue('webhook.deliver', { deliveryId: 'whd_broken' });
    const consume = createWebhookConsumer({
      sqs,
      queueUrl,
      locks: null,
      deliver: async () => Promise.reject(new Error('DB down')),
    });
    for (let receive = 1; receive <= 2; receive += 1) {
      const msgs = await receiveRaw(queueUrl);
      expect(msgs).toHaveLength(1);
      expect((await consume(toEvent(msgs))).batchItemFailures).toHaveLength(1);
      await sleep(1_500);
    }
    expect(await receiveRaw(queueUrl)).toEqual([]);
    const parked = await receiveRaw(dlqUrl);
    expect(parked).toHaveLength(1);
    expect(decodeJobMessage(parked[0]!.Body!).payload).toEqual({ deliveryId: 'whd_broken' });
  });

  it('re-queues a job whose deliver threw (an infrastructure fault) as a fresh message: no receive is used', async () => {
    counter += 1;
    const { queueUrl, dlqUrl, queue } = redrivenWebhookQueue(`infra-${counter}`, locks);
    const dedupeKey = `delivery:whd_throttled:${counter}`;
    await queue.enqueue('webhook.deliver', { deliveryId: 'whd_throttled' }, { dedupeKey });
    // DynamoDB throttled on three receives in a row (more than maxReceiveCount), then the attempt goes through.
    let throttled = 3;
    const consume = createWebhookConsumer({
      sqs,
      queueUrl,
      locks,
      infraFaultDelaysMs: [1_000, 1_000, 1_000, 1_000],
      deliver: async () => {
        if (throttled-- > 0)
          throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        return { outcome: 'succeeded' };
      },
    });
    const seen: Array<{ receiveCount: string | undefined; infraFaults: number | undefined }> = [];
    for (let round = 0; round < 4; round += 1) {
      let msgs = await receiveRaw(queueUrl);
      for (let wait = 0; msgs.length === 0 && wait < 30; wait += 1) {
        await sleep(200);
        msgs = await receiveRaw(queueUrl);
      }
      expect(msgs).toHaveLength(1);
      seen.push({
        receiveCount: msgs[0]!.Attributes?.ApproximateReceiveCount,
        infraFaults: decodeJobMessage(msgs[0]!.Body!).infraFaults,
      });
      const res = await consume(toEvent(msgs));
      expect(res.batchItemFailures).toEqual([]); // the received one is done: Lambda deletes it
      await deleteSucceeded(queueUrl, msgs, []);
      if (round < 3) {
        // Meanwhile the key stays held: the outbox sweep queues no second copy.
        await queue.enqueue('webhook.deliver', { deliveryId: 'whd_throttled' }, { dedupeKey });
      }
    }
    expect(seen).toEqual([
      { receiveCount: '1', infraFaults: undefined },
      { receiveCount: '1', infraFaults: 1 },
      { receiveCount: '1', infraFaults: 2 },
      { receiveCount: '1', infraFaults: 3 },
    ]);
    await sleep(1_200);
    expect(await receiveRaw(queueUrl)).toEqual([]);
    expect(await receiveRaw(dlqUrl)).toEqual([]);
  });

  it('reports a fault that persists past the tolerated re-queues as failed, so it reaches the DLQ', async () => {
    counter += 1;
    const { queueUrl } = sqsEmu.server.createQueue(`infra-persistent-${counter}`, {
      attributes: { VisibilityTimeout: '1' },
    });
    const job = { id: 'j1', type: 'webhook.deliver' as const, payload: { deliveryId: 'whd_x' }, notBefore: null };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeJobMessage({ ...job, infraFaults: 2 }) }),
    );
    const consume = createWebhookConsumer({
      sqs,
      queueUrl,
      locks: null,
      infraFaultDelaysMs: [1_000, 1_000],
      deliver: async () => Promise.reject(new Error('AccessDeniedException')),
    });
    const msgs = await receiveRaw(queueUrl);
    expect((await consume(toEvent(msgs))).batchItemFailures).toEqual([{ itemIdentifier: msgs[0]!.MessageId }]);
  });

  it('fails unreadable messages (so they reach the DLQ) without calling deliver', async () => {
    counter += 1;
    const { queueUrl } = sqsEmu.server.createQueue(`poison-${counter}`);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"not":"a job"}' }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ id: 'j1', type: 'pipeline.run', payload: {}, notBefore: null }),
      }),
    );
    const deliver = jest.fn();
    const consume = createWebhookConsumer({ sqs, queueUrl, locks: null, deliver });
    const msgs = await receiveRaw(queueUrl, 10);
    expect((await consume(toEvent(msgs))).batchItemFailures).toHaveLength(2);
    expect(deliver).not.toHaveBeenCalled();
  });

  it('waits out a delay past the SQS cap as fresh messages: no receive is used, the attempt is made when due', async () => {
    counter += 1;
    // maxReceiveCount 2: hiding the message twice until due would dead-letter it before its attempt.
    const { queueUrl, dlqUrl } = redrivenWebhookQueue(`long-${counter}`, null);
    let now = new Date('2026-01-01T00:00:00.000Z');
    // 1 hour: sent with DelaySeconds 900 and notBefore = +1 h. The emulator would really wait 900 s, so capture
    // each send's delay and hand its body to the queue undelayed, moving the clock on by that delay instead.
    const delays: Array<number | undefined> = [];
    const visibility: Array<number | undefined> = [];
    const undelayedSqs = {
      send: (cmd: SendMessageCommand | ChangeMessageVisibilityCommand) => {
        if (cmd instanceof SendMessageCommand) {
          delays.push(cmd.input.DelaySeconds);
          return sqs.send(new SendMessageCommand({ ...cmd.input, DelaySeconds: 0 }));
        }
        if (cmd instanceof ChangeMessageVisibilityCommand) visibility.push(cmd.input.VisibilityTimeout);
        return sqs.send(cmd);
      },
    } as unknown as SQSClient;
    await new AwsQueue({
      sqs: undelayedSqs,
      sfn: unusedSfn(),
      webhookQueueUrl: queueUrl,
      pipelineStateMachineArn: 'unused',
      locks: null,
      now: () => now,
    }).enqueue('webhook.deliver', { deliveryId: 'whd_late' }, { delayMs: 3_600_000 });
    const deliver = jest.fn(async () => ({ outcome: 'succeeded' as const }));
    const consume = createWebhookConsumer({ sqs: undelayedSqs, queueUrl, locks: null, deliver, now: () => now });
    const seen: Array<{ receiveCount: string | undefined; notBefore: string | null }> = [];
    for (let round = 0; round < 4; round++) {
      now = new Date(now.getTime() + (delays.at(-1) ?? 0) * 1000);
      const msgs = await receiveRaw(queueUrl);
      expect(msgs).toHaveLength(1);
      seen.push({
        receiveCount: msgs[0]!.Attributes?.ApproximateReceiveCount,
        notBefore: decodeJobMessage(msgs[0]!.Body!).notBefore,
      });
      const res = await consume(toEvent(msgs));
      expect(res.batchItemFailures).toEqual([]); // the received one is done: Lambda deletes it
      await deleteSucceeded(queueUrl, msgs, []);
    }
    // Three waits of 15 minutes (each a fresh message, first receive), then the attempt at +1 h.
    expect(delays).toEqual([900, 900, 900, 900]);
    expect(seen).toEqual([
      { receiveCount: '1', notBefore: '2026-01-01T01:00:00.000Z' },
      { receiveCount: '1', notBefore: '2026-01-01T01:00:00.000Z' },
      { receiveCount: '1', notBefore: '2026-01-01T01:00:00.000Z' },
      { receiveCount: '1', notBefore: null },
    ]);
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(visibility).toEqual([]);
    expect(await receiveRaw(queueUrl)).toEqual([]);
    expect(await receiveRaw(dlqUrl)).toEqual([]);
  });

  it('hides a message not yet due until it is due when the fresh copy cannot be sent (the receive then counts)', async () => {
    counter += 1;
    const { queueUrl } = sqsEmu.server.createQueue(`long-nosend-${counter}`);
    const now = new Date('2026-01-01T00:15:00.000Z');
    const job = {
      id: 'j1',
      type: 'webhook.deliver' as const,
      payload: { deliveryId: 'whd_late' },
      notBefore: '2026-01-01T01:00:00.000Z',
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeJobMessage(job) }));
    const visibility: Array<number | undefined> = [];
    const sendFailsSqs = {
      send: (cmd: SendMessageCommand | ChangeMessageVisibilityCommand) => {
        if (cmd instanceof SendMessageCommand) return Promise.reject(new Error('SQS unavailable'));
        if (cmd instanceof ChangeMessageVisibilityCommand) visibility.push(cmd.input.VisibilityTimeout);
        return sqs.send(cmd);
      },
    } as unknown as SQSClient;
    const deliver = jest.fn();
    const consume = createWebhookConsumer({ sqs: sendFailsSqs, queueUrl, locks: null, deliver, now: () => now });
    const msgs = await receiveRaw(queueUrl);
    expect((await consume(toEvent(msgs))).batchItemFailures).toEqual([{ itemIdentifier: msgs[0]!.MessageId }]);
    expect(deliver).not.toHaveBeenCalled();
    expect(visibility).toEqual([45 * 60]);
    expect(await receiveRaw(queueUrl)).toEqual([]);
  });
});

describe('dedupe locks (DynamoDB Local)', () => {
  it('frees a key whose lease ran out (job lost or dead-lettered), and not before', async () => {
    const t = (m: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + m * 60_000);
    expect(await locks.acquire('lease-test', t(60), t(0))).toBe(true);
    expect(await locks.acquire('lease-test', t(120), t(30))).toBe(false);
    await locks.extend('lease-test', t(90));
    expect(await locks.acquire('lease-test', t(150), t(75))).toBe(false);
    expect(await locks.acquire('lease-test', t(150), t(91))).toBe(true);
    await locks.release('lease-test');
    expect(await locks.acquire('lease-test', t(200), t(92))).toBe(true);
  });

  it('frees the key again when SendMessage fails, so the outbox sweep can retry', async () => {
    const failingSqs = { send: async () => Promise.reject(new Error('SQS unavailable')) } as unknown as SQSClient;
    const queue = new AwsQueue({
      sqs: failingSqs,
      sfn: unusedSfn(),
      webhookQueueUrl: 'http://127.0.0.1:9/q',
      pipelineStateMachineArn: 'unused',
      locks,
    });
    await expect(
      queue.enqueue('webhook.deliver', { deliveryId: 'whd_x' }, { dedupeKey: 'send-fails' }),
    ).rejects.toThrow('SQS unavailable');
    expect(await locks.acquire('send-fails', new Date(Date.now() + 60_000), new Date())).toBe(true);
  });
});

describe('pipeline.run -> Step Functions', () => {
  const sfn = new SFNClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const sfnMock = mockClient(sfn);
  const unusedSqs = new SQSClient({
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    endpoint: 'http://127.0.0.1:9',
  });
  const queue = new AwsQueue({
    sqs: unusedSqs,
    sfn,
    webhookQueueUrl: 'unused',
    pipelineStateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:kyc',
    locks: null,
  });
  beforeEach(() => sfnMock.reset());
  afterAll(() => sfnMock.restore());

  it('starts an execution named <verificationId>-<attempt> with the payload as input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    await queue.enqueue('pipeline.run', { verificationId: 'vrf_abc123', attempt: 2 });
    const input = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input).toEqual({
      stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:kyc',
      name: 'vrf_abc123-2',
      input: JSON.stringify({ verificationId: 'vrf_abc123', attempt: 2 }),
    });
  });

  const alreadyExists = () => Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });

  it('treats ExecutionAlreadyExists as already running while that execution runs', async () => {
    sfnMock.on(StartExecutionCommand).rejects(alreadyExists());
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    await expect(queue.enqueue('pipeline.run', { verificationId: 'vrf_abc123', attempt: 1 })).resolves.toBeUndefined();
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:1:execution:kyc:vrf_abc123-1',
    });
  });

  it.each(['TIMED_OUT', 'ABORTED', 'FAILED', 'SUCCEEDED'] as const)(
    'reports an execution of that name that ended (%s) as PipelineRunEndedError, never a silent no-op',
    async (status) => {
      sfnMock.on(StartExecutionCommand).rejects(alreadyExists());
      sfnMock.on(DescribeExecutionCommand).resolves({ status });
      const run = queue.enqueue('pipeline.run', { verificationId: 'vrf_abc123', attempt: 1 });
      await expect(run).rejects.toBeInstanceOf(PipelineRunEndedError);
      await expect(run).rejects.toMatchObject({ runStatus: status });
    },
  );

  it('propagates other failures and rejects malformed payloads', async () => {
    sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(queue.enqueue('pipeline.run', { verificationId: 'vrf_abc123', attempt: 1 })).rejects.toThrow(
      'throttled',
    );
    await expect(queue.enqueue('pipeline.run', { verificationId: 'vrf bad/id', attempt: 1 })).rejects.toThrow();
    await expect(queue.enqueue('pipeline.run', { verificationId: 'vrf_abc', attempt: 0 })).rejects.toThrow();
  });

  it('maintenance.sweep is left to the EventBridge schedule', async () => {
    await queue.enqueue('maintenance.sweep', {});
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
