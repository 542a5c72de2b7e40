import type { Clock } from '../../ports/clock';
import { type EnqueueOptions, JOB_TYPES, type Job, type JobType, type Queue } from '../../ports/queue';
import type { SqliteDatabase } from './database';
import { groupCommitFor } from './group-commit';

/**
 * Durable job queue in the same SQLite file as the data. A job stays in the table until it is acked, so
 * work survives a crash or restart; a claimed job carries a lease (`locked_until`) and becomes due again
 * when the lease runs out, which gives at-least-once delivery.
 */
export interface SqliteJobQueue extends Queue {
  /** Claims up to `limit` due jobs and leases them for `leaseMs`. */
  claimDue(limit: number, leaseMs: number): Job[];
  /**
   * Claims due jobs of each type up to that type's limit (the worker's free slots), atomically: no job is
   * claimed that the worker would have to hand back.
   */
  claimDueByType(limits: Partial<Record<JobType, number>>, leaseMs: number): Job[];
  /** Done: removes the job (and frees its dedupe key). */
  ack(jobId: string): void;
  /** Not done: runs it again after `delayMs`. */
  retryLater(jobId: string, delayMs: number): void;
  /**
   * Milliseconds until the next job (of one of `types`, default all) is due, null if there is none: the
   * worker's sleep.
   */
  msUntilNextDue(types?: readonly JobType[]): number | null;
  /** Releases every lease: called at start-up, when no other worker can hold one (single worker per data dir). */
  releaseAllLeases(): number;
  depth(): number;
}

export function createSqliteJobQueue(db: SqliteDatabase, clock: Clock): SqliteJobQueue {
  const batch = groupCommitFor(db);
  const insert = db.prepare(
    'INSERT OR IGNORE INTO jobs (type, payload, dedupe_key, run_at, attempt, locked_until, created_at) VALUES (?, ?, ?, ?, 0, NULL, ?)',
  );
  // Due time = lease end while claimed, run_at otherwise; the expression matches the jobs_type_due_at index
  // exactly (SQLite uses an expression index only for the same expression), so a claim is O(log n + limit).
  const dueOfType = db.prepare(
    'SELECT id, type, payload, attempt, COALESCE(locked_until, run_at) AS due_at, created_at FROM jobs WHERE type = ? AND COALESCE(locked_until, run_at) <= ? ORDER BY COALESCE(locked_until, run_at), created_at LIMIT ?',
  );
  const lease = db.prepare('UPDATE jobs SET locked_until = ?, attempt = attempt + 1 WHERE id = ?');
  const remove = db.prepare('DELETE FROM jobs WHERE id = ?');
  const reschedule = db.prepare('UPDATE jobs SET run_at = ?, locked_until = NULL WHERE id = ?');
  const nextOfType = db.prepare('SELECT MIN(COALESCE(locked_until, run_at)) AS t FROM jobs WHERE type = ?');
  const release = db.prepare('UPDATE jobs SET locked_until = NULL WHERE locked_until IS NOT NULL');
  const count = db.prepare('SELECT COUNT(*) AS n FROM jobs');

  type Row = { id: number; type: JobType; payload: string; attempt: number; due_at: number; created_at: number };
  const leaseRows = db.transaction((rows: Row[], until: number): Job[] =>
    // A row another process removed since it was read is not leased, and not returned.
    rows
      .filter((r) => lease.run(until, r.id).changes === 1)
      .map((r) => ({
        id: String(r.id),
        type: r.type,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        attempt: r.attempt + 1,
      })),
  );

  /** Leases the due rows a claim read; nothing due: no write at all, so an idle worker's polls take no write lock. */
  const leaseDue = (rows: Row[], leaseMs: number): Job[] =>
    rows.length === 0 ? [] : leaseRows.immediate(rows, clock.now().getTime() + leaseMs);

  /** The first `limit` due jobs of all types, in due order: each type's first `limit`, merged. */
  const dueRows = (limit: number): Row[] => {
    const now = clock.now().getTime();
    return JOB_TYPES.flatMap((type) => dueOfType.all(type, now, limit) as Row[])
      .sort((a, b) => a.due_at - b.due_at || a.created_at - b.created_at)
      .slice(0, limit);
  };
  const dueRowsByType = (limits: Partial<Record<JobType, number>>): Row[] => {
    const now = clock.now().getTime();
    return (Object.entries(limits) as Array<[JobType, number]>).flatMap(([type, limit]) =>
      limit > 0 ? (dueOfType.all(type, now, limit) as Row[]) : [],
    );
  };

  return {
    async enqueue(type: JobType, payload: Record<string, unknown>, opts: EnqueueOptions = {}) {
      const now = clock.now().getTime();
      await batch.write(() =>
        insert.run(type, JSON.stringify(payload), opts.dedupeKey ?? null, now + (opts.delayMs ?? 0), now),
      );
    },
    claimDue: (limit, leaseMs) => leaseDue(dueRows(limit), leaseMs),
    claimDueByType: (limits, leaseMs) => leaseDue(dueRowsByType(limits), leaseMs),
    ack: (id) => void remove.run(Number(id)),
    retryLater: (id, delayMs) => void reschedule.run(clock.now().getTime() + delayMs, Number(id)),
    msUntilNextDue(types = JOB_TYPES) {
      let t: number | null = null;
      for (const type of types) {
        const due = (nextOfType.get(type) as { t: number | null }).t;
        if (due !== null && (t === null || due < t)) t = due;
      }
      return t === null ? null : Math.max(0, t - clock.now().getTime());
    },
    releaseAllLeases: () => release.run().changes,
    depth: () => (count.get() as { n: number }).n,
  };
}
