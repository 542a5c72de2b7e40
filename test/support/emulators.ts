/**
 * Local emulators for real-wire tests of the AWS adapters, each started once per test file on a free
 * loopback port and stopped in afterAll:
 * - DynamoDB Local (the jar shipped by amplify-dynamodb-simulator; needs Java 17; `-sharedDb` so tables
 *   do not depend on the access key a client uses),
 * - fauxqs for SQS (visibility, delays, redrive),
 * - s3rver for S3 object I/O (no SigV4 or POST-policy checks: those are unit-tested).
 * Clients get dummy credentials; nothing here can reach a real AWS endpoint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GSI, KEY_ATTRIBUTES } from '../../functions/adapters/aws/table-design';

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
/** s3rver checks the access key id against its built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A running emulator: its endpoint URL and how to stop it. */
export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const DYNAMODB_LOCAL_DIR = join(__dirname, '../../node_modules/amplify-dynamodb-simulator/emulator');

/** Starts DynamoDB Local in memory; resolves once it answers ListTables. */
export async function startDynamoDbLocal(): Promise<Emulator & { client: DynamoDBClient }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: DYNAMODB_LOCAL_DIR, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const stop = async () => {
    client.destroy();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  // Up to 60 s: the JVM starts in 2-5 s alone, far slower on a loaded 2-core machine.
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited: ${stderr}`);
    try {
      await client.send(new ListTablesCommand({}));
      return { endpoint, client, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(`DynamoDB Local did not start on ${endpoint}: ${stderr}`);
}

/** Creates a table exactly as table-design.ts describes it (keys, every GSI, TTL attribute). */
export async function createDesignTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attributeNames = new Set<string>([KEY_ATTRIBUTES.pk, KEY_ATTRIBUTES.sk]);
  for (const g of Object.values(GSI)) {
    attributeNames.add(g.partitionKey);
    attributeNames.add(g.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributeNames].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
        { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.values(GSI).map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: KEY_ATTRIBUTES.ttl, Enabled: true },
    }),
  );
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}

/** The programmatic fauxqs server (typed here to the few members the tests use). */
export interface FauxqsServer {
  address: string;
  createQueue(
    name: string,
    opts?: { attributes?: Record<string, string> },
  ): { queueUrl: string; queueArn: string; queueName: string };
  deleteQueue(name: string): void;
  stop(): Promise<void>;
}

/** fauxqs is ESM-only (an `import`-only exports map): load its entry by path so Jest's CJS resolver finds it. */
const FAUXQS_ENTRY = join(__dirname, '../../node_modules/fauxqs/dist/app.js');

/** Starts fauxqs (SQS) on a free port. */
export async function startFauxqs(): Promise<Emulator & { server: FauxqsServer }> {
  const { startFauxqs: start } = (await import(FAUXQS_ENTRY)) as {
    startFauxqs(opts: { port: number; logger: boolean; host?: string }): Promise<FauxqsServer>;
  };
  const server = await start({ port: 0, logger: false });
  return { endpoint: server.address, server, stop: () => server.stop() };
}

/** Starts s3rver on a free port with the given buckets, storing objects in a temp directory. */
export async function startS3rver(buckets: string[]): Promise<Emulator> {
  const { default: S3rver } = await import('s3rver');
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
