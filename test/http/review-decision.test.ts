/**
 * The human review decision and signing-secret rotation against the real local server, with webhooks
 * delivered to a local receiver: the final `completed` plus the decision event once each, a decision is final
 * (409 the second time, 409 for a verification not in review), the audit trail names the operator; during a
 * rotation's overlap a receiver with either secret verifies, afterwards only the new one.
 */
import crypto from 'node:crypto';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { publishOutcome } from '../../functions/app/outcomes';
import { verifyTimestampedSignature } from '../../functions/domain/webhooks';
import { adminSession, type AdminSession } from '../support/admin-client';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver, type ReceivedDelivery } from '../support/webhook-receiver';

const ADMIN = '/api/v1/admin';
const INTEGRATOR = '/api/v1/external/kyc';
const ALL_EVENTS = [
  'verification.completed',
  'verification.approved',
  'verification.rejected',
  'verification.manual_review',
  'fraud.flagged',
];

/** A clock the test can move forward (the end of a rotation's overlap window). */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

let srv: TestServer;
let reviewer: AdminSession;
let admin: AdminSession;
beforeAll(async () => {
  srv = await startTestServer({
    clock,
    env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '200,400', KYC_WEBHOOK_TIMEOUT_MS: '1000' },
  });
  reviewer = await adminSession(srv, 'reviewer');
  admin = await adminSession(srv, 'admin');
});
afterAll(() => srv.stop());

/** The spec's X-Nextcap-Signature check (hex HMAC-SHA256 of the raw body with the secret string). */
function verifiesLegacy(secret: string, d: ReceivedDelivery): boolean {
  const expected = Buffer.from(crypto.createHmac('sha256', secret).update(d.raw).digest('hex'));
  const got = Buffer.from((d.headers['x-nextcap-signature'] as string | undefined) ?? '');
  return expected.length === got.length && crypto.timingSafeEqual(expected, got);
}

/** The Standard Webhooks check a receiver holding `secret` runs (at the test clock's time). */
function verifiesStandard(secret: string, d: ReceivedDelivery): boolean {
  const headers = {
    id: d.headers['webhook-id'] as string,
    timestamp: d.headers['webhook-timestamp'] as string,
    signature: d.headers['webhook-signature'] as string,
  };
  return verifyTimestampedSignature(nodeCrypto, secret, headers, d.raw.toString('utf8'), clock.now());
}

/** A test key with a webhook endpoint for every event at a fresh local receiver. */
async function integrator() {
  const receiver = await startReceiver(() => 200);
  const minted = await srv.mintKey('test');
  const hook = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/webhooks`, {
    key: minted.key,
    body: { url: receiver.url, events: ALL_EVENTS },
  });
  expect(hook.status).toBe(201);
  return { receiver, minted };
}

/** Creates a verification and drives it to `review` with test-mode simulate; waits for its two deliveries. */
async function reviewCase(key: string, receiver: Awaited<ReturnType<typeof startReceiver>>): Promise<string> {
  const before = receiver.received.length;
  const created = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, {
    key,
    body: { metadata: { orderId: 'R-1' } },
  });
  expect(created.status).toBe(201);
  const id = created.json.data.id as string;
  const sim = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${id}/simulate`, {
    key,
    body: { decision: 'review', reasonCodes: ['FACE_MATCH_INCONCLUSIVE'] },
  });
  expect(sim.status).toBe(200);
  const automated = (await receiver.waitFor(before + 2)).slice(before);
  expect(automated.map((d) => d.json.event).sort()).toEqual(['verification.completed', 'verification.manual_review']);
  return id;
}

/** Waits until no further delivery arrives for a moment: "exactly once" needs the quiet after the last one. */
async function settle(receiver: Awaited<ReturnType<typeof startReceiver>>, expected: number) {
  await receiver.waitFor(expected);
  await new Promise((r) => setTimeout(r, 600));
  expect(receiver.received).toHaveLength(expected);
}

const decide = (s: AdminSession, id: string, body: unknown) =>
  s.call('POST', `${ADMIN}/verifications/${id}/review`, { body });

describe('review decision', () => {
  it('review -> approved: the final data with `review`, one more `completed` (new id) and one `approved`', async () => {
    const { receiver, minted } = await integrator();
    try {
      const id = await reviewCase(minted.key, receiver);
      const firstCompleted = receiver.received.find((d) => d.json.event === 'verification.completed')!;
      expect(firstCompleted.json.data).toMatchObject({ decision: 'review', review: null });

      const res = await decide(reviewer, id, { decision: 'approved', note: 'Portrait matches on closer look' });
      expect(res.status).toBe(200);
      const review = { decidedAt: expect.any(String), decision: 'approved', note: 'Portrait matches on closer look' };
      expect(res.json.data).toMatchObject({
        verificationId: id,
        status: 'approved',
        decision: 'approved',
        declineType: null,
        reasonCodes: ['FACE_MATCH_INCONCLUSIVE'], // the automated codes stay when the reviewer gives none
        review,
      });
      expect(Object.keys(res.json.data.review).sort()).toEqual(['decidedAt', 'decision', 'note']);

      await settle(receiver, 4);
      const final = receiver.received.slice(2);
      expect(final.map((d) => d.json.event).sort()).toEqual(['verification.approved', 'verification.completed']);
      const completed = final.find((d) => d.json.event === 'verification.completed')!;
      expect(completed.json.id).not.toBe(firstCompleted.json.id);
      expect(completed.headers['webhook-id']).toBe(completed.json.id);
      for (const d of final) {
        expect(d.json.data).toMatchObject({ verificationId: id, status: 'approved', decision: 'approved', review });
        expect(JSON.stringify(d.json)).not.toContain(reviewer.email); // the reviewer stays in the audit trail
        expect(verifiesLegacy(minted.secret, d)).toBe(true);
      }

      // Polling returns the same final data.
      const polled = await api(srv.baseUrl, 'GET', `${INTEGRATOR}/verifications/${id}`, { key: minted.key });
      expect(polled.json.data).toMatchObject({ status: 'approved', decision: 'approved', review });

      // Publishing again (the maintenance sweep after a crash) sends nothing more.
      const deps = srv.app.runtime.deps;
      const v = (await deps.store.verifications.get(id))!;
      await publishOutcome(deps, v, (await deps.store.flows.get(v.orgId, v.flowId))!);
      await settle(receiver, 4);
    } finally {
      await receiver.close();
    }
  });

  it('review -> declined: the reviewer`s decline type and reason codes, one more `completed` and one `rejected`', async () => {
    const { receiver, minted } = await integrator();
    try {
      const id = await reviewCase(minted.key, receiver);
      const res = await decide(reviewer, id, {
        decision: 'declined',
        declineType: 'retry',
        reasonCodes: ['EXPIRATION_DATE'],
        note: 'Document expired last month',
      });
      expect(res.status).toBe(200);
      const review = { decidedAt: expect.any(String), decision: 'declined', note: 'Document expired last month' };
      expect(res.json.data).toMatchObject({
        status: 'declined',
        decision: 'declined',
        declineType: 'retry',
        reasonCodes: ['EXPIRATION_DATE'],
        review,
      });
      await settle(receiver, 4);
      const final = receiver.received.slice(2);
      expect(final.map((d) => d.json.event).sort()).toEqual(['verification.completed', 'verification.rejected']);
      for (const d of final) expect(d.json.data).toMatchObject({ status: 'declined', declineType: 'retry', review });
      const ids = receiver.received.map((d) => d.json.id);
      expect(new Set(ids).size).toBe(4);
    } finally {
      await receiver.close();
    }
  });

  it('a decline without declineType is final', async () => {
    const { receiver, minted } = await integrator();
    try {
      const id = await reviewCase(minted.key, receiver);
      const res = await decide(reviewer, id, { decision: 'declined', note: 'Mismatch' });
      expect(res.json.data).toMatchObject({ status: 'declined', declineType: 'final' });
    } finally {
      await receiver.close();
    }
  });

  it('a second decision is 409 and changes nothing; no further webhooks', async () => {
    const { receiver, minted } = await integrator();
    try {
      const id = await reviewCase(minted.key, receiver);
      expect((await decide(reviewer, id, { decision: 'approved', note: 'first' })).status).toBe(200);
      const second = await decide(admin, id, { decision: 'declined', note: 'second' });
      expect(second.status).toBe(409);
      expect(second.json.error.code).toBe('already_decided');
      const detail = await admin.call('GET', `${ADMIN}/verifications/${id}`);
      expect(detail.json.data).toMatchObject({ status: 'approved', review: { decision: 'approved', note: 'first' } });
      await settle(receiver, 4);
    } finally {
      await receiver.close();
    }
  });

  it('two concurrent decisions: exactly one wins, the other is 409', async () => {
    const { receiver, minted } = await integrator();
    try {
      const id = await reviewCase(minted.key, receiver);
      const results = await Promise.all([
        decide(reviewer, id, { decision: 'approved', note: 'a' }),
        decide(admin, id, { decision: 'declined', note: 'b' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      await settle(receiver, 4);
    } finally {
      await receiver.close();
    }
  });

  it('deciding a verification not in review is 409 (pending, approved by the pipeline)', async () => {
    const { receiver, minted } = await integrator();
    try {
      const pending = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
      const pendingId = pending.json.data.id as string;
      const res = await decide(reviewer, pendingId, { decision: 'approved', note: 'too early' });
      expect(res.status).toBe(409);
      expect(res.json.error.code).toBe('not_in_review');
      expect((await admin.call('GET', `${ADMIN}/verifications/${pendingId}`)).json.data.status).toBe('pending');

      const approved = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
      const approvedId = approved.json.data.id as string;
      await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${approvedId}/simulate`, {
        key: minted.key,
        body: { decision: 'approved' },
      });
      await settle(receiver, 2); // completed + approved of the automated outcome
      const late = await decide(reviewer, approvedId, { decision: 'declined', note: 'override' });
      expect(late.status).toBe(409);
      expect(late.json.error.code).toBe('not_in_review');
      await settle(receiver, 2);
    } finally {
      await receiver.close();
    }
  });

  it('validates the decision body, naming the fields', async () => {
    const res = await decide(reviewer, 'vrf_whatever', { decision: 'maybe', declineType: 'retry', note: '' });
    expect(res.status).toBe(400);
    const fields = res.json.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['decision', 'note']));
  });

  it('the audit trail names the operator, with the decision, the note and the automated codes', async () => {
    const { receiver, minted } = await integrator();
    try {
      const id = await reviewCase(minted.key, receiver);
      await decide(reviewer, id, {
        decision: 'declined',
        reasonCodes: ['BAD_FACE_MATCHING'],
        note: 'Different person on the document',
      });
      const trail = await admin.call('GET', `${ADMIN}/audit?verificationId=${id}`);
      expect(trail.status).toBe(200);
      const entry = trail.json.data.find((e: { type: string }) => e.type === 'verification.reviewed');
      expect(entry).toMatchObject({
        verificationId: id,
        actor: `operator:${reviewer.email}`,
        at: expect.any(String),
        data: {
          decision: 'declined',
          declineType: 'final',
          reasonCodes: ['BAD_FACE_MATCHING'],
          automatedReasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
          note: 'Different person on the document',
        },
      });
      const detail = await admin.call('GET', `${ADMIN}/verifications/${id}`);
      expect(detail.json.data.audit.map((e: { actor: string }) => e.actor)).toContain(`operator:${reviewer.email}`);
      // The decided case leaves the review queue.
      const queue = await reviewer.call('GET', `${ADMIN}/review-queue?limit=100`);
      expect(queue.json.data.map((v: { verificationId: string }) => v.verificationId)).not.toContain(id);
    } finally {
      await receiver.close();
    }
  });
});

describe('review queue', () => {
  it('lists undecided review cases oldest first, each with its evidence (checks, captures, codes, flags)', async () => {
    const { receiver, minted } = await integrator();
    const savedOffset = offsetMs;
    try {
      const older = await reviewCase(minted.key, receiver);
      offsetMs += 5_000;
      const newer = await reviewCase(minted.key, receiver);
      const queue = await reviewer.call('GET', `${ADMIN}/review-queue?limit=100`);
      expect(queue.status).toBe(200);
      const ids = (queue.json.data as Array<{ verificationId: string }>).map((v) => v.verificationId);
      expect(ids.indexOf(older)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(older)).toBeLessThan(ids.indexOf(newer));
      const createdAt = (queue.json.data as Array<{ createdAt: string }>).map((v) => v.createdAt);
      expect([...createdAt].sort()).toEqual(createdAt);
      const item = (queue.json.data as Array<Record<string, unknown>>).find((v) => v.verificationId === older)!;
      expect(item).toMatchObject({
        status: 'review',
        decision: 'review',
        review: null,
        reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
        riskFlags: expect.any(Array),
        timeline: expect.any(Array),
        audit: expect.any(Array),
      });
      // Paged with a cursor: one case per page still walks every case once, in the same order.
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { json: { data: Array<{ verificationId: string }>; nextCursor: string | null } } =
          await reviewer.call(
            'GET',
            `${ADMIN}/review-queue?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
        walked.push(...page.json.data.map((v) => v.verificationId));
        cursor = page.json.nextCursor;
      } while (cursor);
      expect(walked).toEqual(ids);
    } finally {
      offsetMs = savedOffset;
      await receiver.close();
    }
  });
});

describe('signing-secret rotation', () => {
  it('during the overlap either secret verifies; afterwards only the new one', async () => {
    const { receiver, minted } = await integrator();
    try {
      const rotated = await admin.call('POST', `${ADMIN}/keys/${minted.keyId}/rotate-secret`, {
        body: { overlapSeconds: 3600 },
      });
      expect(rotated.status).toBe(200);
      const newSecret = rotated.json.data.secret as string;
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(minted.secret);
      expect(Date.parse(rotated.json.data.previousSecretExpiresAt)).toBeGreaterThan(clock.now().getTime());
      const oldSecret = minted.secret;

      const during = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
      await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${during.json.data.id}/simulate`, {
        key: minted.key,
        body: { decision: 'approved' },
      });
      const overlap = await receiver.waitFor(2);
      for (const d of overlap) {
        const listed = (d.headers['webhook-signature'] as string).split(' ');
        expect(listed).toHaveLength(2);
        for (const s of listed) expect(s).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
        expect(verifiesStandard(newSecret, d)).toBe(true);
        expect(verifiesStandard(oldSecret, d)).toBe(true);
        expect(verifiesStandard('whsec_bm90LXRoZS1zZWNyZXQ=', d)).toBe(false);
        // X-Nextcap-Signature carries the new secret's signature only.
        expect(verifiesLegacy(newSecret, d)).toBe(true);
        expect(verifiesLegacy(oldSecret, d)).toBe(false);
      }

      offsetMs += 3601_000; // past the overlap window
      const after = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
      await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${after.json.data.id}/simulate`, {
        key: minted.key,
        body: { decision: 'approved' },
      });
      const later = (await receiver.waitFor(4)).slice(2);
      for (const d of later) {
        expect((d.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
        expect(verifiesStandard(newSecret, d)).toBe(true);
        expect(verifiesStandard(oldSecret, d)).toBe(false);
        expect(verifiesLegacy(newSecret, d)).toBe(true);
        expect(verifiesLegacy(oldSecret, d)).toBe(false);
      }
      const keys = await (await adminSession(srv, 'admin')).call('GET', `${ADMIN}/keys`); // the old session idled out
      const row = keys.json.data.find((k: { keyId: string }) => k.keyId === minted.keyId);
      expect(row.previousSecretExpiresAt).toBeNull();
    } finally {
      await receiver.close();
    }
  });

  it('overlapSeconds 0 stops the old secret at once', async () => {
    const { receiver, minted } = await integrator();
    try {
      const fresh = await adminSession(srv, 'admin'); // the clock moved past the first session's idle timeout
      const rotated = await fresh.call('POST', `${ADMIN}/keys/${minted.keyId}/rotate-secret`, {
        body: { overlapSeconds: 0 },
      });
      expect(rotated.json.data.previousSecretExpiresAt).toBeNull();
      const v = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
      await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${v.json.data.id}/simulate`, {
        key: minted.key,
        body: { decision: 'approved' },
      });
      for (const d of await receiver.waitFor(2)) {
        expect(verifiesStandard(rotated.json.data.secret, d)).toBe(true);
        expect(verifiesStandard(minted.secret, d)).toBe(false);
      }
    } finally {
      await receiver.close();
    }
  });
});
