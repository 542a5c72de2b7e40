/**
 * Small helpers shared by the DynamoDB repositories: key stripping, full-result queries,
 * condition-failure detection and opaque list cursors.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { KEY_ATTRIBUTES } from './table-design';
import { InvalidCursorError } from '../../ports/persistence';

/** What every repository needs: the document client and the table name. */
export interface DynamoContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export type Item = Record<string, unknown>;

const KEY_ATTRIBUTE_NAMES = new Set<string>(Object.values(KEY_ATTRIBUTES));

/** Removes key/index/TTL attributes so the stored item reads back as the plain entity. */
export function stripKeys<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTE_NAMES.has(k)) out[k] = v;
  return out as T;
}

/** True for a failed condition on a single write. */
export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** True for a cancelled transaction where at least one condition failed (and nothing else went wrong). */
export function isTransactionConditionFailed(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return false;
  const reasons = (err as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return (
    reasons.some((r) => r.Code === 'ConditionalCheckFailed') &&
    reasons.every((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'None')
  );
}

/** Runs a query to the end (for per-verification / per-org lists that are small by construction). */
export async function queryAll(ctx: DynamoContext, input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ctx.doc.send(new QueryCommand({ ...input, TableName: ctx.tableName, ExclusiveStartKey: start }));
    items.push(...((res.Items ?? []) as Item[]));
    start = res.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Runs a query until `limit` items were collected (a FilterExpression may return short pages). */
export async function queryLimit(
  ctx: DynamoContext,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit'>,
  limit: number,
): Promise<Item[]> {
  const items: Item[] = [];
  if (limit <= 0) return items; // DynamoDB rejects Limit < 1
  let start: Record<string, unknown> | undefined = input.ExclusiveStartKey;
  do {
    const res = await ctx.doc.send(
      new QueryCommand({ ...input, TableName: ctx.tableName, ExclusiveStartKey: start, Limit: limit - items.length }),
    );
    items.push(...((res.Items ?? []) as Item[]));
    start = res.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
}

/** Encodes a list position (the index sort key of the last item returned) as an opaque base64url cursor. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ s: sortKey }), 'utf8').toString('base64url');
}

/** Inverse of {@link encodeCursor}; throws {@link InvalidCursorError} on anything it did not produce. */
export function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && typeof (parsed as { s?: unknown }).s === 'string')
      return (parsed as { s: string }).s;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

export { InvalidCursorError };
