import type { OperatorRole } from '../domain/operators';
import type {
  Capture,
  Delivery,
  DeliveryStatus,
  EndpointDisabledReason,
  Flow,
  KycKey,
  Mode,
  Organisation,
  Verification,
  WebhookEndpoint,
} from '../domain/model';

/**
 * Persistence port. One interface per aggregate so each adapter (SQLite locally, DynamoDB on AWS)
 * implements exactly the access patterns the use cases need, and one contract suite
 * (test/contract/persistence.contract.ts) proves every adapter behaves the same.
 *
 * Writes that must not lose a race are conditional: they return `false` (or throw
 * {@link ConflictError}) instead of overwriting a newer record.
 */

export interface OrganisationRepository {
  put(org: Organisation): Promise<void>;
  get(id: string): Promise<Organisation | null>;
  list(): Promise<Organisation[]>;
}

export interface FlowRepository {
  put(flow: Flow): Promise<void>;
  get(orgId: string, id: string): Promise<Flow | null>;
  listByOrg(orgId: string): Promise<Flow[]>;
}

export interface KeyRepository {
  /** Inserts a new key; fails with ConflictError if the hash already exists. */
  create(key: KycKey): Promise<void>;
  getByHash(keyHash: string): Promise<KycKey | null>;
  get(orgId: string, id: string): Promise<KycKey | null>;
  listByOrg(orgId: string): Promise<KycKey[]>;
  /** Sets revokedAt once; returns false if the key is unknown or already revoked. */
  revoke(orgId: string, id: string, at: string): Promise<boolean>;
  touch(orgId: string, id: string, at: string): Promise<void>;
  /**
   * Replaces the signing secret of an active key (rotation): `previousEncryptedSecret` keeps signing
   * until `previousSecretExpiresAt`. Returns false if the key is unknown or revoked.
   */
  rotateSecret(orgId: string, id: string, rotation: SecretRotation): Promise<boolean>;
}

export interface SecretRotation {
  encryptedSecret: string;
  previousEncryptedSecret: string | null;
  previousSecretExpiresAt: string | null;
}

export interface ListPage<T> {
  items: T[];
  /** Opaque cursor for the next page, null at the end. */
  next: string | null;
}

export interface VerificationListOptions {
  limit: number;
  cursor?: string | null;
  status?: string;
  decision?: string;
  mode?: Mode;
  flowId?: string;
  applicantEmail?: string;
  createdFrom?: string;
  createdTo?: string;
  order?: 'asc' | 'desc';
}

export interface VerificationRepository {
  /** Inserts; fails with ConflictError if the id exists. */
  create(v: Verification): Promise<void>;
  get(id: string): Promise<Verification | null>;
  getByTokenHash(clientTokenHash: string): Promise<Verification | null>;
  /**
   * Replaces the record only if the stored version equals `expectedVersion`.
   * The caller increments `version` itself. Returns false on a lost race.
   */
  update(v: Verification, expectedVersion: number): Promise<boolean>;
  /**
   * Verifications of an org, newest first (`order: 'asc'`: oldest first), filtered. Filters combine with
   * AND; `createdFrom` is inclusive, `createdTo` exclusive; `applicantEmail` matches case-insensitively.
   * A page never holds more than `limit` items; `next` is null exactly when nothing follows.
   */
  listByOrg(orgId: string, opts: VerificationListOptions): Promise<ListPage<Verification>>;
  /** Non-terminal verifications whose expiresAt is before `now` (for the expiry sweep). */
  listExpired(now: string, limit: number): Promise<Verification[]>;
  /** Terminal verifications whose outcome was not yet published (publishedAt null): outbox recovery after a crash. */
  listUnpublished(limit: number): Promise<Verification[]>;
  /** Terminal, not yet purged verifications whose `purgeAfter` is at or before `now` (retention sweep). */
  listPurgeDue(now: string, limit: number): Promise<Verification[]>;
}

export interface WebhookEndpointRepository {
  create(e: WebhookEndpoint): Promise<void>;
  get(orgId: string, id: string): Promise<WebhookEndpoint | null>;
  /** Active (not deleted) endpoints of the org for the given mode. */
  listActive(orgId: string, mode?: Mode): Promise<WebhookEndpoint[]>;
  /** Marks deleted; returns false if unknown or already deleted. */
  delete(orgId: string, id: string, at: string): Promise<boolean>;
  /**
   * Marks a not deleted endpoint disabled (it stays listed, receives nothing); returns false if unknown, deleted
   * or already disabled.
   */
  disable(orgId: string, id: string, at: string, reason: EndpointDisabledReason): Promise<boolean>;
}

export interface DeliveryRepository {
  /**
   * Inserts all deliveries; existing ids are left unchanged (idempotent outbox write), also when two calls race
   * with the same ids: each id is stored once, as one of the writers wrote it (put-if-absent per row).
   */
  createMany(deliveries: Delivery[]): Promise<void>;
  get(id: string): Promise<Delivery | null>;
  /**
   * Records a send's outcome: writes only status, attempts (the full new list), nextAttemptAt and updatedAt, and
   * only if the stored delivery is still pending with `expected.attemptCount` attempts. Returns false (nothing
   * written) when another writer got there first or the id is unknown. Never writes the body, so a concurrent
   * erasure's scrub stays scrubbed.
   */
  recordAttempt(
    id: string,
    expected: { status: 'pending'; attemptCount: number },
    change: Pick<Delivery, 'status' | 'attempts' | 'nextAttemptAt' | 'updatedAt'>,
  ): Promise<boolean>;
  /**
   * Operator redelivery: sets the delivery pending again with `change`, only if it is still in `expected` (status
   * and attempt count as read). Returns false (nothing written) otherwise. Never writes the body or attempts.
   */
  reopen(
    id: string,
    expected: { status: DeliveryStatus; attemptCount: number },
    change: { redeliveredAfterFailures: number; nextAttemptAt: string; updatedAt: string },
  ): Promise<boolean>;
  /**
   * Erasure: replaces only the body, whatever the status (a concurrent send's outcome is kept). Returns false if
   * the id is unknown.
   */
  scrubBody(id: string, body: string): Promise<boolean>;
  /**
   * Deliveries of an endpoint, newest first (createdAt desc, then id desc), a page at a time: pass the
   * previous page's `next` as `cursor` to continue. Throws {@link InvalidCursorError} for a cursor it did
   * not produce.
   */
  listByEndpoint(endpointId: string, opts: { limit: number; cursor?: string | null }): Promise<ListPage<Delivery>>;
  /** Deliveries still pending (outbox sweep after a crash). */
  listPending(limit: number): Promise<Delivery[]>;
  listByVerification(verificationId: string): Promise<Delivery[]>;
}

export interface IdempotencyRecord {
  /** Scope: key id + Idempotency-Key header. */
  scope: string;
  /** Random id of this claim: only its claimant may complete or release it (fencing after a takeover). */
  claimId: string;
  requestHash: string;
  /**
   * Null while the first request is still being processed. The body is sealed by the app (under a key
   * derived from the Idempotency-Key): a record never holds a response, and the client token in it, in clear.
   */
  response: { statusCode: number; body: string } | null;
  createdAt: string;
  /**
   * While `response` is null, the claim counts as in progress until this time only: past it the claimant is
   * presumed dead (a crash between claim and complete) and a new claim takes the scope over.
   */
  leaseExpiresAt: string;
  expiresAt: string;
}

/**
 * Whether a stored claim still holds its scope at `now`: a completed one until it expires, an unfinished one
 * until its lease (or its expiry, if sooner) ends. The one rule every adapter's `claim` applies.
 */
export function isLiveIdempotencyClaim(rec: IdempotencyRecord, now: string): boolean {
  if (rec.expiresAt <= now) return false;
  // A record without a lease (written before leases existed) and no response belongs to a process long gone.
  return rec.response !== null || (typeof rec.leaseExpiresAt === 'string' && rec.leaseExpiresAt > now);
}

export interface IdempotencyRepository {
  /**
   * Claims the scope; returns the existing record instead if one is live: completed and not expired, or
   * unfinished within its lease. Expired records are deleted (SQLite: by the claims themselves, at most once a
   * minute; DynamoDB: by the table's TTL).
   */
  claim(
    rec: IdempotencyRecord,
    now: string,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
  /** Stores the response, if the scope is still held by this claim (a takeover fences the old claimant out). */
  complete(scope: string, claimId: string, response: { statusCode: number; body: string }): Promise<void>;
  /** Frees the scope, if it is still held by this claim. */
  release(scope: string, claimId: string): Promise<void>;
}

export interface CaptureRepository {
  create(c: Capture): Promise<void>;
  get(verificationId: string, id: string): Promise<Capture | null>;
  /** Conditional status change; returns false if the capture is not in `from`. */
  transition(verificationId: string, id: string, from: Capture['status'], patch: Partial<Capture>): Promise<boolean>;
  listByVerification(verificationId: string): Promise<Capture[]>;
}

/**
 * Append-only audit trail: who did what, when (no applicant PII in `data`). Events about one verification
 * carry its id; organisation-level events (a key minted, a flow edited) carry `verificationId: null`.
 */
export interface AuditEvent {
  id: string;
  verificationId: string | null;
  orgId: string;
  type: string;
  at: string;
  /** Who: `operator:<email>`, `system`, `applicant`, `key:<keyId>`. Absent on events written before it existed. */
  actor?: string;
  data: Record<string, unknown>;
}

export interface AuditRepository {
  /** Appends an event; an event whose id is already stored is left as it is (recovery re-writes fixed-id entries). */
  append(e: AuditEvent): Promise<void>;
  listByVerification(verificationId: string): Promise<AuditEvent[]>;
  /** Every event of the org, newest first (at desc, id desc), paginated like verifications. */
  listByOrg(orgId: string, opts: { limit: number; cursor?: string | null }): Promise<ListPage<AuditEvent>>;
}

/** Result of one pipeline step for one attempt, stored so a resumed pipeline skips finished steps. */
export interface StepResultRecord {
  verificationId: string;
  attempt: number;
  step: string;
  /** JSON-serializable step output (normalized CheckResult, risk signals, decision...). */
  result: Record<string, unknown>;
  createdAt: string;
}

export interface StepResultRepository {
  /** First write wins: a step re-run after a crash must not replace the stored result. Returns false if one existed. */
  putIfAbsent(rec: StepResultRecord): Promise<boolean>;
  get(verificationId: string, attempt: number, step: string): Promise<StepResultRecord | null>;
  listByAttempt(verificationId: string, attempt: number): Promise<StepResultRecord[]>;
}

/**
 * Identity signals kept per verification for cross-verification risk flags (document number reuse,
 * same face under another identity). Only hashes and face vectors: no names, no images.
 */
export interface IdentitySignal {
  orgId: string;
  verificationId: string;
  /** HMAC-SHA256 (keyed by the deployment's identity hash key) of issuing country + document number. */
  documentKeyHash: string | null;
  /** HMAC-SHA256 (same key) of normalized surname + given names + birth date. */
  personKeyHash: string | null;
  /** Face descriptor (local engine) for duplicate-face search; null on AWS (Rekognition collection holds faces). */
  faceVector: number[] | null;
  /**
   * Ids the provider's face index gave this verification's selfies (AWS: Rekognition FaceIds, one per attempt), so
   * erasure deletes exactly these. Absent on records written before the field existed.
   */
  indexedFaceIds?: string[];
  createdAt: string;
}

export interface IdentitySignalRepository {
  put(s: IdentitySignal): Promise<void>;
  /** The verification's own signal (erasure reads it by id, never by scanning the org's signals). */
  get(verificationId: string): Promise<IdentitySignal | null>;
  listByDocumentKey(orgId: string, documentKeyHash: string): Promise<IdentitySignal[]>;
  /** All signals of an org that carry a face vector (local engine; small installations). */
  listFaceVectors(orgId: string, limit: number): Promise<IdentitySignal[]>;
  /** Verifications created by this org for the same person/document within a window (velocity). */
  countSince(orgId: string, key: { documentKeyHash?: string; personKeyHash?: string }, since: string): Promise<number>;
  deleteByVerification(verificationId: string): Promise<void>;
}

/** Everything the use cases persist, grouped so one object can be injected. */
export interface Store {
  orgs: OrganisationRepository;
  flows: FlowRepository;
  keys: KeyRepository;
  verifications: VerificationRepository;
  webhooks: WebhookEndpointRepository;
  deliveries: DeliveryRepository;
  idempotency: IdempotencyRepository;
  captures: CaptureRepository;
  audit: AuditRepository;
  steps: StepResultRepository;
  signals: IdentitySignalRepository;
  /**
   * Makes bytes that erasure deleted or overwrote unrecoverable from the engine's own files (SQLite: secure_delete
   * is on, and this truncates the WAL after a checkpoint so old page images go too). A no-op where the service
   * keeps no such copies (DynamoDB). Call after an erasure.
   */
  flushErasures(): Promise<void>;
}

/** Raised by adapters when a conditional insert finds an existing record. */
export class ConflictError extends Error {
  constructor(message = 'record already exists') {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A list cursor the adapter did not produce (the HTTP layer maps it to 400 naming `cursor`). */
export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

// ---- Local operator accounts (the dashboard's sign-in on the local runtime; Cognito holds them on AWS) ----

export interface Operator {
  id: string; // op_...
  orgId: string;
  /** Lower-cased; unique across the installation (sign-in is by email alone). */
  email: string;
  role: OperatorRole;
  /** scrypt hash in PHC-like form (functions/adapters/scrypt-password-hasher.ts). */
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
  lastSignInAt: string | null;
}

export interface OperatorRepository {
  /** Inserts; fails with ConflictError if the email is taken. */
  create(op: Operator): Promise<void>;
  getByEmail(email: string): Promise<Operator | null>;
  get(id: string): Promise<Operator | null>;
  /** All operators (of one org when given), by email. */
  list(orgId?: string): Promise<Operator[]>;
  /** Replaces the record (role, password, disabled, last sign-in); returns false if unknown. */
  save(op: Operator): Promise<boolean>;
}

/** A signed-in operator's session. Only the SHA-256 of the session token is stored. */
export interface OperatorSession {
  tokenHash: string;
  operatorId: string;
  orgId: string;
  createdAt: string;
  lastSeenAt: string;
  /** Absolute end (createdAt + 12 h); the idle timeout is checked against lastSeenAt. */
  expiresAt: string;
}

export interface OperatorSessionRepository {
  create(s: OperatorSession): Promise<void>;
  get(tokenHash: string): Promise<OperatorSession | null>;
  touch(tokenHash: string, lastSeenAt: string): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  /** Ends every session of an operator (disable, password reset); returns how many. */
  deleteByOperator(operatorId: string): Promise<number>;
}

/** Failed sign-ins per throttle key (`account:<hash>` or `ip:<address>`) for the backoff. */
export interface SignInThrottle {
  key: string;
  failures: number;
  lastFailureAt: string;
  /** No sign-in attempt with this key is even checked before this time. */
  blockedUntil: string | null;
}

export interface SignInThrottleRepository {
  get(key: string): Promise<SignInThrottle | null>;
  put(t: SignInThrottle): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Everything the local operator sign-in persists. */
export interface OperatorStore {
  operators: OperatorRepository;
  sessions: OperatorSessionRepository;
  throttles: SignInThrottleRepository;
}
