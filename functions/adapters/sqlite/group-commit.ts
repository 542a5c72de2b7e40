import type { SqliteDatabase } from './database';

/**
 * Group commit: the writes requested during one turn of the event loop are queued and run together, in
 * order, in one transaction on `setImmediate`; each caller's promise settles after that COMMIT. Concurrent
 * requests then share the WAL frames of the pages they all touch (table tail, index tails) instead of
 * writing them once each, which is what made checkpoints, and so tail latency, expensive under load.
 *
 * The transaction is opened, filled and committed in one synchronous run: it is never left open while other
 * code runs. Another connection (the CLI, even one opened in this process) therefore only ever waits for a
 * short commit, never for a batch that cannot finish until it gives the thread back.
 *
 * Durability is unchanged for callers: nothing is acknowledged before it is committed. Each write keeps its
 * own atomicity (it runs in a savepoint: a failing write rejects its caller and leaves the batch intact), and
 * `db.transaction(...)` inside a write runs as a nested savepoint.
 */
export interface GroupCommit {
  /** Queues `fn` for the current batch; resolves with its result once the batch is committed. */
  write<T>(fn: () => T): Promise<T>;
  /**
   * Queues `fn` for the next batch without asking for one: it joins the batch of the next `write`, or runs at the
   * latest `maxDelayMs` from now. For writes whose loss in a crash only repeats idempotent work (the worker's job
   * outcomes), so they share a commit with the writes that follow instead of costing one of their own.
   */
  writeSoon<T>(fn: () => T, maxDelayMs: number): Promise<T>;
  /** Runs and commits the queued batch now (before closing the database, or to read it from another connection). */
  flush(): void;
}

type Queued = { fn: () => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void };

export function createGroupCommit(db: SqliteDatabase): GroupCommit {
  let queued: Queued[] = [];
  let scheduled = false;
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const savepoint = db.prepare('SAVEPOINT group_write');
  const release = db.prepare('RELEASE group_write');
  const rollbackTo = db.prepare('ROLLBACK TO group_write');

  /** The deadline of the queued `writeSoon` calls, while no batch is scheduled. */
  let deadline: NodeJS.Timeout | null = null;

  const flush = (): void => {
    scheduled = false;
    if (deadline !== null) {
      clearTimeout(deadline);
      deadline = null;
    }
    if (queued.length === 0) return;
    const batch = queued;
    queued = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      begin.run();
    } catch (err) {
      // Locked past busy_timeout by another process: nothing ran, every caller learns it.
      for (const q of batch) q.reject(err);
      return;
    }
    try {
      for (const q of batch) {
        savepoint.run();
        try {
          outcomes.push({ ok: true, value: q.fn() });
          release.run();
        } catch (err) {
          rollbackTo.run();
          release.run();
          outcomes.push({ ok: false, err });
        }
      }
      commit.run();
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const q of batch) q.reject(err);
      return;
    }
    batch.forEach((q, i) => {
      const o = outcomes[i]!;
      if (o.ok) q.resolve(o.value);
      else q.reject(o.err);
    });
  };

  const enqueue = <T>(fn: () => T, maxDelayMs: number | null): Promise<T> => {
    if (db.inTransaction) {
      // Called from inside a transaction (an explicit one, or a write of the batch being flushed): that
      // transaction's commit is the one that counts.
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<T>((resolve, reject) => {
      queued.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (scheduled) return;
      if (maxDelayMs === null) {
        scheduled = true;
        setImmediate(flush);
      } else {
        deadline ??= setTimeout(flush, maxDelayMs);
      }
    });
  };

  return {
    write: (fn) => enqueue(fn, null),
    writeSoon: (fn, maxDelayMs) => enqueue(fn, maxDelayMs),
    flush,
  };
}

const byDatabase = new WeakMap<SqliteDatabase, GroupCommit>();

/** The one group-commit batcher of a connection (store and job queue share it). */
export function groupCommitFor(db: SqliteDatabase): GroupCommit {
  let gc = byDatabase.get(db);
  if (!gc) {
    gc = createGroupCommit(db);
    byDatabase.set(db, gc);
  }
  return gc;
}
