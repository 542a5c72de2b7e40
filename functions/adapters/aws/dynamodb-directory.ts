/**
 * DynamoDB repositories for the org directory: organisations, flows, API keys and webhook endpoints.
 * All of them live in the org's partition (`ORG#<orgId>`), see table-design.ts.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Flow, KycKey, Organisation, WebhookEndpoint } from '../../domain/model';
import { upgradeStoredFlow } from '../../domain/flows';
import {
  ConflictError,
  type FlowRepository,
  type KeyRepository,
  type OrganisationRepository,
  type WebhookEndpointRepository,
} from '../../ports/persistence';
import {
  type DynamoContext,
  isConditionFailed,
  isTransactionConditionFailed,
  queryAll,
  stripKeys,
} from './dynamodb-support';
import { GSI, keys } from './table-design';

export function dynamoOrganisations(ctx: DynamoContext): OrganisationRepository {
  return {
    async put(org: Organisation) {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: { ...org, ...keys.org(org.id), ...keys.orgsIndex(org.createdAt, org.id) },
        }),
      );
    },
    async get(id) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.org(id), ConsistentRead: true }),
      );
      return res.Item ? stripKeys<Organisation>(res.Item) : null;
    },
    async list() {
      const items = await queryAll(ctx, {
        IndexName: GSI.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.orgsIndex('', '').gsi1pk },
      });
      return items.map((i) => stripKeys<Organisation>(i));
    },
  };
}

/** Query of one entity kind inside an org partition. */
function listOrgPartition(ctx: DynamoContext, orgId: string, skPrefix: string) {
  return queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.org(orgId).pk, ':prefix': skPrefix },
    ConsistentRead: true,
  });
}

export function dynamoFlows(ctx: DynamoContext): FlowRepository {
  return {
    async put(flow: Flow) {
      await ctx.doc.send(
        new PutCommand({ TableName: ctx.tableName, Item: { ...flow, ...keys.flow(flow.orgId, flow.id) } }),
      );
    },
    async get(orgId, id) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.flow(orgId, id), ConsistentRead: true }),
      );
      return res.Item ? upgradeStoredFlow(stripKeys<Flow>(res.Item)) : null;
    },
    async listByOrg(orgId) {
      return (await listOrgPartition(ctx, orgId, keys.flowPrefix)).map((i) => upgradeStoredFlow(stripKeys<Flow>(i)));
    },
  };
}

/** The key-hash guard item: makes the hash unique and maps it to the key (strongly consistent, unlike a GSI). */
interface KeyHashGuard {
  orgId: string;
  keyId: string;
}

export function dynamoKeys(ctx: DynamoContext): KeyRepository {
  const get = async (orgId: string, id: string): Promise<KycKey | null> => {
    const res = await ctx.doc.send(
      new GetCommand({ TableName: ctx.tableName, Key: keys.kycKey(orgId, id), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<KycKey>(res.Item) : null;
  };
  return {
    async create(key) {
      const guard: KeyHashGuard = { orgId: key.orgId, keyId: key.id };
      try {
        await ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: ctx.tableName,
                  Item: { ...key, ...keys.kycKey(key.orgId, key.id) },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: ctx.tableName,
                  Item: { ...guard, ...keys.keyHashGuard(key.keyHash) },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (err) {
        if (isTransactionConditionFailed(err)) throw new ConflictError('key id or key hash already exists');
        throw err;
      }
    },
    async getByHash(keyHash) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.keyHashGuard(keyHash), ConsistentRead: true }),
      );
      if (!res.Item) return null;
      const guard = res.Item as unknown as KeyHashGuard;
      return get(guard.orgId, guard.keyId);
    },
    get,
    async listByOrg(orgId) {
      return (await listOrgPartition(ctx, orgId, keys.kycKeyPrefix)).map((i) => stripKeys<KycKey>(i));
    },
    revoke: (orgId, id, at) => setTimestampOnce(ctx, keys.kycKey(orgId, id), 'revokedAt', at),
    async rotateSecret(orgId, id, rotation) {
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: keys.kycKey(orgId, id),
            UpdateExpression:
              'SET encryptedSecret = :secret, previousEncryptedSecret = :previous, previousSecretExpiresAt = :until',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(revokedAt) OR revokedAt = :null)',
            ExpressionAttributeValues: {
              ':secret': rotation.encryptedSecret,
              ':previous': rotation.previousEncryptedSecret,
              ':until': rotation.previousSecretExpiresAt,
              ':null': null,
            },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async touch(orgId, id, at) {
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: keys.kycKey(orgId, id),
            UpdateExpression: 'SET lastUsedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    },
  };
}

export function dynamoWebhookEndpoints(ctx: DynamoContext): WebhookEndpointRepository {
  return {
    async create(e: WebhookEndpoint) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: { ...e, ...keys.webhookEndpoint(e.orgId, e.id) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (isConditionFailed(err)) throw new ConflictError('webhook endpoint already exists');
        throw err;
      }
    },
    async get(orgId, id) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.webhookEndpoint(orgId, id), ConsistentRead: true }),
      );
      return res.Item ? stripKeys<WebhookEndpoint>(res.Item) : null;
    },
    async listActive(orgId, mode) {
      // An org has a handful of endpoints: filter in code rather than maintain another index.
      const all = (await listOrgPartition(ctx, orgId, keys.webhookEndpointPrefix)).map((i) =>
        stripKeys<WebhookEndpoint>(i),
      );
      return all.filter((e) => e.deletedAt === null && (mode === undefined || e.mode === mode));
    },
    delete: (orgId, id, at) => setTimestampOnce(ctx, keys.webhookEndpoint(orgId, id), 'deletedAt', at),
    async disable(orgId, id, at, reason) {
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: keys.webhookEndpoint(orgId, id),
            UpdateExpression: 'SET disabledAt = :at, disabledReason = :reason',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_type(deletedAt, :null) AND (attribute_not_exists(disabledAt) OR attribute_type(disabledAt, :null))',
            ExpressionAttributeValues: { ':at': at, ':reason': reason, ':null': 'NULL' },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
  };
}

/**
 * Sets a null timestamp attribute of an existing item (revokedAt, deletedAt) once: false if the item is
 * missing or the timestamp is already set.
 */
async function setTimestampOnce(
  ctx: DynamoContext,
  key: Record<string, string>,
  attribute: 'revokedAt' | 'deletedAt',
  at: string,
): Promise<boolean> {
  try {
    await ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: 'SET #attr = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_type(#attr, :null)',
        ExpressionAttributeNames: { '#attr': attribute },
        ExpressionAttributeValues: { ':at': at, ':null': 'NULL' },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
