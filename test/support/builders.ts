/**
 * Small factories for domain entities with fixed ids and timestamps, so tests read as
 * "a verification like the default, except ..." and produce the same records on every run.
 */
import type {
  Capture,
  Delivery,
  Flow,
  KycKey,
  Organisation,
  Verification,
  WebhookEndpoint,
} from '../../functions/domain/model';
import type {
  AuditEvent,
  IdempotencyRecord,
  IdentitySignal,
  StepResultRecord,
} from '../../functions/ports/persistence';

/** Fixed origin of test time. Every timestamp in tests is an offset from it. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** ISO-8601 timestamp `minutes` after {@link T0} (negative = before). Always millisecond precision, UTC. */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

export function makeOrg(overrides: Partial<Organisation> = {}): Organisation {
  return { id: 'org_test1', name: 'Test Org', plan: 'pro', defaultFlowId: null, createdAt: at(0), ...overrides };
}

export function makeFlow(overrides: Partial<Flow> = {}): Flow {
  return {
    id: 'flow_test1',
    orgId: 'org_test1',
    name: 'Default flow',
    checks: ['document', 'liveness', 'faceMatch'],
    documentTypes: [],
    issuingCountries: [],
    thresholds: {
      faceMatchMaxDistance: 0.6,
      faceMatchMinSimilarity: 90,
      livenessMinTurnDegrees: 20,
      minFaceConfidence: 0.3,
    },
    minimumAge: null,
    maxAttempts: 3,
    linkLifetimeSeconds: 86_400,
    retentionDays: 30,
    livenessPrompts: 2,
    useFaceLivenessSession: false,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function makeKey(overrides: Partial<KycKey> = {}): KycKey {
  return {
    id: 'key_test1',
    orgId: 'org_test1',
    flowId: 'flow_test1',
    mode: 'test',
    prefix: 'nextcap_kk_test_Ab12',
    keyHash: 'a'.repeat(64),
    encryptedSecret: 'enc:secret1',
    name: 'CI key',
    createdAt: at(0),
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

export function makeVerification(overrides: Partial<Verification> = {}): Verification {
  return {
    id: 'vrf_test1',
    orgId: 'org_test1',
    flowId: 'flow_test1',
    keyId: 'key_test1',
    mode: 'test',
    status: 'pending',
    decision: null,
    declineType: null,
    reasonCodes: [],
    riskFlags: [],
    applicantEmail: null,
    locale: 'en',
    returnUrl: null,
    metadata: { customerRef: 'cust-42', tier: 2, vip: false, note: null },
    clientTokenHash: 'b'.repeat(64),
    expiresAt: at(24 * 60),
    createdAt: at(0),
    updatedAt: at(0),
    completedAt: null,
    consent: null,
    challenge: ['left', 'right'],
    attempts: [],
    publishedAt: null,
    purgeAfter: null,
    purgedAt: null,
    version: 1,
    ...overrides,
  };
}

export function makeWebhookEndpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: 'whe_test1',
    orgId: 'org_test1',
    keyId: 'key_test1',
    mode: 'test',
    url: 'https://hooks.example.com/kyc',
    events: ['verification.completed'],
    createdAt: at(0),
    deletedAt: null,
    ...overrides,
  };
}

export function makeDelivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    id: 'whd_test1',
    orgId: 'org_test1',
    endpointId: 'whe_test1',
    verificationId: 'vrf_test1',
    event: 'verification.completed',
    body: '{"type":"verification.completed"}',
    createdAt: at(0),
    status: 'pending',
    attempts: [],
    nextAttemptAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function makeCapture(overrides: Partial<Capture> = {}): Capture {
  return {
    id: 'cap_test1',
    verificationId: 'vrf_test1',
    attempt: 1,
    kind: 'document_front',
    index: 0,
    blobKey: 'captures/vrf_test1/1/cap_test1',
    contentType: null,
    bytes: null,
    width: null,
    height: null,
    status: 'requested',
    sha256: null,
    uploadExpiresAt: at(15),
    createdAt: at(0),
    ...overrides,
  };
}

export function makeAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'evt_test1',
    verificationId: 'vrf_test1',
    orgId: 'org_test1',
    type: 'verification.created',
    at: at(0),
    data: { by: 'key_test1' },
    ...overrides,
  };
}

export function makeStepResult(overrides: Partial<StepResultRecord> = {}): StepResultRecord {
  return {
    verificationId: 'vrf_test1',
    attempt: 1,
    step: 'document',
    result: { outcome: 'pass', scores: { confidence: 0.93 } },
    createdAt: at(0),
    ...overrides,
  };
}

export function makeSignal(overrides: Partial<IdentitySignal> = {}): IdentitySignal {
  return {
    orgId: 'org_test1',
    verificationId: 'vrf_test1',
    documentKeyHash: 'd'.repeat(64),
    personKeyHash: 'e'.repeat(64),
    faceVector: null,
    createdAt: at(0),
    ...overrides,
  };
}

export function makeIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  const rec = {
    scope: 'key_test1:idem-1',
    claimId: 'idm_test1',
    requestHash: 'c'.repeat(64),
    response: null,
    createdAt: at(0),
    expiresAt: at(24 * 60),
    ...overrides,
  };
  // Unless a test is about leases, an unfinished claim holds its scope until it expires.
  return { leaseExpiresAt: rec.expiresAt, ...rec };
}
