/**
 * DynamoDB repositories for the records around a verification: webhook deliveries (outbox),
 * idempotency claims, captures, audit trail, pipeline step results and identity signals.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Capture, Delivery } from '../../domain/model';
import {
  type AuditEvent,
  type AuditRepository,
  type CaptureRepository,
  ConflictError,
  type DeliveryRepository,
  type IdempotencyRecord,
  type IdempotencyRepository,
  isLiveIdempotencyClaim,
  type IdentitySignal,
  type IdentitySignalRepository,
  type ListPage,
  type StepResultRecord,
  type StepResultRepository,
} from '../../ports/persistence';
import {
  type DynamoContext,
  type Item,
  InvalidCursorError,
  decodeCursor,
  encodeCursor,
  isConditionFailed,
  queryAll,
  queryLimit,
  stripKeys,
} from './dynamodb-support';
import { GSI, TTL_GRACE_SECONDS, keys, ttlFromIso } from './table-design';

function deliveryItem(d: Delivery): Item {
  const item: Item = {
    ...d,
    ...keys.delivery(d.id),
    ...keys.deliveriesByEndpoint(d.endpointId, d.createdAt, d.id),
    ...keys.deliveriesByVerification(d.verificationId, d.createdAt, d.id),
  };
  if (d.status === 'pending') Object.assign(item, keys.sweepDelivery(d.nextAttemptAt ?? d.createdAt, d.id));
  return item;
}

/** One UpdateItem on the table; false when its condition does not hold (nothing written). */
async function conditionalUpdate(
  ctx: DynamoContext,
  input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
): Promise<boolean> {
  try {
    await ctx.doc.send(new UpdateCommand({ TableName: ctx.tableName, ...input }));
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

export function dynamoDeliveries(ctx: DynamoContext): DeliveryRepository {
  return {
    async createMany(deliveries) {
      // Independent conditional puts: a transaction would fail as a whole on the first existing id.
      await Promise.all(
        deliveries.map(async (d) => {
          try {
            await ctx.doc.send(
              new PutCommand({
                TableName: ctx.tableName,
                Item: deliveryItem(d),
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            );
          } catch (err) {
            if (!isConditionFailed(err)) throw err;
          }
        }),
      );
    },
    async get(id) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.delivery(id), ConsistentRead: true }),
      );
      return res.Item ? stripKeys<Delivery>(res.Item) : null;
    },
    async recordAttempt(id, expected, change) {
      // Pending deliveries carry the sweep index keys; a finished one leaves the index.
      const sweep =
        change.status === 'pending' ? keys.sweepDelivery(change.nextAttemptAt ?? change.updatedAt, id) : null;
      return conditionalUpdate(ctx, {
        Key: keys.delivery(id),
        UpdateExpression: `SET #status = :status, #attempts = :attempts, #nextAttemptAt = :nextAttemptAt, #updatedAt = :updatedAt${
          sweep ? ', #sweeppk = :sweeppk, #sweepsk = :sweepsk' : ''
        }${sweep ? '' : ' REMOVE #sweeppk, #sweepsk'}`,
        ConditionExpression: '#status = :pending AND size(#attempts) = :attemptCount',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#attempts': 'attempts',
          '#nextAttemptAt': 'nextAttemptAt',
          '#updatedAt': 'updatedAt',
          '#sweeppk': 'sweeppk',
          '#sweepsk': 'sweepsk',
        },
        ExpressionAttributeValues: {
          ':status': change.status,
          ':attempts': change.attempts,
          ':nextAttemptAt': change.nextAttemptAt,
          ':updatedAt': change.updatedAt,
          ':pending': expected.status,
          ':attemptCount': expected.attemptCount,
          ...(sweep ? { ':sweeppk': sweep.sweeppk, ':sweepsk': sweep.sweepsk } : {}),
        },
      });
    },
    async reopen(id, expected, change) {
      const sweep = keys.sweepDelivery(change.nextAttemptAt, id);
      return conditionalUpdate(ctx, {
        Key: keys.delivery(id),
        UpdateExpression:
          'SET #status = :pending, #redeliveredAfterFailures = :redeliveredAfterFailures, #nextAttemptAt = :nextAttemptAt, #updatedAt = :updatedAt, #sweeppk = :sweeppk, #sweepsk = :sweepsk',
        ConditionExpression: '#status = :expectedStatus AND size(#attempts) = :attemptCount',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#attempts': 'attempts',
          '#redeliveredAfterFailures': 'redeliveredAfterFailures',
          '#nextAttemptAt': 'nextAttemptAt',
          '#updatedAt': 'updatedAt',
          '#sweeppk': 'sweeppk',
          '#sweepsk': 'sweepsk',
        },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':expectedStatus': expected.status,
          ':attemptCount': expected.attemptCount,
          ':redeliveredAfterFailures': change.redeliveredAfterFailures,
          ':nextAttemptAt': change.nextAttemptAt,
          ':updatedAt': change.updatedAt,
          ':sweeppk': sweep.sweeppk,
          ':sweepsk': sweep.sweepsk,
        },
      });
    },
    async scrubBody(id, body) {
      return conditionalUpdate(ctx, {
        Key: keys.delivery(id),
        UpdateExpression: 'SET #body = :body',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#body': 'body' },
        ExpressionAttributeValues: { ':body': body },
      });
    },
    async listByEndpoint(endpointId, opts): Promise<ListPage<Delivery>> {
      if (opts.limit <= 0) return { items: [], next: null };
      const partition = keys.deliveriesByEndpoint(endpointId, '', '').gsi1pk;
      const items = await queryLimit(
        ctx,
        {
          IndexName: GSI.gsi1.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI.gsi1.partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          ScanIndexForward: false,
          ExclusiveStartKey: opts.cursor ? deliveryStartKey(endpointId, decodeCursor(opts.cursor)) : undefined,
        },
        opts.limit + 1,
      );
      const page = items.slice(0, opts.limit).map((i) => stripKeys<Delivery>(i));
      const last = page[page.length - 1];
      return {
        items: page,
        next: items.length > opts.limit && last ? encodeCursor(JSON.stringify([last.createdAt, last.id])) : null,
      };
    },
    async listPending(limit) {
      const items = await queryLimit(
        ctx,
        {
          IndexName: GSI.sweep.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI.sweep.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.sweepDelivery('', '').sweeppk },
        },
        limit,
      );
      return items.map((i) => stripKeys<Delivery>(i));
    },
    async listByVerification(verificationId) {
      const items = await queryAll(ctx, {
        IndexName: GSI.gsi2.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI.gsi2.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.deliveriesByVerification(verificationId, '', '').gsi2pk },
      });
      return items.map((i) => stripKeys<Delivery>(i));
    },
  };
}

export function dynamoIdempotency(ctx: DynamoContext): IdempotencyRepository {
  const read = async (scope: string): Promise<IdempotencyRecord | null> => {
    const res = await ctx.doc.send(
      new GetCommand({ TableName: ctx.tableName, Key: keys.idempotency(scope), ConsistentRead: true }),
    );
    return res.Item ? stripKeys<IdempotencyRecord>(res.Item) : null;
  };
  return {
    async claim(rec, now) {
      // A record released between our failed put and the read is claimed on the next round.
      for (let round = 0; round < 3; round += 1) {
        try {
          await ctx.doc.send(
            new PutCommand({
              TableName: ctx.tableName,
              Item: { ...rec, ...keys.idempotency(rec.scope), ttl: ttlFromIso(rec.expiresAt) },
              // The negation of isLiveIdempotencyClaim. TTL deletion is lazy: an expired record still present is
              // treated as absent; an unfinished one past its lease was cut off by a crash and is taken over.
              ConditionExpression:
                'attribute_not_exists(pk) OR expiresAt <= :now OR (attribute_type(#response, :null) AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now))',
              ExpressionAttributeNames: { '#response': 'response' },
              ExpressionAttributeValues: { ':now': now, ':null': 'NULL' },
            }),
          );
          return { claimed: true };
        } catch (err) {
          if (!isConditionFailed(err)) throw err;
        }
        const existing = await read(rec.scope);
        if (existing && isLiveIdempotencyClaim(existing, now)) return { claimed: false, existing };
      }
      throw new Error(`idempotency claim for ${rec.scope} kept racing`);
    },
    async complete(scope, claimId, response) {
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: keys.idempotency(scope),
            UpdateExpression: 'SET #response = :response',
            // Fencing: a claim taken over after its lease ran out no longer writes.
            ConditionExpression: 'claimId = :claimId',
            ExpressionAttributeNames: { '#response': 'response' },
            ExpressionAttributeValues: { ':response': response, ':claimId': claimId },
          }),
        );
      } catch (err) {
        // Released, expired or taken over meanwhile: nothing to complete.
        if (!isConditionFailed(err)) throw err;
      }
    },
    async release(scope, claimId) {
      try {
        await ctx.doc.send(
          new DeleteCommand({
            TableName: ctx.tableName,
            Key: keys.idempotency(scope),
            ConditionExpression: 'claimId = :claimId',
            ExpressionAttributeValues: { ':claimId': claimId },
          }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    },
  };
}

/** Capture slots that were never uploaded disappear by TTL a day after the slot expired. */
function captureItem(c: Capture): Item {
  const item: Item = { ...c, ...keys.capture(c.verificationId, c.id) };
  if (c.status === 'requested') item.ttl = ttlFromIso(c.uploadExpiresAt, TTL_GRACE_SECONDS);
  return item;
}

/** Capture fields a transition may change (identity and placement are fixed at creation). */
const CAPTURE_PATCHABLE = [
  'status',
  'contentType',
  'bytes',
  'width',
  'height',
  'blobKey',
  'sha256',
  'uploadExpiresAt',
] as const;

export function dynamoCaptures(ctx: DynamoContext): CaptureRepository {
  return {
    async create(c) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: captureItem(c),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (isConditionFailed(err)) throw new ConflictError('capture already exists');
        throw err;
      }
    },
    async get(verificationId, id) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.capture(verificationId, id), ConsistentRead: true }),
      );
      return res.Item ? stripKeys<Capture>(res.Item) : null;
    },
    async transition(verificationId, id, from, patch) {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':from': from };
      const sets: string[] = [];
      for (const field of CAPTURE_PATCHABLE) {
        if (!(field in patch)) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = patch[field];
        sets.push(`#${field} = :${field}`);
      }
      if (sets.length === 0) return false;
      const leavesRequested = patch.status !== undefined && patch.status !== 'requested';
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: keys.capture(verificationId, id),
            UpdateExpression: `SET ${sets.join(', ')}${leavesRequested ? ' REMOVE #ttl' : ''}`,
            ConditionExpression: 'attribute_exists(pk) AND #status = :from',
            ExpressionAttributeNames: leavesRequested ? { ...names, '#ttl': 'ttl' } : names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async listByVerification(verificationId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.verification(verificationId).pk, ':prefix': keys.capturePrefix },
        ConsistentRead: true,
      });
      return items.map((i) => stripKeys<Capture>(i));
    },
  };
}

export function dynamoAudit(ctx: DynamoContext): AuditRepository {
  return {
    async append(e: AuditEvent) {
      await ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...e,
            ...(e.verificationId ? keys.audit(e.verificationId, e.at, e.id) : keys.orgAudit(e.orgId, e.at, e.id)),
            ...keys.auditByOrg(e.orgId, e.at, e.id),
          },
        }),
      );
    },
    async listByVerification(verificationId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.verification(verificationId).pk, ':prefix': keys.auditPrefix },
        ConsistentRead: true,
      });
      return items.map((i) => stripKeys<AuditEvent>(i));
    },
    async listByOrg(orgId, opts): Promise<ListPage<AuditEvent>> {
      if (opts.limit <= 0) return { items: [], next: null };
      const partition = keys.auditByOrg(orgId, '', '').gsi2pk;
      const startKey = opts.cursor ? auditStartKey(orgId, partition, decodeCursor(opts.cursor)) : undefined;
      const items = await queryLimit(
        ctx,
        {
          IndexName: GSI.gsi2.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI.gsi2.partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        },
        opts.limit + 1,
      );
      const page = items.slice(0, opts.limit).map((i) => stripKeys<AuditEvent>(i));
      const last = page[page.length - 1];
      return {
        items: page,
        next:
          items.length > opts.limit && last
            ? encodeCursor(JSON.stringify([last.verificationId, last.at, last.id]))
            : null,
      };
    },
  };
}

/** Rebuilds the full index key of a delivery from a cursor `[createdAt, id]`. */
function deliveryStartKey(endpointId: string, cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((x) => typeof x === 'string'))
    throw new InvalidCursorError();
  const [createdAt, id] = parsed as [string, string];
  return { ...keys.delivery(id), ...keys.deliveriesByEndpoint(endpointId, createdAt, id) };
}

/** Rebuilds the full index key of an audit event from a cursor (its base-table key depends on the verification). */
function auditStartKey(orgId: string, partition: string, cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !(parsed[0] === null || typeof parsed[0] === 'string') ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string'
  )
    throw new InvalidCursorError();
  const [verificationId, at, id] = parsed as [string | null, string, string];
  return {
    ...(verificationId ? keys.audit(verificationId, at, id) : keys.orgAudit(orgId, at, id)),
    [GSI.gsi2.partitionKey]: partition,
    [GSI.gsi2.sortKey]: `${at}#${id}`,
  };
}

export function dynamoSteps(ctx: DynamoContext): StepResultRepository {
  return {
    async putIfAbsent(rec: StepResultRecord) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: { ...rec, ...keys.step(rec.verificationId, rec.attempt, rec.step) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async get(verificationId, attempt, step) {
      const res = await ctx.doc.send(
        new GetCommand({
          TableName: ctx.tableName,
          Key: keys.step(verificationId, attempt, step),
          ConsistentRead: true,
        }),
      );
      return res.Item ? stripKeys<StepResultRecord>(res.Item) : null;
    },
    async listByAttempt(verificationId, attempt) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.verification(verificationId).pk,
          ':prefix': keys.stepAttemptPrefix(attempt),
        },
        ConsistentRead: true,
      });
      return items.map((i) => stripKeys<StepResultRecord>(i));
    },
  };
}

function signalItem(s: IdentitySignal): Item {
  const item: Item = { ...s, ...keys.signal(s.verificationId) };
  if (s.documentKeyHash)
    Object.assign(item, keys.signalsByDocument(s.orgId, s.documentKeyHash, s.createdAt, s.verificationId));
  if (s.personKeyHash)
    Object.assign(item, keys.signalsByPerson(s.orgId, s.personKeyHash, s.createdAt, s.verificationId));
  if (s.faceVector) Object.assign(item, keys.signalsWithFace(s.orgId, s.createdAt, s.verificationId));
  return item;
}

export function dynamoSignals(ctx: DynamoContext): IdentitySignalRepository {
  /** Verification ids on one index partition with createdAt >= since. */
  const idsSince = async (index: typeof GSI.gsi1 | typeof GSI.gsi2, pk: string, since: string): Promise<string[]> => {
    const items = await queryAll(ctx, {
      IndexName: index.indexName,
      KeyConditionExpression: '#pk = :pk AND #sk >= :since',
      ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey, '#vid': 'verificationId' },
      ExpressionAttributeValues: { ':pk': pk, ':since': since },
      ProjectionExpression: '#vid',
    });
    return items.map((i) => String(i.verificationId));
  };

  return {
    async put(s) {
      await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: signalItem(s) }));
    },
    async get(verificationId) {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.signal(verificationId), ConsistentRead: true }),
      );
      return res.Item ? stripKeys<IdentitySignal>(res.Item) : null;
    },
    async listByDocumentKey(orgId, documentKeyHash) {
      const items = await queryAll(ctx, {
        IndexName: GSI.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.signalsByDocument(orgId, documentKeyHash, '', '').gsi1pk },
      });
      return items.map((i) => stripKeys<IdentitySignal>(i));
    },
    async listFaceVectors(orgId, limit) {
      const items = await queryLimit(
        ctx,
        {
          IndexName: GSI.sweep.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI.sweep.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.signalsWithFace(orgId, '', '').sweeppk },
          ScanIndexForward: false,
        },
        limit,
      );
      return items.map((i) => stripKeys<IdentitySignal>(i));
    },
    async countSince(orgId, key, since) {
      const found = new Set<string>();
      if (key.documentKeyHash) {
        for (const id of await idsSince(
          GSI.gsi1,
          keys.signalsByDocument(orgId, key.documentKeyHash, '', '').gsi1pk,
          since,
        ))
          found.add(id);
      }
      if (key.personKeyHash) {
        for (const id of await idsSince(GSI.gsi2, keys.signalsByPerson(orgId, key.personKeyHash, '', '').gsi2pk, since))
          found.add(id);
      }
      return found.size;
    },
    async deleteByVerification(verificationId) {
      await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: keys.signal(verificationId) }));
    },
  };
}
