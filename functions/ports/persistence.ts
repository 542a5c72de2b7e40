import type {
  Capture,
  Delivery,
  EndpointDisabledReason,
  Flow,
  KycKey,
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
}

export interface ListPage<T> {
  items: T[];
  /** Opaque cursor for the next page, null at the end. */
  next: string | null;
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
  listByOrg(
    orgId: string,
    opts: { limit: number; cursor?: string | null; status?: string },
  ): Promise<ListPage<Verification>>;
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
  listActive(orgId: string, mode?: 'live' | 'test'): Promise<WebhookEndpoint[]>;
  /** Marks deleted; returns false if unknown or already deleted. */
  delete(orgId: string, id: string, at: string): Promise<boolean>;
  /**
   * Marks a not deleted endpoint disabled (it stays listed, receives nothing); returns false if unknown, deleted
   * or already disabled.
   */
  disable(orgId: string, id: string, at: string, reason: EndpointDisabledReason): Promise<boolean>;
}

export interface DeliveryRepository {
  /** Inserts all deliveries; existing ids are left unchanged (idempotent outbox write). */
  createMany(deliveries: Delivery[]): Promise<void>;
  get(id: string): Promise<Delivery | null>;
  /** Replaces the record (status, attempts, nextAttemptAt, updatedAt). */
  save(d: Delivery): Promise<void>;
  /** Most recent deliveries of an endpoint, newest first (for delivery health). */
  listByEndpoint(endpointId: string, limit: number): Promise<Delivery[]>;
  /** Deliveries still pending (outbox sweep after a crash). */
  listPending(limit: number): Promise<Delivery[]>;
  listByVerification(verificationId: string): Promise<Delivery[]>;
}

export interface IdempotencyRecord {
  /** Scope: key id + Idempotency-Key header. */
  scope: string;
  requestHash: string;
  /**
   * Null while the first request is still being processed. The body is sealed by the app (under a key
   * derived from the Idempotency-Key): a record never holds a response, and the client token in it, in clear.
   */
  response: { statusCode: number; body: string } | null;
  createdAt: string;
  expiresAt: string;
}

export interface IdempotencyRepository {
  /**
   * Claims the scope; returns the existing record instead if one is live. Expired records are deleted
   * (SQLite: by the claims themselves, at most once a minute; DynamoDB: by the table's TTL).
   */
  claim(
    rec: IdempotencyRecord,
    now: string,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
  complete(scope: string, response: { statusCode: number; body: string }): Promise<void>;
  release(scope: string): Promise<void>;
}

export interface CaptureRepository {
  create(c: Capture): Promise<void>;
  get(verificationId: string, id: string): Promise<Capture | null>;
  /** Conditional status change; returns false if the capture is not in `from`. */
  transition(verificationId: string, id: string, from: Capture['status'], patch: Partial<Capture>): Promise<boolean>;
  listByVerification(verificationId: string): Promise<Capture[]>;
}

/** Append-only audit trail: who did what to a verification, when (no PII in `data`). */
export interface AuditEvent {
  id: string;
  verificationId: string;
  orgId: string;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export interface AuditRepository {
  append(e: AuditEvent): Promise<void>;
  listByVerification(verificationId: string): Promise<AuditEvent[]>;
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
  /** SHA-256 of issuing country + document number. */
  documentKeyHash: string | null;
  /** SHA-256 of normalized surname + given names + birth date. */
  personKeyHash: string | null;
  /** Face descriptor (local engine) for duplicate-face search; null on AWS (Rekognition collection holds faces). */
  faceVector: number[] | null;
  createdAt: string;
}

export interface IdentitySignalRepository {
  put(s: IdentitySignal): Promise<void>;
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
}

/** Raised by adapters when a conditional insert finds an existing record. */
export class ConflictError extends Error {
  constructor(message = 'record already exists') {
    super(message);
    this.name = 'ConflictError';
  }
}
