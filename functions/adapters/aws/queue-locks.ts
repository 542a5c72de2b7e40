/**
 * Dedupe locks for SQS jobs (SQS standard queues have no deduplication): a conditional put in the
 * DynamoDB table marks a dedupe key as live while its job is queued or running. The lock carries a
 * lease so a job lost outside our control (dead-lettered, message expired) frees its key eventually.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DynamoContext, isConditionFailed } from './dynamodb-support';
import { keys, ttlFromIso } from './table-design';

export interface QueueLocks {
  /** Takes the key if it is free (or its lease ran out); false if a live job holds it. */
  acquire(dedupeKey: string, leaseUntil: Date, now: Date): Promise<boolean>;
  /** Extends the lease of a held key (the job was rescheduled). */
  extend(dedupeKey: string, leaseUntil: Date): Promise<void>;
  /** Frees the key: the job finished. */
  release(dedupeKey: string): Promise<void>;
}

export function dynamoQueueLocks(ctx: DynamoContext): QueueLocks {
  const item = (dedupeKey: string, leaseUntil: Date) => ({
    ...keys.queueLock(dedupeKey),
    expiresAt: leaseUntil.toISOString(),
    ttl: ttlFromIso(leaseUntil.toISOString()),
  });
  return {
    async acquire(dedupeKey, leaseUntil, now) {
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: item(dedupeKey, leaseUntil),
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': now.toISOString() },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async extend(dedupeKey, leaseUntil) {
      await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item(dedupeKey, leaseUntil) }));
    },
    async release(dedupeKey) {
      await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: keys.queueLock(dedupeKey) }));
    },
  };
}
