/**
 * The persistence contract against the DynamoDB adapter on DynamoDB Local: one emulator per file,
 * a fresh table (created from table-design.ts) per test.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoStore } from '../../functions/adapters/aws/dynamodb-store';
import { InvalidCursorError } from '../../functions/adapters/aws/dynamodb-support';
import { keys } from '../../functions/adapters/aws/table-design';
import { makeCapture, makeIdempotencyRecord, makeVerification } from '../support/builders';
import {
  type Emulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  createDesignTable,
  deleteTable,
  startDynamoDbLocal,
} from '../support/emulators';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describeAdminPersistenceContract } from './admin-persistence.contract';
import { describePersistenceContract } from './persistence.contract';

let ddb: Emulator & { client: DynamoDBClient };
let tableCounter = 0;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
});
afterAll(async () => {
  await ddb?.stop();
});

describePersistenceContract('DynamoDB (DynamoDB Local)', async () => {
  tableCounter += 1;
  const tableName = `kyc-contract-${tableCounter}`;
  await createDesignTable(ddb.client, tableName);
  const doc = createDocumentClient({ endpoint: ddb.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  return {
    store: createDynamoStore(doc, tableName),
    cleanup: async () => {
      doc.destroy();
      await deleteTable(ddb.client, tableName);
    },
  };
});

describeAdminPersistenceContract('DynamoDB (DynamoDB Local)', async () => {
  tableCounter += 1;
  const tableName = `kyc-admin-contract-${tableCounter}`;
  await createDesignTable(ddb.client, tableName);
  const doc = createDocumentClient({ endpoint: ddb.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  return {
    store: createDynamoStore(doc, tableName),
    cleanup: async () => {
      doc.destroy();
      await deleteTable(ddb.client, tableName);
    },
  };
});

describe('DynamoDB adapter specifics', () => {
  let tableName: string;
  let store: ReturnType<typeof createDynamoStore>;
  let doc: ReturnType<typeof createDocumentClient>;

  beforeAll(async () => {
    tableName = 'kyc-specifics';
    await createDesignTable(ddb.client, tableName);
    doc = createDocumentClient({ endpoint: ddb.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    store = createDynamoStore(doc, tableName);
  });
  afterAll(() => doc?.destroy());

  it('rejects a cursor it did not produce', async () => {
    await expect(store.verifications.listByOrg('org_a', { limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    const forged = Buffer.from(JSON.stringify({ x: 1 })).toString('base64url');
    await expect(store.verifications.listByOrg('org_a', { limit: 2, cursor: forged })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('writes a TTL on idempotency records and on unused upload slots only', async () => {
    const rec = makeIdempotencyRecord({ scope: 'key_ttl:1', expiresAt: '2026-01-02T00:00:00.000Z' });
    await store.idempotency.claim(rec, rec.createdAt);
    const idem = await doc.send(new GetCommand({ TableName: tableName, Key: keys.idempotency('key_ttl:1') }));
    expect(idem.Item?.ttl).toBe(Date.parse('2026-01-02T00:00:00.000Z') / 1000);

    await store.captures.create(makeCapture({ id: 'cap_ttl', verificationId: 'vrf_ttl' }));
    const requested = await doc.send(new GetCommand({ TableName: tableName, Key: keys.capture('vrf_ttl', 'cap_ttl') }));
    expect(typeof requested.Item?.ttl).toBe('number');
    await store.captures.transition('vrf_ttl', 'cap_ttl', 'requested', { status: 'uploaded', bytes: 10 });
    const uploaded = await doc.send(new GetCommand({ TableName: tableName, Key: keys.capture('vrf_ttl', 'cap_ttl') }));
    expect(uploaded.Item?.ttl).toBeUndefined();
  });

  it('keeps a verification in exactly the indexes its state calls for', async () => {
    const v = makeVerification({ id: 'vrf_idx', clientTokenHash: '7'.repeat(64) });
    await store.verifications.create(v);
    const read = async () =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: keys.verification('vrf_idx') }))).Item!;
    expect((await read()).sweeppk).toBe('SWEEP#OPEN');
    expect((await read()).outboxpk).toBeUndefined();
    await store.verifications.update(
      {
        ...v,
        status: 'approved',
        completedAt: '2026-01-01T01:00:00.000Z',
        purgeAfter: '2026-02-01T00:00:00.000Z',
        version: 2,
      },
      1,
    );
    expect((await read()).sweeppk).toBe('SWEEP#PURGE');
    expect((await read()).outboxpk).toBe('OUTBOX#VRF');
    expect((await read()).gsi2pk).toBe('ORG#org_test1#VRF#approved');
  });
});
