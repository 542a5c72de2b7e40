/**
 * The persistence contract against the DynamoDB adapter on DynamoDB Local: one emulator per file,
 * a fresh table (created from table-design.ts) per test.
 */
import { createDocumentClient, createDynamoStore } from '../../functions/adapters/aws/dynamodb-store';
import { type Emulator, TEST_CREDENTIALS, TEST_REGION, createDesignTable, deleteTable, startDynamoDbLocal } from '../support/emulators';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
