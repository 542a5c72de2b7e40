import crypto from 'node:crypto';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import type { Delivery, WebhookEndpoint } from '../../functions/domain/model';
import {
  endpointHealth,
  eventsForOutcome,
  failedAttempts,
  isAcknowledged,
  nextRetryDelayMs,
  planDeliveries,
  signDelivery,
  verifyTimestampedSignature,
} from '../../functions/domain/webhooks';

const view = {
  verificationId: 'vrf_1',
  status: 'approved' as const,
  decision: 'approved' as const,
  declineType: null,
  reasonCodes: [],
  riskFlags: [],
  mode: 'live' as const,
  createdAt: '2026-06-25T09:58:00.000Z',
  completedAt: '2026-06-25T10:00:00.000Z',
  flowId: 'flow_1',
  expiresAt: '2026-06-25T11:00:00.000Z',
  metadata: {},
  attempts: 1,
  review: null,
  redacted: false,
};

describe('eventsForOutcome', () => {
  it.each([
    [{ decision: 'approved', riskFlags: [] }, ['verification.completed', 'verification.approved']],
    [{ decision: 'declined', riskFlags: [] }, ['verification.completed', 'verification.rejected']],
    [
      { decision: 'review', riskFlags: ['REPLAYED_FRAMES'] },
      ['verification.completed', 'verification.manual_review', 'fraud.flagged'],
    ],
    [{ decision: null, riskFlags: [] }, ['verification.completed']],
  ] as const)('%j -> %j', (v, events) =>
    expect(eventsForOutcome({ decision: v.decision, riskFlags: [...v.riskFlags] })).toEqual(events),
  );
});

describe('planDeliveries', () => {
  const endpoint = (
    id: string,
    events: WebhookEndpoint['events'],
    extra: Partial<WebhookEndpoint> = {},
  ): WebhookEndpoint => ({
    id,
    orgId: 'org_1',
    keyId: 'key_1',
    mode: 'live',
    url: 'https://h.example/x',
    events,
    createdAt: '',
    deletedAt: null,
    ...extra,
  });
  it('creates one delivery per subscribed endpoint and event, skipping deleted and other-mode endpoints', () => {
    let n = 0;
    const ds = planDeliveries(
      [
        endpoint('whe_a', ['verification.completed', 'fraud.flagged']),
        endpoint('whe_b', ['verification.approved']),
        endpoint('whe_c', ['verification.completed'], { deletedAt: 'x' }),
        endpoint('whe_d', ['verification.completed'], { mode: 'test' }),
        endpoint('whe_e', ['verification.completed'], { disabledAt: 'x', disabledReason: 'key_revoked' }),
      ],
      ['verification.completed', 'verification.approved'],
      view,
      'org_1',
      new Date('2026-06-25T10:00:00Z'),
      () => `whd_${++n}`,
    );
    expect(ds.map((d) => `${d.endpointId}:${d.event}`)).toEqual([
      'whe_a:verification.completed',
      'whe_b:verification.approved',
    ]);
    const body = JSON.parse(ds[0]!.body);
    expect(body).toEqual({
      event: 'verification.completed',
      timestamp: '2026-06-25T10:00:00.000Z',
      id: 'whd_1',
      data: view,
    });
  });
});

describe('signatures', () => {
  const d = { id: 'whd_x', event: 'verification.completed' as const, body: '{"a":1}' };
  it('X-Nextcap-Signature is the hex HMAC of the raw body with the secret string', () => {
    const h = signDelivery(nodeCrypto, 'whsec_c2VjcmV0', d, new Date(1_750_000_000_000));
    expect(h['X-Nextcap-Signature']).toBe(
      crypto.createHmac('sha256', 'whsec_c2VjcmV0').update('{"a":1}').digest('hex'),
    );
    expect(h['webhook-timestamp']).toBe('1750000000');
    expect(h['webhook-id']).toBe('whd_x');
  });
  it('the timestamped signature verifies within tolerance only', () => {
    const at = new Date(1_750_000_000_000);
    const h = signDelivery(nodeCrypto, 'whsec_c2VjcmV0', d, at);
    const headers = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };
    expect(
      verifyTimestampedSignature(nodeCrypto, 'whsec_c2VjcmV0', headers, d.body, new Date(at.getTime() + 60_000)),
    ).toBe(true);
    expect(
      verifyTimestampedSignature(nodeCrypto, 'whsec_c2VjcmV0', headers, d.body, new Date(at.getTime() + 301_000)),
    ).toBe(false);
    expect(verifyTimestampedSignature(nodeCrypto, 'whsec_b3RoZXI=', headers, d.body, at)).toBe(false);
    expect(verifyTimestampedSignature(nodeCrypto, 'whsec_c2VjcmV0', { ...headers, id: 'whd_y' }, d.body, at)).toBe(
      false,
    );
  });
});

describe('retry schedule', () => {
  it('grows with jitter within ±20 % and stops after the last delay', () => {
    expect(nextRetryDelayMs([100, 200, 400], 1, () => 0)).toBe(80);
    expect(nextRetryDelayMs([100, 200, 400], 2, () => 1)).toBe(240);
    expect(nextRetryDelayMs([100, 200, 400], 3, () => 0.5)).toBe(400);
    expect(nextRetryDelayMs([100, 200, 400], 4)).toBeNull();
  });
});

describe('acknowledgement', () => {
  it('counts any 2xx as acknowledged, and nothing else (redirects, errors, timeouts)', () => {
    expect([200, 201, 204, 299].every(isAcknowledged)).toBe(true);
    expect([null, 199, 300, 301, 404, 500].some(isAcknowledged)).toBe(false);
    const attempt = (statusCode: number | null) => ({
      at: '2026-06-25T10:00:00.000Z',
      statusCode,
      error: null,
      durationMs: 1,
    });
    expect(failedAttempts([attempt(500), attempt(null), attempt(302), attempt(204)])).toBe(3);
  });
});

describe('endpointHealth', () => {
  const del = (status: Delivery['status'], codes: Array<number | null>, at: string): Delivery => ({
    id: `whd_${at}`,
    orgId: 'o',
    endpointId: 'e',
    verificationId: 'v',
    event: 'verification.completed',
    body: '',
    createdAt: at,
    status,
    attempts: codes.map((c, i) => ({ at: `${at}:0${i}`, statusCode: c, error: c ? null : 'timeout', durationMs: 1 })),
    nextAttemptAt: null,
    updatedAt: at,
  });
  it('summarises last attempt, consecutive failures and success rate', () => {
    const h = endpointHealth([
      del('failed', [500, 500, 500, 500], '2026-01-03'),
      del('succeeded', [null, 200], '2026-01-02'),
      del('pending', [], '2026-01-04'),
    ]);
    expect(h).toMatchObject({
      lastAttemptAt: '2026-01-03:03',
      lastStatus: 'failed',
      lastStatusCode: 500,
      consecutiveFailures: 4,
      successRate: 0.5,
      recentDeliveries: 3,
      pending: 1,
      deadLettered: 1,
    });
    expect(endpointHealth([])).toMatchObject({
      lastAttemptAt: null,
      lastStatus: null,
      successRate: null,
      consecutiveFailures: 0,
    });
  });
});
