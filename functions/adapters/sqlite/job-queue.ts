import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import type { EnqueueOptions, Job, JobType, Queue } from '../../ports/queue';
import type { SqliteDatabase } from './database';
import { groupCommitFor } from './group-commit';

/** How a job the worker ran ended: done (removed), or to run again `retryInMs` from now. */
export type Settlement = { jobId: string; retryInMs: number | null };

/**
 * Durable job queue in the same SQLite file as the data. A job stays in the table until it is acked, so
 * work survives a crash or restart, which gives at-least-once delivery. The local worker (one per data dir) holds
 * its claimed jobs in memory (claimUnheld); tests and tools claim with a lease (`locked_until`), after which the
 * job is due again.
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
   * Claims, without writing anything, due jobs of each type up to that type's limit, skipping the jobs in `held`
   * (the ones this process is running, has waiting, or has not yet settled). For the one worker per data dir: its
   * claims are held in memory instead of leased in the table, so a claim costs a read, not a write and a commit.
   * Nothing is lost by it: a job stays in the table until it is settled, so after a crash or restart every job
   * the worker held is due again and runs again (handlers are idempotent).
   */
  claimUnheld(limits: Partial<Record<JobType, number>>, held: ReadonlyMap<string, JobType>): Job[];
  /**
   * Writes the outcomes of jobs the worker ran (acks remove them, retries reschedule them). The write joins the
   * next group-commit batch of the connection, usually the one that records the deliveries finishing next, and
   * at most `maxDelayMs` from now: an outcome written late only means a job that crashed meanwhile runs again.
   * Resolves once committed.
   */
  settle(settled: readonly Settlement[], maxDelayMs: number): Promise<void>;
  /**
   * Milliseconds until the next job of one of `types` is due (null if none is queued), for the worker's sleep;
   * the jobs in `held` (the worker's own) are not counted.
   */
  msUntilNextDue(types: readonly JobType[], held?: ReadonlyMap<string, JobType>): number | null;
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
  // A leased job's attempt was counted when it was leased; a job claimed in memory (claimUnheld) is counted here.
  const reschedule = db.prepare(
    'UPDATE jobs SET run_at = ?, attempt = attempt + (locked_until IS NULL), locked_until = NULL WHERE id = ?',
  );
  const nextOfType = db.prepare(
    'SELECT id, COALESCE(locked_until, run_at) AS t FROM jobs WHERE type = ? ORDER BY COALESCE(locked_until, run_at), created_at LIMIT ?',
  );
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
  const heldOfType = (held: ReadonlyMap<string, JobType> | undefined, type: JobType): number => {
    let n = 0;
    if (held) for (const t of held.values()) if (t === type) n++;
    return n;
  };

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
    claimUnheld(limits, held) {
      const now = clock.now().getTime();
      const jobs: Job[] = [];
      for (const [type, limit] of Object.entries(limits) as Array<[JobType, number]>) {
        if (limit <= 0) continue;
        // The held jobs of this type are due too (nothing marks them in the table): read past them.
        let taken = 0;
        for (const r of dueOfType.all(type, now, limit + heldOfType(held, type)) as Row[]) {
          if (held.has(r.id)) continue;
          jobs.push({
            id: r.id,
            type: r.type,
            payload: JSON.parse(r.payload) as Record<string, unknown>,
            attempt: r.attempt + 1,
          });
          if (++taken >= limit) break;
        }
      }
      return jobs;
    },
    settle(settled, maxDelayMs) {
      return groupCommitFor(db).writeSoon(() => {
        const now = clock.now().getTime();
        for (const s of settled) {
          if (s.retryInMs === null) remove.run(s.jobId);
          else reschedule.run(now + s.retryInMs, s.jobId);
        }
      }, maxDelayMs);
    },
    msUntilNextDue(types, held) {
      let t: number | null = null;
      for (const type of types) {
        const rows = nextOfType.all(type, heldOfType(held, type) + 1) as Array<{ id: string; t: number }>;
        const at = rows.find((r) => !held?.has(r.id))?.t ?? null;
        if (at !== null && (t === null || at < t)) t = at;
      }
      return t === null ? null : Math.max(0, t - clock.now().getTime());
    },
    releaseAllLeases: () => release.run().changes,
    depth: () => (count.get() as { n: number }).n,
  };
}
