/**
 * The DynamoDB key design, shared by the CDK stack (lib/data.ts builds the table from it) and the
 * DynamoDB adapter (builds keys with it), so the two cannot drift. Pure data and string helpers:
 * importing it pulls in no AWS SDK and no CDK code.
 *
 * One table (single-table design). Every item has `pk`/`sk`; items that need another access path
 * also carry `gsi1pk`/`gsi1sk`, `gsi2pk`/`gsi2sk`, `sweeppk`/`sweepsk` or `outboxpk`/`outboxsk`. GSIs are overloaded (each serves several entities) and sparse
 * (an item without the GSI's partition attribute is not in the index). All GSIs project ALL.
 *
 * | entity            | pk                      | sk                          | gsi1 (pk / sk)                                  | gsi2 (pk / sk)                              | sweep (pk / sk)                                   | ttl |
 * |-------------------|-------------------------|-----------------------------|-------------------------------------------------|---------------------------------------------|---------------------------------------------------|-----|
 * | Organisation      | ORG#<orgId>             | ORG                         | ORGS / <createdAt>#<orgId>                      |                                             |                                                   |     |
 * | Flow              | ORG#<orgId>             | FLOW#<flowId>               |                                                 |                                             |                                                   |     |
 * | KycKey            | ORG#<orgId>             | KEY#<keyId>                 |                                                 |                                             |                                                   |     |
 * | key-hash guard    | KEYHASH#<keyHash>       | KEYHASH                     |                                                 |                                             |                                                   |     |
 * | WebhookEndpoint   | ORG#<orgId>             | WHE#<endpointId>            |                                                 |                                             |                                                   |     |
 * | Verification      | VRF#<id>                | VRF                         | ORG#<orgId>#VRF / <createdAt>#<id>              | ORG#<orgId>#VRF#<status> / <createdAt>#<id> | SWEEP#OPEN / <expiresAt>#<id> (pending, in_progress) or SWEEP#PURGE / <purgeAfter>#<id> (purgeAfter set, purgedAt null); outbox GSI: OUTBOX#VRF / <completedAt ?? updatedAt>#<id> (terminal, publishedAt null) | |
 * | client-token guard| TOKEN#<clientTokenHash> | TOKEN                       |                                                 |                                             |                                                   | expiresAt + 1 day |
 * | Capture           | VRF#<verificationId>    | CAP#<captureId>             |                                                 |                                             |                                                   | while `requested`: uploadExpiresAt + 1 day; removed on upload |
 * | AuditEvent        | VRF#<verificationId> (org-level: ORG#<orgId>) | AUD#<at>#<id> |                                   | ORG#<orgId>#AUD / <at>#<id>                 |                                                   |     |
 * | StepResult        | VRF#<verificationId>    | STEP#<attempt:3>#<step>     |                                                 |                                             |                                                   |     |
 * | IdentitySignal    | VRF#<verificationId>    | SIGNAL                      | ORG#<orgId>#DOC#<documentKeyHash> / <createdAt>#<vid> (if hash) | ORG#<orgId>#PERSON#<personKeyHash> / <createdAt>#<vid> (if hash) | ORG#<orgId>#FACE / <createdAt>#<vid> (if faceVector) | |
 * | Delivery          | WHD#<id>                | WHD                         | WHE#<endpointId>#WHD / <createdAt>#<id>         | VRF#<verificationId>#WHD / <createdAt>#<id> | SWEEP#DELIVERY / <nextAttemptAt ?? createdAt>#<id> (status pending) | |
 * | Idempotency       | IDEM#<scope>            | IDEM                        |                                                 |                                             |                                                   | expiresAt |
 * | SQS dedupe lock   | QLOCK#<dedupeKey>       | QLOCK                       |                                                 |                                             |                                                   | expiresAt (lease) |
 *
 * Access patterns (functions/ports/persistence.ts):
 * - Unique inserts (KeyRepository.create, VerificationRepository.create) are a TransactWrite of the entity
 *   and its guard item, each with `attribute_not_exists(pk)`. getByHash / getByTokenHash read the guard
 *   item, then the entity, both strongly consistent (a key revoked or a session created a moment ago is seen).
 * - Optimistic concurrency: `update(v, expectedVersion)` is a Put with `#version = :expected`.
 * - Newest-first lists query a GSI with ScanIndexForward=false; status filters use gsi2. The admin filters
 *   (decision, mode, flow, email) are FilterExpressions: the adapter keeps querying until the page is full,
 *   so `limit` still means page size; the created range is a key condition on the sort key.
 * - The org-wide audit log (newest first) queries gsi2 `ORG#<orgId>#AUD`. Cursors are the base64url of the last returned index sort key
 *   (the adapter rebuilds ExclusiveStartKey from it, so a cursor cannot point into another partition).
 * - The maintenance sweep queries the `sweep` GSI: `SWEEP#OPEN` with sk < `<now>`, `SWEEP#PURGE` with
 *   sk < `<now>$` (`$` sorts right after `#`, so purgeAfter <= now), `SWEEP#DELIVERY` for pending deliveries.
 *   The `outbox` GSI (`OUTBOX#VRF`) lists terminal verifications whose webhooks are not yet written; it is
 *   separate because such a verification can be purge-due at the same time. Entities leave an index by
 *   dropping its attributes (every write recomputes them from the entity's state).
 * - The sweep/outbox partitions are single hot keys: fine for thousands of open sessions, shard the pk
 *   (`SWEEP#OPEN#<n>`) if that ever becomes a throughput limit.
 * - Everything that belongs to one verification (captures, audit, steps, signal) shares its partition
 *   (`VRF#<id>`): per-verification lists are one strongly consistent Query on the base table.
 * - Dedupe locks (QLOCK) give SQS standard queues the port's "one live job per dedupeKey": taken with a
 *   conditional put at enqueue, released by the consumer when the job is done, lease-expired otherwise.
 * - TTL (`ttl`, epoch seconds) only removes records that are useless after expiry; DynamoDB deletes them
 *   up to a few days late, so readers still compare `expiresAt` themselves.
 */

/** Attribute names used as keys. */
export const KEY_ATTRIBUTES = {
  pk: 'pk',
  sk: 'sk',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
  gsi2pk: 'gsi2pk',
  gsi2sk: 'gsi2sk',
  sweepPk: 'sweeppk',
  sweepSk: 'sweepsk',
  outboxPk: 'outboxpk',
  outboxSk: 'outboxsk',
  /** TTL attribute, epoch seconds. */
  ttl: 'ttl',
  /** Lower-cased applicant email on verification items, for the admin email filter (case-insensitive). */
  emailLower: 'emaillower',
} as const;

/** Global secondary index names and their key attributes. */
export const GSI = {
  gsi1: { indexName: 'gsi1', partitionKey: KEY_ATTRIBUTES.gsi1pk, sortKey: KEY_ATTRIBUTES.gsi1sk },
  gsi2: { indexName: 'gsi2', partitionKey: KEY_ATTRIBUTES.gsi2pk, sortKey: KEY_ATTRIBUTES.gsi2sk },
  sweep: { indexName: 'sweep', partitionKey: KEY_ATTRIBUTES.sweepPk, sortKey: KEY_ATTRIBUTES.sweepSk },
  /** Terminal verifications whose outcome is not yet published (a verification can be in `sweep` at the same time). */
  outbox: { indexName: 'outbox', partitionKey: KEY_ATTRIBUTES.outboxPk, sortKey: KEY_ATTRIBUTES.outboxSk },
} as const;

/**
 * Environment variables the stack sets on every Lambda and `createAwsDeps()` reads. Every function gets
 * the same names; IAM decides what each one may actually touch.
 */
export const AWS_ENV = {
  /** The single DynamoDB table. */
  tableName: 'KYC_TABLE_NAME',
  /** S3 bucket holding capture bytes (SSE-KMS). */
  capturesBucket: 'KYC_CAPTURES_BUCKET',
  /** KMS key id/ARN the captures bucket encrypts with (presigned POST must name it). */
  capturesKeyArn: 'KYC_CAPTURES_KEY_ARN',
  /** KMS key id/ARN the SecretBox uses to encrypt key signing secrets. */
  secretsKeyArn: 'KYC_SECRETS_KEY_ARN',
  /** KMS HMAC key id/ARN that keys the cross-verification identity hashes (SecretMac). */
  identityMacKeyArn: 'KYC_IDENTITY_MAC_KEY_ARN',
  /** SQS queue URL for `webhook.deliver` jobs. */
  webhookQueueUrl: 'KYC_WEBHOOK_QUEUE_URL',
  /** Step Functions state machine ARN for `pipeline.run` jobs. */
  pipelineStateMachineArn: 'KYC_PIPELINE_STATE_MACHINE_ARN',
  /** Prefix of the per-organisation Rekognition collections (`<prefix>-<orgId>`) for duplicate-face search. */
  faceCollectionId: 'KYC_FACE_COLLECTION_ID',
  /** Cognito identity pool whose guest role may stream Face Liveness video (StartFaceLivenessSession). */
  faceLivenessIdentityPoolId: 'KYC_FACE_LIVENESS_IDENTITY_POOL_ID',
  /** Base URL of the hosted flow (CloudFront or custom domain), no trailing slash. */
  publicUrl: 'PUBLIC_URL',
  /** Comma-separated hosts allowed past the webhook SSRF guard. */
  webhookAllowHosts: 'KYC_WEBHOOK_ALLOW_HOSTS',
  /** Comma-separated webhook retry delays in ms (3 entries = 3 retries). */
  webhookRetryDelaysMs: 'KYC_WEBHOOK_RETRY_DELAYS_MS',
  /** Cognito user pool of the dashboard operators (the CLI's `operators create` on AWS). */
  operatorsUserPoolId: 'KYC_OPERATORS_USER_POOL_ID',
} as const;

export type AwsEnvName = (typeof AWS_ENV)[keyof typeof AWS_ENV];

/** Sort keys are ISO timestamps: zero-pad attempt numbers so they sort as text. */
function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/** Key builders. Each returns the exact strings stored; the adapter must not build keys any other way. */
export const keys = {
  org: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  orgsIndex: (createdAt: string, orgId: string) => ({ gsi1pk: 'ORGS', gsi1sk: `${createdAt}#${orgId}` }),
  flow: (orgId: string, flowId: string) => ({ pk: `ORG#${orgId}`, sk: `FLOW#${flowId}` }),
  flowPrefix: 'FLOW#',
  kycKey: (orgId: string, keyId: string) => ({ pk: `ORG#${orgId}`, sk: `KEY#${keyId}` }),
  kycKeyPrefix: 'KEY#',
  keyHashGuard: (keyHash: string) => ({ pk: `KEYHASH#${keyHash}`, sk: 'KEYHASH' }),
  webhookEndpoint: (orgId: string, endpointId: string) => ({ pk: `ORG#${orgId}`, sk: `WHE#${endpointId}` }),
  webhookEndpointPrefix: 'WHE#',
  verification: (id: string) => ({ pk: `VRF#${id}`, sk: 'VRF' }),
  verificationsByOrg: (orgId: string, createdAt: string, id: string) => ({
    gsi1pk: `ORG#${orgId}#VRF`,
    gsi1sk: `${createdAt}#${id}`,
  }),
  verificationsByOrgStatus: (orgId: string, status: string, createdAt: string, id: string) => ({
    gsi2pk: `ORG#${orgId}#VRF#${status}`,
    gsi2sk: `${createdAt}#${id}`,
  }),
  sweepOpen: (expiresAt: string, id: string) => ({ sweeppk: 'SWEEP#OPEN', sweepsk: `${expiresAt}#${id}` }),
  sweepPurge: (purgeAfter: string, id: string) => ({ sweeppk: 'SWEEP#PURGE', sweepsk: `${purgeAfter}#${id}` }),
  outboxUnpublished: (completedAt: string, id: string) => ({
    outboxpk: 'OUTBOX#VRF',
    outboxsk: `${completedAt}#${id}`,
  }),
  tokenGuard: (clientTokenHash: string) => ({ pk: `TOKEN#${clientTokenHash}`, sk: 'TOKEN' }),
  capture: (verificationId: string, captureId: string) => ({ pk: `VRF#${verificationId}`, sk: `CAP#${captureId}` }),
  capturePrefix: 'CAP#',
  audit: (verificationId: string, at: string, id: string) => ({ pk: `VRF#${verificationId}`, sk: `AUD#${at}#${id}` }),
  /** Org-level audit events (no verification) live in the org's partition. */
  orgAudit: (orgId: string, at: string, id: string) => ({ pk: `ORG#${orgId}`, sk: `AUD#${at}#${id}` }),
  auditByOrg: (orgId: string, at: string, id: string) => ({ gsi2pk: `ORG#${orgId}#AUD`, gsi2sk: `${at}#${id}` }),
  auditPrefix: 'AUD#',
  step: (verificationId: string, attempt: number, step: string) => ({
    pk: `VRF#${verificationId}`,
    sk: `STEP#${pad3(attempt)}#${step}`,
  }),
  stepAttemptPrefix: (attempt: number) => `STEP#${pad3(attempt)}#`,
  signal: (verificationId: string) => ({ pk: `VRF#${verificationId}`, sk: 'SIGNAL' }),
  signalsByDocument: (orgId: string, documentKeyHash: string, createdAt: string, verificationId: string) => ({
    gsi1pk: `ORG#${orgId}#DOC#${documentKeyHash}`,
    gsi1sk: `${createdAt}#${verificationId}`,
  }),
  signalsByPerson: (orgId: string, personKeyHash: string, createdAt: string, verificationId: string) => ({
    gsi2pk: `ORG#${orgId}#PERSON#${personKeyHash}`,
    gsi2sk: `${createdAt}#${verificationId}`,
  }),
  signalsWithFace: (orgId: string, createdAt: string, verificationId: string) => ({
    sweeppk: `ORG#${orgId}#FACE`,
    sweepsk: `${createdAt}#${verificationId}`,
  }),
  delivery: (id: string) => ({ pk: `WHD#${id}`, sk: 'WHD' }),
  deliveriesByEndpoint: (endpointId: string, createdAt: string, id: string) => ({
    gsi1pk: `WHE#${endpointId}#WHD`,
    gsi1sk: `${createdAt}#${id}`,
  }),
  deliveriesByVerification: (verificationId: string, createdAt: string, id: string) => ({
    gsi2pk: `VRF#${verificationId}#WHD`,
    gsi2sk: `${createdAt}#${id}`,
  }),
  sweepDelivery: (dueAt: string, id: string) => ({ sweeppk: 'SWEEP#DELIVERY', sweepsk: `${dueAt}#${id}` }),
  idempotency: (scope: string) => ({ pk: `IDEM#${scope}`, sk: 'IDEM' }),
  queueLock: (dedupeKey: string) => ({ pk: `QLOCK#${dedupeKey}`, sk: 'QLOCK' }),
} as const;

/** Grace added to TTLs so DynamoDB never deletes a record a reader may still legitimately load. */
export const TTL_GRACE_SECONDS = 24 * 60 * 60;

/** Epoch seconds for the `ttl` attribute from an ISO timestamp plus an optional grace. */
export function ttlFromIso(iso: string, graceSeconds = 0): number {
  return Math.floor(Date.parse(iso) / 1000) + graceSeconds;
}

/**
 * Custom metrics the stack alarms on (lib/monitoring.ts). Emitted with Powertools Metrics, whose default
 * `service` dimension is POWERTOOLS_SERVICE_NAME (set to `serviceName` on every Lambda).
 */
export const METRICS = {
  namespace: 'Kyc',
  serviceName: 'kyc',
  /** Count, +1 per webhook HTTP attempt that did not get a 2xx in time (webhook dispatcher). */
  webhookAttemptFailed: 'WebhookAttemptFailed',
  /** Count, +1 per webhook HTTP attempt acknowledged with 2xx (webhook dispatcher). */
  webhookAttemptSucceeded: 'WebhookAttemptSucceeded',
} as const;
