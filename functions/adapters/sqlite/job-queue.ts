import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import type { EnqueueOptions, Job, JobType, Queue } from '../../ports/queue';
import type { SqliteDatabase } from './database';
import { groupCommitFor } from './group-commit';

/** How a job the worker ran ended: done (removed), or to run again `retryInMs` from now. */
export type Settlement = { jobId: string; retryInMs: number | null };

/** What the worker settles and claims in one batch, read when the batch runs. */
export interface SettleAndClaim {
  settled: Settlement[];
  /** Free slots per job type: no job is claimed that the worker would have to hand back. */
  limits: Partial<Record<JobType, number>>;
}

/**
 * Durable job queue in the same SQLite file as the data. A job stays in the table until it is acked, so
 * work survives a crash or restart; a claimed job carries a lease (`locked_until`) and becomes due again
 * when the lease runs out, which gives at-least-once delivery.
 */
export interface SqliteJobQueue extends Queue {
  /**
   * Claims up to `limit` due jobs of any type and leases them for `leaseMs`. For tests and tools: it reads the
   * whole table (the worker claims per type, through the type's index).
   */
  claimDue(limit: number, leaseMs: number): Job[];
  /**
   * Claims due jobs of each type up to that type's limit (the worker's free slots), in one transaction: no job is
   * claimed that the worker would have to hand back.
   */
  claimDueByType(limits: Partial<Record<JobType, number>>, leaseMs: number): Job[];
  /** Done: removes the job (and frees its dedupe key). */
  ack(jobId: string): void;
  /** Not done: runs it again after `delayMs`. */
  retryLater(jobId: string, delayMs: number): void;
  /**
   * The worker's one write per turn: applies the outcomes of the jobs that finished (acks, retries), then claims
   * due jobs of each type up to its free slots. It joins the connection's group commit, so it shares one
   * transaction (and its WAL pages) with the delivery records written in the same turn; `take` is called when
   * the batch runs, so everything settled until then is part of it. Resolves with the claimed jobs once their
   * leases and the settlements are committed.
   */
  settleAndClaim(take: () => SettleAndClaim, leaseMs: number): Promise<Job[]>;
  /**
   * Milliseconds until the next job of one of `types` is due (null if none is queued), for the worker's sleep.
   */
  msUntilNextDue(types: readonly JobType[]): number | null;
  /** Releases every lease: called at start-up, when no other worker can hold one (single worker per data dir). */
  releaseAllLeases(): number;
  depth(): number;
}

export function createSqliteJobQueue(db: SqliteDatabase, clock: Clock): SqliteJobQueue {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO jobs (id, type, payload, dedupe_key, run_at, attempt, locked_until, created_at) VALUES (?, ?, ?, ?, ?, 0, NULL, ?)',
  );
  // Due time = lease end while claimed, run_at otherwise; with the type, the expression matches the
  // jobs_type_due_at index exactly (SQLite uses an expression index only for the same expression), so a claim
  // is O(log n + limit).
  const due = db.prepare(
    'SELECT id, type, payload, attempt FROM jobs WHERE COALESCE(locked_until, run_at) <= ? ORDER BY COALESCE(locked_until, run_at), created_at LIMIT ?',
  );
  const dueOfType = db.prepare(
    'SELECT id, type, payload, attempt FROM jobs WHERE type = ? AND COALESCE(locked_until, run_at) <= ? ORDER BY COALESCE(locked_until, run_at), created_at LIMIT ?',
  );
  const lease = db.prepare('UPDATE jobs SET locked_until = ?, attempt = attempt + 1 WHERE id = ?');
  const remove = db.prepare('DELETE FROM jobs WHERE id = ?');
  const reschedule = db.prepare('UPDATE jobs SET run_at = ?, locked_until = NULL WHERE id = ?');
  const nextOfType = db.prepare('SELECT MIN(COALESCE(locked_until, run_at)) AS t FROM jobs WHERE type = ?');
  const release = db.prepare('UPDATE jobs SET locked_until = NULL WHERE locked_until IS NOT NULL');
  const count = db.prepare('SELECT COUNT(*) AS n FROM jobs');

  type Row = { id: string; type: JobType; payload: string; attempt: number };
  const leaseRows = (rows: Row[], until: number): Job[] => {
    for (const r of rows) lease.run(until, r.id);
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      attempt: r.attempt + 1,
    }));
  };
  const claim = db.transaction((limit: number, leaseMs: number): Job[] => {
    const now = clock.now().getTime();
    return leaseRows(due.all(now, limit) as Row[], now + leaseMs);
  });
  const claimOfTypes = (limits: Partial<Record<JobType, number>>, leaseMs: number): Job[] => {
    const now = clock.now().getTime();
    const jobs: Job[] = [];
    for (const [type, limit] of Object.entries(limits) as Array<[JobType, number]>) {
      if (limit > 0) jobs.push(...leaseRows(dueOfType.all(type, now, limit) as Row[], now + leaseMs));
    }
    return jobs;
  };
  const claimByType = db.transaction(claimOfTypes);
  const dueAt = (row: unknown) => (row as { t: number | null }).t;

  return {
    async enqueue(type: JobType, payload: Record<string, unknown>, opts: EnqueueOptions = {}) {
      const now = clock.now().getTime();
      await groupCommitFor(db).write(() =>
        insert.run(randomUUID(), type, JSON.stringify(payload), opts.dedupeKey ?? null, now + (opts.delayMs ?? 0), now),
      );
    },
    claimDue: (limit, leaseMs) => claim.immediate(limit, leaseMs),
    claimDueByType: (limits, leaseMs) => claimByType.immediate(limits, leaseMs),
    ack: (id) => void remove.run(id),
    retryLater: (id, delayMs) => void reschedule.run(clock.now().getTime() + delayMs, id),
    settleAndClaim(take, leaseMs) {
      return groupCommitFor(db).write(() => {
        const { settled, limits } = take();
        const now = clock.now().getTime();
        for (const s of settled) {
          if (s.retryInMs === null) remove.run(s.jobId);
          else reschedule.run(now + s.retryInMs, s.jobId);
        }
        return claimOfTypes(limits, leaseMs);
      });
    },
    msUntilNextDue(types) {
      let t: number | null = null;
      for (const type of types) {
        const at = dueAt(nextOfType.get(type));
        if (at !== null && (t === null || at < t)) t = at;
      }
      return t === null ? null : Math.max(0, t - clock.now().getTime());
    },
    releaseAllLeases: () => release.run().changes,
    depth: () => (count.get() as { n: number }).n,
  };
}
