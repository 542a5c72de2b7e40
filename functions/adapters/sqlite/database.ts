import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Schema migrations, applied in order once each. Records are stored as JSON documents (`doc`) with the
 * columns the access patterns filter or sort on pulled out beside them, mirroring the DynamoDB design.
 * Sweep indexes are partial, so the hot path (creating a pending verification) maintains as few as possible.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE orgs (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE flows (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX flows_org ON flows(org_id);
  CREATE TABLE keys (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
  CREATE INDEX keys_org ON keys(org_id);
  CREATE TABLE verifications (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    terminal INTEGER NOT NULL, expires_at TEXT NOT NULL, purge_after TEXT, purged INTEGER NOT NULL, published INTEGER NOT NULL,
    created_at TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX verifications_org ON verifications(org_id, created_at DESC, id DESC);
  CREATE INDEX verifications_open ON verifications(expires_at) WHERE terminal = 0;
  CREATE INDEX verifications_unpublished ON verifications(id) WHERE terminal = 1 AND published = 0;
  CREATE INDEX verifications_purge ON verifications(purge_after) WHERE purged = 0 AND purge_after IS NOT NULL;
  CREATE TABLE webhooks (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, deleted INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX webhooks_org ON webhooks(org_id, deleted);
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL, verification_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX deliveries_endpoint ON deliveries(endpoint_id, created_at DESC, id DESC);
  CREATE INDEX deliveries_pending ON deliveries(created_at) WHERE status = 'pending';
  CREATE INDEX deliveries_verification ON deliveries(verification_id);
  CREATE TABLE idempotency (scope TEXT PRIMARY KEY, expires_at TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE TABLE captures (id TEXT PRIMARY KEY, verification_id TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX captures_verification ON captures(verification_id);
  CREATE TABLE audit (id TEXT PRIMARY KEY, verification_id TEXT NOT NULL, at TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX audit_verification ON audit(verification_id, at, id);
  CREATE TABLE step_results (verification_id TEXT NOT NULL, attempt INTEGER NOT NULL, step TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (verification_id, attempt, step));
  CREATE TABLE signals (verification_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, document_key TEXT, person_key TEXT,
    has_face INTEGER NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX signals_document ON signals(org_id, document_key);
  CREATE INDEX signals_person ON signals(org_id, person_key);
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, payload TEXT NOT NULL, dedupe_key TEXT UNIQUE,
    run_at INTEGER NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, locked_until INTEGER, created_at INTEGER NOT NULL);
  CREATE INDEX jobs_due ON jobs(run_at);
  `,
  // Operators (dashboard sign-in), org-wide audit log, admin filters on verifications.
  `
  CREATE TABLE operators (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, email TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
  CREATE INDEX operators_org ON operators(org_id, email);
  CREATE TABLE operator_sessions (token_hash TEXT PRIMARY KEY, operator_id TEXT NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX operator_sessions_operator ON operator_sessions(operator_id);
  CREATE TABLE signin_throttle (key TEXT PRIMARY KEY, doc TEXT NOT NULL);
  ALTER TABLE audit ADD COLUMN org_id TEXT NOT NULL DEFAULT '';
  UPDATE audit SET org_id = COALESCE(json_extract(doc, '$.orgId'), '');
  CREATE INDEX audit_org ON audit(org_id, at DESC, id DESC);
  `,
  // The queue's due-query reads one index in due order: a job is due at its lease end while claimed, at run_at
  // otherwise (a lease always ends after run_at). Indexing run_at alone made every claim step over all the
  // claimed jobs, so claiming grew with the number in flight.
  `
  DROP INDEX jobs_due;
  CREATE INDEX jobs_due_at ON jobs(COALESCE(locked_until, run_at), created_at);
  `,
  // The worker claims per job type (only as many of each as it has room for), so each type reads its own range.
  `
  CREATE INDEX jobs_type_due_at ON jobs(type, COALESCE(locked_until, run_at), created_at);
  `,
  // The worker claims and looks for the next due job per type only (jobs_type_due_at): the type-less due index
  // was one more B-tree to update on every enqueue, lease and ack.
  `
  DROP INDEX jobs_due_at;
  `,
];

/**
 * Opens (creating if needed) the SQLite database. WAL lets the CLI read and write while the server runs;
 * busy_timeout makes concurrent writers wait instead of failing.
 */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // The database holds personal data (emails, metadata, audit): owner-only. SQLite gives the -wal and
    // -shm files the database file's mode.
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Checkpoints run on a background thread (checkpointer.ts); this is only the fallback if it falls behind.
  db.pragma('wal_autocheckpoint = 20000');
  db.pragma('journal_size_limit = 67108864');
  db.pragma('foreign_keys = ON');
  // Deleted and overwritten content is zeroed in the file, so erased personal data leaves no bytes behind
  // (once the WAL is checkpointed: Store.flushErasures).
  db.pragma('secure_delete = ON');
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        i + 1,
        new Date().toISOString(),
      );
    }).immediate();
  }
}
