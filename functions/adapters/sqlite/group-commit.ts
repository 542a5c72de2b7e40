import type { SqliteDatabase } from './database';

/**
 * Group commit: every write issued during one turn of the event loop joins one transaction, committed
 * on `setImmediate`, and each caller's promise settles only after that COMMIT. Concurrent requests
 * then share the WAL frames of the pages they all touch (table tail, index tails) instead of writing
 * them once each, which is what made checkpoints, and so tail latency, expensive under load.
 *
 * Durability is unchanged for callers: nothing is acknowledged before it is committed. Statements keep
 * their own atomicity (a failing statement throws to its caller and leaves the batch intact), and
 * `db.transaction(...)` inside a batch runs as a savepoint.
 */
export interface GroupCommit {
  /** Runs `fn` inside the current batch and resolves with its result once the batch is committed. */
  write<T>(fn: () => T): Promise<T>;
  /** Commits the open batch now (before closing the database). */
  flush(): void;
}

export function createGroupCommit(db: SqliteDatabase): GroupCommit {
  let open = false;
  let waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];

  const flush = (): void => {
    if (!open) return;
    open = false;
    const batch = waiters;
    waiters = [];
    try {
      db.exec('COMMIT');
      for (const w of batch) w.resolve();
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const w of batch) w.reject(err);
    }
  };

  return {
    write<T>(fn: () => T): Promise<T> {
      if (!open && db.inTransaction) {
        // Called from inside an explicit transaction: that transaction's commit is the one that counts.
        try {
          return Promise.resolve(fn());
        } catch (err) {
          return Promise.reject(err);
        }
      }
      if (!open) {
        db.exec('BEGIN IMMEDIATE');
        open = true;
        setImmediate(flush);
      }
      let result: T;
      try {
        result = fn();
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<T>((resolve, reject) => waiters.push({ resolve: () => resolve(result), reject }));
    },
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
