import type { Capture, Delivery, Flow, KycKey, Organisation, Verification, WebhookEndpoint } from '../../domain/model';
import { upgradeStoredFlow } from '../../domain/flows';
import { isTerminal } from '../../domain/verification';
import {
  ConflictError,
  type AuditEvent,
  type IdempotencyRecord,
  isLiveIdempotencyClaim,
  type IdentitySignal,
  InvalidCursorError,
  type ListPage,
  type Operator,
  type OperatorSession,
  type OperatorStore,
  type SignInThrottle,
  type StepResultRecord,
  type Store,
} from '../../ports/persistence';
import type { SqliteDatabase } from './database';
import { groupCommitFor } from './group-commit';

type Row = { doc: string };
const parse = <T>(row: Row | undefined): T | null => (row ? (JSON.parse(row.doc) as T) : null);
const parseAll = <T>(rows: Row[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

/** Duck-typed on purpose: `instanceof` fails when the error comes from another realm (e.g. a test sandbox). */
function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    String((err as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT')
  );
}

function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}
function decodeCursor(cursor: string): string[] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/**
 * The persistence port on SQLite. Statements are prepared once; conditional writes use the
 * UNIQUE constraints and `WHERE version = ?` so races behave like DynamoDB condition expressions.
 */
export function createSqliteStore(db: SqliteDatabase): Store {
  // Writes join the connection's group commit: they resolve once their batch is committed.
  const w = groupCommitFor(db).write;
  const q = <P extends unknown[] = unknown[]>(sql: string) => {
    const stmt = db.prepare(sql);
    return {
      get: (...p: P) => stmt.get(...p) as Row | undefined,
      all: (...p: P) => stmt.all(...p) as Row[],
      run: (...p: P) => stmt.run(...p),
    };
  };

  const orgPut = q('INSERT INTO orgs (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc');
  const orgGet = q('SELECT doc FROM orgs WHERE id = ?');
  const orgList = q('SELECT doc FROM orgs ORDER BY id');

  const flowPut = q(
    'INSERT INTO flows (id, org_id, doc) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc',
  );
  const flowGet = q('SELECT doc FROM flows WHERE id = ? AND org_id = ?');
  const flowList = q('SELECT doc FROM flows WHERE org_id = ? ORDER BY id');

  const keyInsert = q('INSERT INTO keys (id, org_id, key_hash, doc) VALUES (?, ?, ?, ?)');
  const keyByHash = q('SELECT doc FROM keys WHERE key_hash = ?');
  const keyGet = q('SELECT doc FROM keys WHERE id = ? AND org_id = ?');
  const keyList = q('SELECT doc FROM keys WHERE org_id = ? ORDER BY id');
  const keySave = q('UPDATE keys SET doc = ? WHERE id = ?');
  const keyMutate = (orgId: string, id: string, change: (k: KycKey) => KycKey | null) =>
    w(() =>
      db
        .transaction(() => {
          const key = parse<KycKey>(keyGet.get(id, orgId));
          const next = key ? change(key) : null;
          if (!next) return false;
          keySave.run(JSON.stringify(next), id);
          return true;
        })
        .immediate(),
    );

  const vInsert = q(
    `INSERT INTO verifications (id, org_id, token_hash, status, terminal, expires_at, purge_after, purged, published, created_at, version, doc)
     VALUES (@id, @org_id, @token_hash, @status, @terminal, @expires_at, @purge_after, @purged, @published, @created_at, @version, @doc)`,
  );
  const vUpdate = q(
    `UPDATE verifications SET status = @status, terminal = @terminal, expires_at = @expires_at, purge_after = @purge_after,
     purged = @purged, published = @published, version = @version, doc = @doc WHERE id = @id AND version = @expected`,
  );
  const vGet = q('SELECT doc FROM verifications WHERE id = ?');
  const vByToken = q('SELECT doc FROM verifications WHERE token_hash = ?');
  const vExpired = q('SELECT doc FROM verifications WHERE terminal = 0 AND expires_at < ? ORDER BY expires_at LIMIT ?');
  const vUnpublished = q('SELECT doc FROM verifications WHERE terminal = 1 AND published = 0 LIMIT ?');
  const vPurge = q(
    'SELECT doc FROM verifications WHERE purged = 0 AND purge_after IS NOT NULL AND purge_after <= ? AND terminal = 1 ORDER BY purge_after LIMIT ?',
  );

  const vRow = (v: Verification) => ({
    id: v.id,
    org_id: v.orgId,
    token_hash: v.clientTokenHash,
    status: v.status,
    terminal: isTerminal(v.status) ? 1 : 0,
    expires_at: v.expiresAt,
    purge_after: v.purgeAfter,
    purged: v.purgedAt ? 1 : 0,
    published: v.publishedAt ? 1 : 0,
    created_at: v.createdAt,
    version: v.version,
    doc: JSON.stringify(v),
  });

  const whInsert = q('INSERT INTO webhooks (id, org_id, deleted, doc) VALUES (?, ?, 0, ?)');
  const whGet = q('SELECT doc FROM webhooks WHERE id = ? AND org_id = ?');
  const whActive = q('SELECT doc FROM webhooks WHERE org_id = ? AND deleted = 0 ORDER BY id');
  const whDelete = q('UPDATE webhooks SET deleted = 1, doc = ? WHERE id = ? AND org_id = ? AND deleted = 0');
  const whSave = q('UPDATE webhooks SET doc = ? WHERE id = ? AND org_id = ? AND deleted = 0');

  const dInsert = q(
    'INSERT OR IGNORE INTO deliveries (id, endpoint_id, verification_id, status, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const dGet = q('SELECT doc FROM deliveries WHERE id = ?');
  // Narrow writes: each sets only its own fields of the JSON doc, conditional on the state the writer read.
  const dRecordAttempt = q(
    "UPDATE deliveries SET status = @status, updated_at = @updatedAt, doc = json_set(doc, '$.status', @status, '$.attempts', json(@attempts), '$.nextAttemptAt', @nextAttemptAt, '$.updatedAt', @updatedAt) WHERE id = @id AND status = 'pending' AND json_array_length(doc, '$.attempts') = @attemptCount",
  );
  const dReopen = q(
    "UPDATE deliveries SET status = 'pending', updated_at = @updatedAt, doc = json_set(doc, '$.status', 'pending', '$.redeliveredAfterFailures', @redeliveredAfterFailures, '$.nextAttemptAt', @nextAttemptAt, '$.updatedAt', @updatedAt) WHERE id = @id AND status = @status AND json_array_length(doc, '$.attempts') = @attemptCount",
  );
  const dScrubBody = q("UPDATE deliveries SET doc = json_set(doc, '$.body', ?) WHERE id = ?");
  const dByEndpoint = q('SELECT doc FROM deliveries WHERE endpoint_id = ? ORDER BY created_at DESC, id DESC LIMIT ?');
  const dByEndpointAfter = q(
    'SELECT doc FROM deliveries WHERE endpoint_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?',
  );
  const dPending = q("SELECT doc FROM deliveries WHERE status = 'pending' ORDER BY created_at LIMIT ?");
  const dByVerification = q('SELECT doc FROM deliveries WHERE verification_id = ? ORDER BY created_at, id');

  const idemGet = q('SELECT doc FROM idempotency WHERE scope = ?');
  const idemUpsert = q(
    'INSERT INTO idempotency (scope, expires_at, doc) VALUES (?, ?, ?) ON CONFLICT(scope) DO UPDATE SET expires_at = excluded.expires_at, doc = excluded.doc',
  );
  const idemRelease = q("DELETE FROM idempotency WHERE scope = ? AND json_extract(doc, '$.claimId') = ?");
  const idemDeleteExpired = q('DELETE FROM idempotency WHERE expires_at <= ?');
  /** Claim time of the last expired-record deletion (ISO): deletion runs at most once a minute. */
  let idemPrunedAt = '';

  const capInsert = q('INSERT INTO captures (id, verification_id, status, doc) VALUES (?, ?, ?, ?)');
  const capGet = q('SELECT doc FROM captures WHERE id = ? AND verification_id = ?');
  const capTransition = q(
    'UPDATE captures SET status = ?, doc = ? WHERE id = ? AND verification_id = ? AND status = ?',
  );
  const capList = q('SELECT doc FROM captures WHERE verification_id = ? ORDER BY rowid');

  const auditInsert = q(
    'INSERT INTO audit (id, verification_id, org_id, at, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
  );
  const auditList = q('SELECT doc FROM audit WHERE verification_id = ? ORDER BY at, id');
  const auditByOrg = q('SELECT doc FROM audit WHERE org_id = ? ORDER BY at DESC, id DESC LIMIT ?');
  const auditByOrgAfter = q(
    'SELECT doc FROM audit WHERE org_id = ? AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?',
  );

  const stepInsert = q('INSERT OR IGNORE INTO step_results (verification_id, attempt, step, doc) VALUES (?, ?, ?, ?)');
  const stepGet = q('SELECT doc FROM step_results WHERE verification_id = ? AND attempt = ? AND step = ?');
  const stepList = q('SELECT doc FROM step_results WHERE verification_id = ? AND attempt = ? ORDER BY rowid');

  const sigPut = q(
    `INSERT INTO signals (verification_id, org_id, document_key, person_key, has_face, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(verification_id) DO UPDATE SET document_key = excluded.document_key, person_key = excluded.person_key,
     has_face = excluded.has_face, doc = excluded.doc`,
  );
  const sigByDoc = q('SELECT doc FROM signals WHERE org_id = ? AND document_key = ? ORDER BY created_at');
  const sigFaces = q('SELECT doc FROM signals WHERE org_id = ? AND has_face = 1 ORDER BY created_at DESC LIMIT ?');
  const sigCount = q(
    'SELECT COUNT(*) AS n FROM signals WHERE org_id = ? AND (document_key = ? OR person_key = ?) AND created_at >= ?',
  );
  const sigGet = q('SELECT doc FROM signals WHERE verification_id = ?');
  const sigDelete = q('DELETE FROM signals WHERE verification_id = ?');

  return {
    orgs: {
      async put(org: Organisation) {
        await w(() => orgPut.run(org.id, JSON.stringify(org)));
      },
      async get(id) {
        return parse<Organisation>(orgGet.get(id));
      },
      async list() {
        return parseAll<Organisation>(orgList.all());
      },
    },
    flows: {
      async put(flow: Flow) {
        await w(() => flowPut.run(flow.id, flow.orgId, JSON.stringify(flow)));
      },
      async get(orgId, id) {
        const flow = parse<Flow>(flowGet.get(id, orgId));
        return flow && upgradeStoredFlow(flow);
      },
      async listByOrg(orgId) {
        return parseAll<Flow>(flowList.all(orgId)).map(upgradeStoredFlow);
      },
    },
    keys: {
      async create(key: KycKey) {
        try {
          await w(() => keyInsert.run(key.id, key.orgId, key.keyHash, JSON.stringify(key)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new ConflictError('key exists');
          throw err;
        }
      },
      async getByHash(hash) {
        return parse<KycKey>(keyByHash.get(hash));
      },
      async get(orgId, id) {
        return parse<KycKey>(keyGet.get(id, orgId));
      },
      async listByOrg(orgId) {
        return parseAll<KycKey>(keyList.all(orgId));
      },
      async revoke(orgId, id, at) {
        return keyMutate(orgId, id, (key) => (key.revokedAt ? null : { ...key, revokedAt: at }));
      },
      async rotateSecret(orgId, id, rotation) {
        return keyMutate(orgId, id, (key) => (key.revokedAt ? null : { ...key, ...rotation }));
      },
      async touch(orgId, id, at) {
        await w(() =>
          db
            .transaction(() => {
              const key = parse<KycKey>(keyGet.get(id, orgId));
              if (key) keySave.run(JSON.stringify({ ...key, lastUsedAt: at }), id);
            })
            .immediate(),
        );
      },
    },
    verifications: {
      async create(v) {
        try {
          await w(() => vInsert.run(vRow(v)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new ConflictError('verification exists');
          throw err;
        }
      },
      async get(id) {
        return parse<Verification>(vGet.get(id));
      },
      async getByTokenHash(hash) {
        return parse<Verification>(vByToken.get(hash));
      },
      async update(v, expectedVersion) {
        return (await w(() => vUpdate.run({ ...vRow(v), expected: expectedVersion }))).changes === 1;
      },
      async listByOrg(orgId, opts): Promise<ListPage<Verification>> {
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        const asc = opts.order === 'asc';
        const where = ['org_id = ?'];
        const params: unknown[] = [orgId];
        const filter = (sql: string, value: unknown) => {
          where.push(sql);
          params.push(value);
        };
        if (opts.status) filter('status = ?', opts.status);
        if (opts.decision) filter("json_extract(doc, '$.decision') = ?", opts.decision);
        if (opts.mode) filter("json_extract(doc, '$.mode') = ?", opts.mode);
        if (opts.flowId) filter("json_extract(doc, '$.flowId') = ?", opts.flowId);
        if (opts.applicantEmail)
          filter("lower(json_extract(doc, '$.applicantEmail')) = ?", opts.applicantEmail.toLowerCase());
        if (opts.createdFrom) filter('created_at >= ?', opts.createdFrom);
        if (opts.createdTo) filter('created_at < ?', opts.createdTo);
        if (after && after.length === 2) {
          where.push(
            asc ? '(created_at > ? OR (created_at = ? AND id > ?))' : '(created_at < ? OR (created_at = ? AND id < ?))',
          );
          params.push(after[0], after[0], after[1]);
        }
        params.push(opts.limit + 1);
        const dir = asc ? 'ASC' : 'DESC';
        const rows = db
          .prepare(
            `SELECT doc FROM verifications WHERE ${where.join(' AND ')} ORDER BY created_at ${dir}, id ${dir} LIMIT ?`,
          )
          .all(...params) as Row[];
        const items = parseAll<Verification>(rows.slice(0, opts.limit));
        const last = items[items.length - 1];
        return { items, next: rows.length > opts.limit && last ? encodeCursor([last.createdAt, last.id]) : null };
      },
      async listExpired(now, limit) {
        return parseAll<Verification>(vExpired.all(now, limit));
      },
      async listUnpublished(limit) {
        return parseAll<Verification>(vUnpublished.all(limit));
      },
      async listPurgeDue(now, limit) {
        return parseAll<Verification>(vPurge.all(now, limit));
      },
    },
    webhooks: {
      async create(e: WebhookEndpoint) {
        try {
          await w(() => whInsert.run(e.id, e.orgId, JSON.stringify(e)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new ConflictError('endpoint exists');
          throw err;
        }
      },
      async get(orgId, id) {
        return parse<WebhookEndpoint>(whGet.get(id, orgId));
      },
      async listActive(orgId, mode) {
        const all = parseAll<WebhookEndpoint>(whActive.all(orgId));
        return mode ? all.filter((e) => e.mode === mode) : all;
      },
      async delete(orgId, id, at) {
        return w(() =>
          db
            .transaction(() => {
              const e = parse<WebhookEndpoint>(whGet.get(id, orgId));
              if (!e || e.deletedAt) return false;
              return whDelete.run(JSON.stringify({ ...e, deletedAt: at }), id, orgId).changes === 1;
            })
            .immediate(),
        );
      },
      async disable(orgId, id, at, reason) {
        return w(() =>
          db
            .transaction(() => {
              const e = parse<WebhookEndpoint>(whGet.get(id, orgId));
              if (!e || e.deletedAt || e.disabledAt) return false;
              return (
                whSave.run(JSON.stringify({ ...e, disabledAt: at, disabledReason: reason }), id, orgId).changes === 1
              );
            })
            .immediate(),
        );
      },
    },
    deliveries: {
      async createMany(ds: Delivery[]) {
        await w(() =>
          db
            .transaction(() => {
              for (const d of ds)
                dInsert.run(
                  d.id,
                  d.endpointId,
                  d.verificationId,
                  d.status,
                  d.createdAt,
                  d.updatedAt,
                  JSON.stringify(d),
                );
            })
            .immediate(),
        );
      },
      async get(id) {
        return parse<Delivery>(dGet.get(id));
      },
      async recordAttempt(id, expected, change) {
        const params = {
          id,
          attemptCount: expected.attemptCount,
          status: change.status,
          attempts: JSON.stringify(change.attempts),
          nextAttemptAt: change.nextAttemptAt,
          updatedAt: change.updatedAt,
        };
        return (await w(() => dRecordAttempt.run(params))).changes === 1;
      },
      async reopen(id, expected, change) {
        const params = {
          id,
          status: expected.status,
          attemptCount: expected.attemptCount,
          redeliveredAfterFailures: change.redeliveredAfterFailures,
          nextAttemptAt: change.nextAttemptAt,
          updatedAt: change.updatedAt,
        };
        return (await w(() => dReopen.run(params))).changes === 1;
      },
      async scrubBody(id, body) {
        return (await w(() => dScrubBody.run(body, id))).changes === 1;
      },
      async listByEndpoint(endpointId, opts): Promise<ListPage<Delivery>> {
        if (opts.limit <= 0) return { items: [], next: null };
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        if (opts.cursor && after?.length !== 2) throw new InvalidCursorError();
        const rows = (
          after
            ? dByEndpointAfter.all(endpointId, after[0], after[0], after[1], opts.limit + 1)
            : dByEndpoint.all(endpointId, opts.limit + 1)
        ) as Row[];
        const items = parseAll<Delivery>(rows.slice(0, opts.limit));
        const last = items[items.length - 1];
        return { items, next: rows.length > opts.limit && last ? encodeCursor([last.createdAt, last.id]) : null };
      },
      async listPending(limit) {
        return parseAll<Delivery>(dPending.all(limit));
      },
      async listByVerification(vid) {
        return parseAll<Delivery>(dByVerification.all(vid));
      },
    },
    idempotency: {
      async claim(rec: IdempotencyRecord, now: string) {
        return w(() =>
          db
            .transaction(() => {
              if (idemPrunedAt === '' || Date.parse(now) - Date.parse(idemPrunedAt) >= 60_000) {
                // Expired records (their responses included) leave the file instead of waiting for a reclaim.
                idemDeleteExpired.run(now);
                idemPrunedAt = now;
              }
              const existing = parse<IdempotencyRecord>(idemGet.get(rec.scope));
              if (existing && isLiveIdempotencyClaim(existing, now)) return { claimed: false as const, existing };
              idemUpsert.run(rec.scope, rec.expiresAt, JSON.stringify(rec));
              return { claimed: true as const };
            })
            .immediate(),
        );
      },
      async complete(scope, claimId, response) {
        await w(() =>
          db
            .transaction(() => {
              const existing = parse<IdempotencyRecord>(idemGet.get(scope));
              if (existing?.claimId === claimId)
                idemUpsert.run(scope, existing.expiresAt, JSON.stringify({ ...existing, response }));
            })
            .immediate(),
        );
      },
      async release(scope, claimId) {
        await w(() => idemRelease.run(scope, claimId));
      },
    },
    captures: {
      async create(c: Capture) {
        try {
          await w(() => capInsert.run(c.id, c.verificationId, c.status, JSON.stringify(c)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new ConflictError('capture exists');
          throw err;
        }
      },
      async get(vid, id) {
        return parse<Capture>(capGet.get(id, vid));
      },
      async transition(vid, id, from, patch) {
        return w(() =>
          db
            .transaction(() => {
              const c = parse<Capture>(capGet.get(id, vid));
              if (!c || c.status !== from) return false;
              const next: Capture = { ...c, ...patch, id: c.id, verificationId: c.verificationId };
              return capTransition.run(next.status, JSON.stringify(next), id, vid, from).changes === 1;
            })
            .immediate(),
        );
      },
      async listByVerification(vid) {
        return parseAll<Capture>(capList.all(vid));
      },
    },
    audit: {
      async append(e: AuditEvent) {
        // Org-level events have no verification: '' keeps the NOT NULL column out of every verification's trail.
        await w(() => auditInsert.run(e.id, e.verificationId ?? '', e.orgId, e.at, JSON.stringify(e)));
      },
      async listByVerification(vid) {
        return parseAll<AuditEvent>(auditList.all(vid));
      },
      async listByOrg(orgId, opts): Promise<ListPage<AuditEvent>> {
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        const rows = (
          after && after.length === 2
            ? auditByOrgAfter.all(orgId, after[0], after[0], after[1], opts.limit + 1)
            : auditByOrg.all(orgId, opts.limit + 1)
        ) as Row[];
        const items = parseAll<AuditEvent>(rows.slice(0, opts.limit));
        const last = items[items.length - 1];
        return { items, next: rows.length > opts.limit && last ? encodeCursor([last.at, last.id]) : null };
      },
    },
    steps: {
      async putIfAbsent(rec: StepResultRecord) {
        return (
          (await w(() => stepInsert.run(rec.verificationId, rec.attempt, rec.step, JSON.stringify(rec)))).changes === 1
        );
      },
      async get(vid, attempt, step) {
        return parse<StepResultRecord>(stepGet.get(vid, attempt, step));
      },
      async listByAttempt(vid, attempt) {
        return parseAll<StepResultRecord>(stepList.all(vid, attempt));
      },
    },
    signals: {
      async put(s: IdentitySignal) {
        await w(() =>
          sigPut.run(
            s.verificationId,
            s.orgId,
            s.documentKeyHash,
            s.personKeyHash,
            s.faceVector ? 1 : 0,
            s.createdAt,
            JSON.stringify(s),
          ),
        );
      },
      async get(verificationId) {
        return parse<IdentitySignal>(sigGet.get(verificationId));
      },
      async listByDocumentKey(orgId, hash) {
        return parseAll<IdentitySignal>(sigByDoc.all(orgId, hash));
      },
      async listFaceVectors(orgId, limit) {
        return parseAll<IdentitySignal>(sigFaces.all(orgId, limit));
      },
      async countSince(orgId, key, since) {
        if (!key.documentKeyHash && !key.personKeyHash) return 0;
        // NULL never equals anything, so a missing key simply matches nothing.
        const row = sigCount.get(orgId, key.documentKeyHash ?? null, key.personKeyHash ?? null, since) as unknown as {
          n: number;
        };
        return row.n;
      },
      async deleteByVerification(vid) {
        await w(() => sigDelete.run(vid));
      },
    },
    async flushErasures() {
      // Pending writes first (group commit), then copy the WAL into the database and truncate it: with
      // secure_delete on, erased rows then exist in neither file. A reader holding an old snapshot (the CLI)
      // can keep frames alive; the next flush or the checkpointer's close gets them.
      await w(() => undefined);
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
  };
}

/**
 * The local operator store (dashboard accounts, sessions, sign-in backoff) on the same SQLite database.
 * Only the local runtime has it: on AWS, Cognito holds the operators.
 */
export function createSqliteOperatorStore(db: SqliteDatabase): OperatorStore {
  const w = groupCommitFor(db).write;
  const q = (sql: string) => db.prepare(sql);
  const opInsert = q('INSERT INTO operators (id, org_id, email, doc) VALUES (?, ?, ?, ?)');
  const opGet = q('SELECT doc FROM operators WHERE id = ?');
  const opByEmail = q('SELECT doc FROM operators WHERE email = ?');
  const opAll = q('SELECT doc FROM operators ORDER BY email');
  const opByOrg = q('SELECT doc FROM operators WHERE org_id = ? ORDER BY email');
  const opSave = q('UPDATE operators SET org_id = ?, email = ?, doc = ? WHERE id = ?');
  const sesInsert = q('INSERT INTO operator_sessions (token_hash, operator_id, doc) VALUES (?, ?, ?)');
  const sesGet = q('SELECT doc FROM operator_sessions WHERE token_hash = ?');
  const sesSave = q('UPDATE operator_sessions SET doc = ? WHERE token_hash = ?');
  const sesDelete = q('DELETE FROM operator_sessions WHERE token_hash = ?');
  const sesDeleteByOp = q('DELETE FROM operator_sessions WHERE operator_id = ?');
  const thrGet = q('SELECT doc FROM signin_throttle WHERE key = ?');
  const thrPut = q(
    'INSERT INTO signin_throttle (key, doc) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET doc = excluded.doc',
  );
  const thrDelete = q('DELETE FROM signin_throttle WHERE key = ?');
  return {
    operators: {
      async create(op: Operator) {
        try {
          await w(() => opInsert.run(op.id, op.orgId, op.email, JSON.stringify(op)));
        } catch (err) {
          if (isUniqueViolation(err)) throw new ConflictError('operator exists');
          throw err;
        }
      },
      async getByEmail(email) {
        return parse<Operator>(opByEmail.get(email) as Row | undefined);
      },
      async get(id) {
        return parse<Operator>(opGet.get(id) as Row | undefined);
      },
      async list(orgId) {
        return parseAll<Operator>((orgId ? opByOrg.all(orgId) : opAll.all()) as Row[]);
      },
      async save(op) {
        return (await w(() => opSave.run(op.orgId, op.email, JSON.stringify(op), op.id))).changes === 1;
      },
    },
    sessions: {
      async create(s: OperatorSession) {
        await w(() => sesInsert.run(s.tokenHash, s.operatorId, JSON.stringify(s)));
      },
      async get(tokenHash) {
        return parse<OperatorSession>(sesGet.get(tokenHash) as Row | undefined);
      },
      async touch(tokenHash, lastSeenAt) {
        await w(() =>
          db
            .transaction(() => {
              const s = parse<OperatorSession>(sesGet.get(tokenHash) as Row | undefined);
              if (s) sesSave.run(JSON.stringify({ ...s, lastSeenAt }), tokenHash);
            })
            .immediate(),
        );
      },
      async delete(tokenHash) {
        await w(() => sesDelete.run(tokenHash));
      },
      async deleteByOperator(operatorId) {
        return (await w(() => sesDeleteByOp.run(operatorId))).changes;
      },
    },
    throttles: {
      async get(key) {
        return parse<SignInThrottle>(thrGet.get(key) as Row | undefined);
      },
      async put(t) {
        await w(() => thrPut.run(t.key, JSON.stringify(t)));
      },
      async delete(key) {
        await w(() => thrDelete.run(key));
      },
    },
  };
}
