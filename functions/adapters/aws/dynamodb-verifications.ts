/**
 * DynamoDB repository for verifications: one item per verification plus a client-token guard item,
 * index attributes recomputed on every write so a status change moves the item between lists.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Verification, VerificationStatus } from '../../domain/model';
import { ConflictError, type ListPage, type VerificationRepository } from '../../ports/persistence';
import {
  type DynamoContext,
  type Item,
  decodeCursor,
  encodeCursor,
  isConditionFailed,
  isTransactionConditionFailed,
  queryLimit,
  stripKeys,
} from './dynamodb-support';
import { GSI, KEY_ATTRIBUTES, TTL_GRACE_SECONDS, keys, ttlFromIso } from './table-design';

const OPEN_STATUSES: ReadonlySet<VerificationStatus> = new Set(['pending', 'in_progress']);

/** The stored item: the entity plus every index attribute its current state calls for. */
export function verificationItem(v: Verification): Item {
  const item: Item = {
    ...v,
    ...keys.verification(v.id),
    ...keys.verificationsByOrg(v.orgId, v.createdAt, v.id),
    ...keys.verificationsByOrgStatus(v.orgId, v.status, v.createdAt, v.id),
  };
  if (v.applicantEmail) item[KEY_ATTRIBUTES.emailLower] = v.applicantEmail.toLowerCase();
  if (OPEN_STATUSES.has(v.status)) Object.assign(item, keys.sweepOpen(v.expiresAt, v.id));
  else if (v.purgedAt === null && v.purgeAfter !== null) Object.assign(item, keys.sweepPurge(v.purgeAfter, v.id));
  if (!OPEN_STATUSES.has(v.status) && v.publishedAt === null)
    Object.assign(item, keys.outboxUnpublished(v.completedAt ?? v.updatedAt, v.id));
  return item;
}

/** Maps the client-token hash to the verification id (strongly consistent, unlike a GSI). */
interface TokenGuard {
  verificationId: string;
}

/** The id is the part after the last `#` of an index sort key `<timestamp>#<id>`. */
function idFromSortKey(sortKey: string): string {
  return sortKey.slice(sortKey.lastIndexOf('#') + 1);
}

export function dynamoVerifications(ctx: DynamoContext): VerificationRepository {
  const get = async (id: string): Promise<Verification | null> => {
    const res = await ctx.doc.send(
      new GetCommand({ TableName: ctx.tableName, Key: keys.verification(id), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<Verification>(res.Item) : null;
  };

  const querySweep = async (pk: string, below: string, limit: number): Promise<Verification[]> => {
    const items = await queryLimit(
      ctx,
      {
        IndexName: GSI.sweep.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk < :below',
        ExpressionAttributeNames: { '#pk': GSI.sweep.partitionKey, '#sk': GSI.sweep.sortKey },
        ExpressionAttributeValues: { ':pk': pk, ':below': below },
      },
      limit,
    );
    return items.map((i) => stripKeys<Verification>(i));
  };

  return {
    async create(v) {
      const guard: TokenGuard = { verificationId: v.id };
      try {
        await ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: ctx.tableName,
                  Item: verificationItem(v),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: ctx.tableName,
                  Item: {
                    ...guard,
                    ...keys.tokenGuard(v.clientTokenHash),
                    ttl: ttlFromIso(v.expiresAt, TTL_GRACE_SECONDS),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (err) {
        if (isTransactionConditionFailed(err))
          throw new ConflictError('verification id or client token already exists');
        throw err;
      }
    },

    get,

    async getByTokenHash(clientTokenHash) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.tokenGuard(clientTokenHash), ConsistentRead: true }),
      );
      if (!res.Item) return null;
      return get((res.Item as unknown as TokenGuard).verificationId);
    },

    async update(v, expectedVersion) {
      // The client token never changes after creation, so the guard item stays valid.
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: verificationItem(v),
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },

    async listByOrg(orgId, opts): Promise<ListPage<Verification>> {
      if (opts.limit <= 0) return { items: [], next: null };
      const index = opts.status ? GSI.gsi2 : GSI.gsi1;
      const partition = opts.status
        ? keys.verificationsByOrgStatus(orgId, opts.status, '', '').gsi2pk
        : keys.verificationsByOrg(orgId, '', '').gsi1pk;
      let exclusiveStartKey: Record<string, unknown> | undefined;
      if (opts.cursor) {
        const sortKey = decodeCursor(opts.cursor);
        exclusiveStartKey = {
          ...keys.verification(idFromSortKey(sortKey)),
          [index.partitionKey]: partition,
          [index.sortKey]: sortKey,
        };
      }
      // Created range on sk = `<createdAt>#<id>`: every sk of an item created at `createdTo` sorts after
      // `<createdTo>#`, so the upper bound stays exclusive (BETWEEN included).
      const names: Record<string, string> = { '#pk': index.partitionKey };
      if (opts.createdFrom || opts.createdTo) names['#sk'] = index.sortKey;
      const values: Record<string, unknown> = { ':pk': partition };
      let keyCondition = '#pk = :pk';
      if (opts.createdFrom && opts.createdTo) {
        keyCondition += ' AND #sk BETWEEN :from AND :to';
        values[':from'] = opts.createdFrom;
        values[':to'] = `${opts.createdTo}#`;
      } else if (opts.createdFrom) {
        keyCondition += ' AND #sk >= :from';
        values[':from'] = opts.createdFrom;
      } else if (opts.createdTo) {
        keyCondition += ' AND #sk < :to';
        values[':to'] = `${opts.createdTo}#`;
      }
      const filters: string[] = [];
      const filter = (attr: string, value: unknown) => {
        names[`#${attr}`] = attr;
        values[`:${attr}`] = value;
        filters.push(`#${attr} = :${attr}`);
      };
      if (opts.decision) filter('decision', opts.decision);
      if (opts.mode) filter('mode', opts.mode);
      if (opts.flowId) filter('flowId', opts.flowId);
      if (opts.applicantEmail) filter(KEY_ATTRIBUTES.emailLower, opts.applicantEmail.toLowerCase());
      // One extra item tells whether a next page exists, so the last page carries next = null.
      const items = await queryLimit(
        ctx,
        {
          IndexName: index.indexName,
          KeyConditionExpression: keyCondition,
          FilterExpression: filters.length ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: opts.order === 'asc',
          ExclusiveStartKey: exclusiveStartKey,
        },
        opts.limit + 1,
      );
      const page = items.slice(0, opts.limit);
      const hasMore = items.length > opts.limit;
      const last = page[page.length - 1];
      return {
        items: page.map((i) => stripKeys<Verification>(i)),
        next: hasMore && last ? encodeCursor(String(last[index.sortKey])) : null,
      };
    },

    async listExpired(now, limit) {
      // sk = `<expiresAt>#<id>` < `<now>` exactly when expiresAt < now (same-length ISO strings).
      return querySweep(keys.sweepOpen('', '').sweeppk, now, limit);
    },

    async listUnpublished(limit) {
      const items = await queryLimit(
        ctx,
        {
          IndexName: GSI.outbox.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI.outbox.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.outboxUnpublished('', '').outboxpk },
        },
        limit,
      );
      return items.map((i) => stripKeys<Verification>(i));
    },

    async listPurgeDue(now, limit) {
      // `$` sorts right after `#`, so every `<purgeAfter>#<id>` with purgeAfter <= now is below it.
      return querySweep(keys.sweepPurge('', '').sweeppk, `${now}$`, limit);
    },
  };
}
