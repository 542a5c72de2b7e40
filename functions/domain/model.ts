/**
 * Entities of the KYC domain. Plain data: no behaviour, no I/O. Behaviour lives in the
 * modules named after each concept (verification.ts, keys.ts, webhooks.ts, decision.ts).
 * Timestamps are ISO-8601 strings in UTC so records serialize the same in SQLite and DynamoDB.
 */

/*
 * Enumerations: each is defined once here as a `const` array; the types below and every zod enum
 * (`z.enum(DECISIONS)`) derive from it, on the server, in the CLIs and in the hosted page.
 */

export const MODES = ['live', 'test'] as const;
export type Mode = (typeof MODES)[number];
export const PLANS = ['free', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface Organisation {
  id: string; // org_...
  name: string;
  plan: Plan;
  defaultFlowId: string | null;
  createdAt: string;
}

export const CHECK_NAMES = ['document', 'liveness', 'faceMatch'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
/** What one check concluded. */
export const CHECK_OUTCOMES = ['pass', 'fail', 'inconclusive'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];
export const DOCUMENT_TYPES = ['passport', 'id_card', 'driving_licence', 'residence_permit'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Fields read from a document (MRZ or AnalyzeID). Dates are YYYY-MM-DD. */
export interface DocumentFields {
  documentType: DocumentType | null;
  /** ICAO format when read from an MRZ. */
  mrzFormat: 'TD1' | 'TD2' | 'TD3' | null;
  mrzLines: string[] | null;
  issuingCountry: string | null;
  documentNumber: string | null;
  surname: string | null;
  givenNames: string | null;
  nationality: string | null;
  birthDate: string | null;
  expiryDate: string | null;
  sex: 'M' | 'F' | 'X' | null;
  /** Per-field ICAO 9303 check-digit validity (documentNumber, birthDate, expiryDate, optional, composite). */
  checkDigits: Record<string, boolean>;
}

export interface FlowThresholds {
  /** Max Euclidean distance between 128-d face descriptors to call a match (local engine). */
  faceMatchMaxDistance: number;
  /** Min similarity (0-100) for Rekognition CompareFaces (aws engine). */
  faceMatchMinSimilarity: number;
  /**
   * Head turn, in degrees of yaw, a liveness prompt to turn needs (a centre prompt: less than it). Both
   * engines: the recording's head pose (domain/head-pose.ts) and the stills' (local: the same fit; aws:
   * Rekognition's Pose.Yaw).
   */
  livenessMinTurnDegrees: number;
  /** Min face-detection confidence (0-1). */
  minFaceConfidence: number;
}

export interface Flow {
  id: string; // flow_...
  orgId: string;
  name: string;
  checks: CheckName[];
  /** Accepted document types; empty = all. */
  documentTypes: DocumentType[];
  /** Accepted issuing countries as ICAO 3-letter codes; empty = all. */
  issuingCountries: string[];
  thresholds: FlowThresholds;
  minimumAge: number | null;
  maxAttempts: number;
  /** Lifetime of the verifyUrl / client token, seconds. */
  linkLifetimeSeconds: number;
  retentionDays: number;
  /** Number of head-turn prompts per liveness challenge. */
  livenessPrompts: number;
  /** aws only: use Rekognition Face Liveness sessions instead of the head-turn challenge. */
  useFaceLivenessSession: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface KycKey {
  id: string; // key_...
  orgId: string;
  /** Bound flow; null for legacy keys (they use the org's default flow and accept flowId). */
  flowId: string | null;
  mode: Mode;
  /** First characters of the key, safe to display (e.g. nextcap_kk_test_Ab12). */
  prefix: string;
  /** SHA-256 hex of the full key. The key itself is never stored. */
  keyHash: string;
  /** Signing secret, encrypted at rest by the SecretBox port. */
  encryptedSecret: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /**
   * The signing secret a rotation replaced, encrypted; it keeps signing (webhook-signature lists both)
   * until `previousSecretExpiresAt`. Absent on keys never rotated.
   */
  previousEncryptedSecret?: string | null;
  previousSecretExpiresAt?: string | null;
}

export const VERIFICATION_STATUSES = ['pending', 'in_progress', 'approved', 'declined', 'review', 'expired'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
/** Statuses after which nothing changes any more (a terminal state is never downgraded). */
export const TERMINAL_STATUSES = [
  'approved',
  'declined',
  'review',
  'expired',
] as const satisfies readonly VerificationStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export const DECISIONS = ['approved', 'declined', 'review'] as const satisfies readonly VerificationStatus[];
export type Decision = (typeof DECISIONS)[number];
/** The final decisions a reviewer (or a test-mode simulation) may give: `review` is not an end. */
export const REVIEW_DECISIONS = ['approved', 'declined'] as const satisfies readonly Decision[];
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const DECLINE_TYPES = ['retry', 'final'] as const;
export type DeclineType = (typeof DECLINE_TYPES)[number];

export type MetadataValue = string | number | boolean | null;

export interface ConsentRecord {
  accepted: boolean;
  textVersion: string;
  locale: string;
  at: string;
  ip: string | null;
  userAgent: string | null;
}

export const HEAD_PROMPTS = ['left', 'right', 'centre'] as const;
export type HeadPrompt = (typeof HEAD_PROMPTS)[number];

/** One run of the checks over one set of captures. */
export interface Attempt {
  number: number; // 1-based
  submittedAt: string;
  completedAt: string | null;
  decision: Decision | null;
  declineType: DeclineType | null;
  reasonCodes: string[];
  riskFlags: string[];
  /** Face Liveness session checked for this attempt (flows with useFaceLivenessSession on AWS); absent otherwise. */
  faceLivenessSessionId?: string | null;
  /**
   * What the submit handed to the checks, recorded with the attempt so its `attempt.submitted` audit entry can be
   * written again after a crash exactly as it was meant; absent on attempts submitted before it was recorded.
   */
  captureIds?: string[];
  /** The document type the applicant chose at submit (null: the flow has no document step or left it open). */
  documentType?: DocumentType | null;
}

export interface Verification {
  id: string; // vrf_...
  orgId: string;
  flowId: string;
  keyId: string;
  mode: Mode;
  status: VerificationStatus;
  decision: Decision | null;
  declineType: DeclineType | null;
  reasonCodes: string[];
  riskFlags: string[];
  applicantEmail: string | null;
  locale: string | null;
  returnUrl: string | null;
  metadata: Record<string, MetadataValue>;
  /** SHA-256 hex of the client token; the token itself is only returned at creation. */
  clientTokenHash: string;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  consent: ConsentRecord | null;
  /** Head-turn prompts of the current attempt's liveness challenge. */
  challenge: HeadPrompt[] | null;
  /**
   * Face Liveness session opened for the attempt being collected (POST /liveness-session); moved onto the
   * Attempt at submit. Absent on records written before the field existed.
   */
  faceLivenessSessionId?: string | null;
  /**
   * Face Liveness sessions opened for the attempt being collected (each one is billed): capped per attempt,
   * reset at submit. Absent on records written before the field existed (read as 0).
   */
  faceLivenessSessionsOpened?: number;
  attempts: Attempt[];
  /** When the terminal outcome's webhook deliveries were written to the outbox (null until then). */
  publishedAt: string | null;
  /** When captures become due for purge: set on reaching a terminal state (completion + flow.retentionDays). */
  purgeAfter: string | null;
  /**
   * When retention erased the personal data (captures, face index entries, email, metadata, consent IP and user
   * agent, webhook delivery bodies' metadata); the decision record stays.
   */
  purgedAt: string | null;
  /**
   * The human decision on a `review` case; absent/null until an operator decides. Who decided is in the
   * audit trail only.
   */
  review?: ReviewRecord | null;
  /**
   * The audit entry of a change, written in the same conditional update as the change so that a crash before
   * its append to the audit log cannot lose it: the publication appends it (fixed id, so appending it again
   * leaves one entry) and clears it when it marks the verification published. Internal: never in a view.
   */
  pendingAudit?: PendingAuditEntry | null;
  /** When the integrator erased the same personal data on request (POST .../redact); absent or null otherwise. */
  redactedAt?: string | null;
  /** Optimistic-concurrency counter, bumped on every write. */
  version: number;
}

/** An audit entry kept on the verification it concerns until it is surely in the audit log. */
export interface PendingAuditEntry {
  /** Fixed `evt_` id, derived from the change (the audit log ignores a known id). */
  id: string;
  type: string;
  at: string;
  /** Who acted (`operator:<email>`, `cli:<user>`). */
  actor?: string;
  /** Ids, counts and codes only: never personal data, tokens or secrets. */
  data: Record<string, unknown>;
}

/** A reviewer's final decision on a verification that ended in `review`. */
export interface ReviewRecord {
  decidedAt: string;
  decision: ReviewDecision;
  note: string;
}

export const WEBHOOK_EVENTS = [
  'verification.completed',
  'verification.approved',
  'verification.rejected',
  'verification.manual_review',
  'fraud.flagged',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpoint {
  id: string; // whe_...
  orgId: string;
  /** Key whose secret signs deliveries to this endpoint. */
  keyId: string;
  mode: Mode;
  url: string;
  events: WebhookEventName[];
  createdAt: string;
  deletedAt: string | null;
  /**
   * Set when the endpoint stopped receiving deliveries without being deleted: its signing key was revoked.
   * Absent on records written before the field existed (read as null).
   */
  disabledAt?: string | null;
  disabledReason?: EndpointDisabledReason | null;
}

/** Whether an endpoint receives deliveries: `disabled` ones were not deleted but receive none. */
export const ENDPOINT_STATUSES = ['active', 'disabled'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** Why an endpoint receives no deliveries although it was not deleted. */
export const ENDPOINT_DISABLED_REASONS = ['key_revoked'] as const;
export type EndpointDisabledReason = (typeof ENDPOINT_DISABLED_REASONS)[number];

export const DELIVERY_STATUSES = ['succeeded', 'failed', 'pending'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttemptRecord {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: string; // whd_...
  orgId: string;
  endpointId: string;
  verificationId: string;
  event: WebhookEventName;
  /** The exact bytes that are signed and sent; stable across retries. */
  body: string;
  /**
   * When the delivery was queued (ISO 8601), also the envelope's `timestamp`. Each send is signed with its
   * own send time (`webhook-timestamp`), not this.
   */
  createdAt: string;
  status: DeliveryStatus;
  attempts: DeliveryAttemptRecord[];
  nextAttemptAt: string | null;
  updatedAt: string;
  /** Failures before the last manual redelivery, which starts a fresh retry budget. */
  redeliveredAfterFailures?: number;
  /**
   * Which publication of the verification this delivery belongs to: absent = the automated outcome,
   * `review` = the human decision on a review case, `test` = an operator's test event (sample data).
   */
  publication?: 'review' | 'test';
}

/** Webhook / polling payload: the spec's `data` shape plus extension fields. */
export interface VerificationView {
  verificationId: string;
  status: VerificationStatus;
  decision: Decision | null;
  declineType: DeclineType | null;
  reasonCodes: string[];
  riskFlags: string[];
  mode: Mode;
  createdAt: string;
  completedAt: string | null;
  // extensions (not in the spec's example, never replacing its fields)
  flowId: string;
  expiresAt: string;
  metadata: Record<string, MetadataValue>;
  attempts: number;
  maxAttempts?: number;
  /** The human decision on a review case, null otherwise (and until decided). */
  review: ReviewRecord | null;
  /** Personal data was erased (redact request or retention): email, metadata, captures and face data are gone. */
  redacted: boolean;
}

export const CAPTURE_KINDS = [
  'document_front',
  'document_back',
  'selfie',
  'liveness_frame',
  'liveness_sequence',
] as const;
export type CaptureKind = (typeof CAPTURE_KINDS)[number];

export interface Capture {
  id: string; // cap_...
  verificationId: string;
  attempt: number;
  kind: CaptureKind;
  /** Index within kind (liveness frame order, prompt index). */
  index: number;
  blobKey: string;
  contentType: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  status: 'requested' | 'uploaded' | 'purged';
  /**
   * SHA-256 (hex) of the bytes validated at `complete`, stored at `blobKey` (then a key no upload slot
   * names): every pipeline read checks it, so no byte can change between validation and the checks.
   * Null until the upload is completed.
   */
  sha256: string | null;
  uploadExpiresAt: string;
  createdAt: string;
}
