/**
 * The DynamoDB implementation of the persistence {@link Store}: one table, key design in table-design.ts.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../ports/persistence';
import { dynamoFlows, dynamoKeys, dynamoOrganisations, dynamoWebhookEndpoints } from './dynamodb-directory';
import {
  dynamoAudit,
  dynamoCaptures,
  dynamoDeliveries,
  dynamoIdempotency,
  dynamoSignals,
  dynamoSteps,
} from './dynamodb-records';
import type { DynamoContext } from './dynamodb-support';
import { dynamoVerifications } from './dynamodb-verifications';

/** Document client that stores `undefined` fields as absent and round-trips numbers as JS numbers. */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * Builds the Store over one DynamoDB table.
 * @param doc document client (see {@link createDocumentClient})
 * @param tableName the table created from table-design.ts
 */
export function createDynamoStore(doc: DynamoDBDocumentClient, tableName: string): Store {
  const ctx: DynamoContext = { doc, tableName };
  return {
    orgs: dynamoOrganisations(ctx),
    flows: dynamoFlows(ctx),
    keys: dynamoKeys(ctx),
    verifications: dynamoVerifications(ctx),
    webhooks: dynamoWebhookEndpoints(ctx),
    deliveries: dynamoDeliveries(ctx),
    idempotency: dynamoIdempotency(ctx),
    captures: dynamoCaptures(ctx),
    audit: dynamoAudit(ctx),
    steps: dynamoSteps(ctx),
    signals: dynamoSignals(ctx),
    // DynamoDB keeps no deleted item images the service can read; PITR backups age out (README, "Erasure").
    flushErasures: async () => undefined,
  };
}
