/**
 * The admin API (dashboard) against the real local server: sign-in and sessions, the authorization matrix of
 * every route in the route table, tenancy, keys, flows, webhooks, verifications, captures and the audit log.
 */
import { disableOperator } from '../../functions/app/operators';
import { type RouteDef, routes } from '../../functions/http/routes';
import { adminSession, createTestOperator, signIn, type AdminSession } from '../support/admin-client';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

const ADMIN = '/api/v1/admin';
const INTEGRATOR = '/api/v1/external/kyc';

/** A clock the test can move forward (sessions' idle and absolute timeouts). */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

let srv: TestServer;
let admin: AdminSession;
let reviewer: AdminSession;
beforeAll(async () => {
  srv = await startTestServer({
    clock,
    env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '200,400', KYC_WEBHOOK_TIMEOUT_MS: '1000' },
  });
  admin = await adminSession(srv, 'admin');
  reviewer = await adminSession(srv, 'reviewer');
});
afterAll(() => srv.stop());

const operatorRoutes = (routes as readonly RouteDef[]).filter((r) => r.auth === 'operator');
const concrete = (path: string, ids: Record<string, string> = {}) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? `x_${name}`);

async function reviewCase(key: string): Promise<string> {
  const v = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, {
    key,
    body: { applicantEmail: 'Applicant.One@example.com', metadata: { orderId: 'A-1' } },
  });
  const id = v.json.data.id as string;
  const sim = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${id}/simulate`, {
    key,
    body: { decision: 'review', reasonCodes: ['FACE_MATCH_INCONCLUSIVE'] },
  });
  expect(sim.status).toBe(200);
  return id;
}

describe('sign-in and sessions', () => {
  it('signs in: 200 with email, role, csrfToken and an HttpOnly SameSite=Strict cookie (no Secure on http://localhost)', async () => {
    const { email, password } = await createTestOperator(srv, 'reviewer');
    const res = await signIn(srv, email.toUpperCase(), password);
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ email, role: 'reviewer', orgId: srv.org.id, csrfToken: expect.any(String) });
    const cookie = res.setCookie ?? '';
    expect(cookie).toMatch(/^kyc_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
    // The session token is stored hashed only.
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const row = srv.app.runtime.db.prepare('SELECT token_hash FROM operator_sessions').all() as {
      token_hash: string;
    }[];
    expect(row.map((r) => r.token_hash)).not.toContain(token);
  });

  it('answers a wrong password and an unknown email the same way (401, same body)', async () => {
    const { email } = await createTestOperator(srv, 'admin');
    const wrong = await signIn(srv, email, 'not-the-password');
    const unknown = await signIn(srv, 'nobody@example.com', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(wrong.setCookie).toBeNull();
  });

  it('validates the sign-in body, naming the field', async () => {
    const res = await api(srv.baseUrl, 'POST', `${ADMIN}/session`, { body: { email: 'not-an-email', password: '' } });
    expect(res.status).toBe(400);
    expect(res.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password']);
  });

  it('GET /session returns the operator and its CSRF token; DELETE signs out (cookie cleared, session gone)', async () => {
    const s = await adminSession(srv, 'reviewer');
    const me = await s.call('GET', `${ADMIN}/session`);
    expect(me.status).toBe(200);
    expect(me.json.data).toMatchObject({ email: s.email, role: 'reviewer', csrfToken: s.csrfToken });
    const out = await s.call('DELETE', `${ADMIN}/session`);
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^kyc_session=; .*Max-Age=0/);
    expect((await s.call('GET', `${ADMIN}/session`)).status).toBe(401);
  });

  it('ends a session after 30 idle minutes, and any session after 12 hours', async () => {
    const idle = await adminSession(srv, 'reviewer');
    offsetMs += 29 * 60_000;
    expect((await idle.call('GET', `${ADMIN}/session`)).status).toBe(200); // activity resets the idle timer
    offsetMs += 29 * 60_000;
    expect((await idle.call('GET', `${ADMIN}/session`)).status).toBe(200);
    offsetMs += 31 * 60_000;
    expect((await idle.call('GET', `${ADMIN}/session`)).status).toBe(401);

    const busy = await adminSession(srv, 'reviewer');
    const started = offsetMs;
    while (offsetMs - started < 12 * 3600_000 - 25 * 60_000) {
      offsetMs += 25 * 60_000;
      expect((await busy.call('GET', `${ADMIN}/session`)).status).toBe(200);
    }
    offsetMs = started + 12 * 3600_000 + 1000;
    expect((await busy.call('GET', `${ADMIN}/session`)).status).toBe(401);
  });

  it('a disabled operator is signed out at once and cannot sign in again (401)', async () => {
    const { email, password } = await createTestOperator(srv, 'admin');
    const first = await signIn(srv, email, password);
    const cookie = first.setCookie!.split(';')[0]!;
    await disableOperator(srv.app.runtime.operators, email);
    const res = await api(srv.baseUrl, 'GET', `${ADMIN}/keys`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(401);
    expect((await signIn(srv, email, password)).status).toBe(401);
  });
});

describe('sign-in backoff', () => {
  let lockSrv: TestServer;
  beforeAll(async () => {
    lockSrv = await startTestServer();
  });
  afterAll(() => lockSrv.stop());

  it('locks an account after 5 failures (429 with Retry-After, even with the right password), for unknown emails too', async () => {
    const { email, password } = await createTestOperator(lockSrv, 'admin');
    for (let i = 0; i < 5; i++) expect((await signIn(lockSrv, email, 'wrong')).status).toBe(401);
    const locked = await signIn(lockSrv, email, password);
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same answer for an email that does not exist: no enumeration through the lockout.
    for (let i = 0; i < 5; i++) expect((await signIn(lockSrv, 'ghost@example.com', 'wrong')).status).toBe(401);
    expect((await signIn(lockSrv, 'ghost@example.com', 'wrong')).status).toBe(429);
  });

  it('blocks an IP address after 20 failures across accounts', async () => {
    for (let i = 0; i < 10; i++) await signIn(lockSrv, `spray${i}@example.com`, 'wrong');
    const { email, password } = await createTestOperator(lockSrv, 'reviewer');
    expect((await signIn(lockSrv, email, password)).status).toBe(429);
  });
});

describe('authorization matrix (every operator route of the route table)', () => {
  // The session tests above moved the clock past the first sessions' lifetime.
  beforeAll(async () => {
    admin = await adminSession(srv, 'admin');
    reviewer = await adminSession(srv, 'reviewer');
  });

  it('has operator routes for keys, flows, webhooks, verifications, review and audit', () => {
    const paths = new Set(operatorRoutes.map((r) => r.path));
    for (const p of [
      'keys',
      'flows',
      'webhooks',
      'verifications',
      'verifications/{id}',
      'verifications/{id}/review',
      'audit',
    ])
      expect(paths).toContain(`${ADMIN}/${p}`);
  });

  it('signed out: 401 on every operator route', async () => {
    for (const r of operatorRoutes) {
      const res = await api(srv.baseUrl, r.method, concrete(r.path), { body: r.method === 'GET' ? undefined : {} });
      expect([r.id, res.status]).toEqual([r.id, 401]);
      expect(res.json.error.code).toBe('unauthorized');
    }
  });

  it('missing or wrong X-CSRF-Token: 403 on every state-changing route, even for an admin', async () => {
    for (const r of operatorRoutes.filter((x) => x.method !== 'GET')) {
      const missing = await admin.call(r.method, concrete(r.path), { body: {}, csrf: false });
      expect([r.id, missing.status, missing.json.error.code]).toEqual([r.id, 403, 'csrf_token_invalid']);
      const wrong = await admin.call(r.method, concrete(r.path), { body: {}, csrf: 'forged' });
      expect([r.id, wrong.status]).toEqual([r.id, 403]);
    }
  });

  it('reviewer: 403 on every admin-only route (keys, flows, webhooks), allowed on the others', async () => {
    const adminOnly = operatorRoutes.filter((r) => !r.roles?.includes('reviewer'));
    expect(adminOnly.map((r) => r.id)).toEqual(
      expect.arrayContaining(['adminMintKey', 'adminCreateFlow', 'adminUpdateFlow', 'adminCreateWebhook']),
    );
    for (const r of adminOnly) {
      const res = await reviewer.call(r.method, concrete(r.path), { body: r.method === 'GET' ? undefined : {} });
      expect([r.id, res.status, res.json.error.code]).toEqual([r.id, 403, 'forbidden']);
    }
    for (const path of ['verifications', 'review-queue', 'audit'])
      expect((await reviewer.call('GET', `${ADMIN}/${path}`)).status).toBe(200);
  });
});

describe('keys', () => {
  it('mints a key bound to a flow (key and secret once), lists it without them, revokes it', async () => {
    const minted = await admin.call('POST', `${ADMIN}/keys`, {
      body: { mode: 'test', flowId: srv.defaultFlow.id, name: 'backend' },
    });
    expect(minted.status).toBe(201);
    const { key, secret, keyId } = minted.json.data;
    expect(key).toMatch(/^nextcap_kk_test_/);
    expect(secret).toMatch(/^whsec_/);
    const created = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key, body: {} });
    expect(created.status).toBe(201);
    const list = await admin.call('GET', `${ADMIN}/keys`);
    const row = list.json.data.find((k: { keyId: string }) => k.keyId === keyId);
    expect(row).toMatchObject({ mode: 'test', flowId: srv.defaultFlow.id, name: 'backend', revokedAt: null });
    expect(row.prefix).toBe(key.slice(0, row.prefix.length));
    expect(row.lastUsedAt).not.toBeNull();
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(secret);
    const revoked = await admin.call('DELETE', `${ADMIN}/keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect((await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key, body: {} })).status).toBe(401);
    expect((await admin.call('DELETE', `${ADMIN}/keys/${keyId}`)).status).toBe(409);
  });

  it('refuses a mint without a known flow, naming the field', async () => {
    const res = await admin.call('POST', `${ADMIN}/keys`, { body: { mode: 'live', flowId: 'flow_unknown' } });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([{ field: 'flowId', issue: 'unknown flow' }]);
    const bad = await admin.call('POST', `${ADMIN}/keys`, { body: { mode: 'prod' } });
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['flowId', 'mode']);
  });
});

describe('flows', () => {
  it('creates a flow with the CLI settings, edits it, sets it default; the same validation as the CLI', async () => {
    const created = await admin.call('POST', `${ADMIN}/flows`, {
      body: { name: 'Docs + face', checks: ['document', 'faceMatch'], maxAttempts: 2, issuingCountries: ['FRA'] },
    });
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({
      name: 'Docs + face',
      checks: ['document', 'faceMatch'],
      steps: ['consent', 'document', 'selfie'],
      isDefault: false,
    });
    const id = created.json.data.id as string;
    const edited = await admin.call('PATCH', `${ADMIN}/flows/${id}`, {
      body: { retentionDays: 7, thresholds: { faceMatchMaxDistance: 0.5 }, minimumAge: 18 },
    });
    expect(edited.json.data).toMatchObject({ retentionDays: 7, minimumAge: 18, maxAttempts: 2 });
    expect(edited.json.data.thresholds.faceMatchMaxDistance).toBe(0.5);
    const invalid = await admin.call('PATCH', `${ADMIN}/flows/${id}`, { body: { maxAttempts: 0, checks: [] } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['checks', 'maxAttempts']);
    const turn = await admin.call('PATCH', `${ADMIN}/flows/${id}`, {
      body: { thresholds: { livenessMinTurnDegrees: 25 } },
    });
    expect(turn.json.data.thresholds.livenessMinTurnDegrees).toBe(25);
    // The removed landmark-ratio setting is named with its replacement, not ignored.
    const legacy = await admin.call('PATCH', `${ADMIN}/flows/${id}`, {
      body: { thresholds: { livenessMinYaw: 0.12 } },
    });
    expect(legacy.status).toBe(400);
    expect(legacy.json.error.details).toEqual([
      expect.objectContaining({
        field: 'thresholds.livenessMinYaw',
        issue: expect.stringContaining('replaced by livenessMinTurnDegrees'),
      }),
    ]);
    const def = await admin.call('POST', `${ADMIN}/flows/${id}/default`);
    expect(def.json.data.isDefault).toBe(true);
    const list = await admin.call('GET', `${ADMIN}/flows`);
    expect(list.json.data.filter((f: { isDefault: boolean }) => f.isDefault).map((f: { id: string }) => f.id)).toEqual([
      id,
    ]);
    await admin.call('POST', `${ADMIN}/flows/${srv.defaultFlow.id}/default`);
  });
});

describe('webhooks', () => {
  it('registers an endpoint for a key, sends a signed test event, shows the delivery log, redelivers', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const minted = await srv.mintKey('test');
      const reg = await admin.call('POST', `${ADMIN}/webhooks`, {
        body: { keyId: minted.keyId, url: receiver.url, events: ['verification.completed'] },
      });
      expect(reg.status).toBe(201);
      expect(reg.json.data).toMatchObject({ keyId: minted.keyId, mode: 'test', url: receiver.url });
      const id = reg.json.data.id as string;
      const test = await admin.call('POST', `${ADMIN}/webhooks/${id}/test`);
      expect(test.status).toBe(202);
      const [got] = await receiver.waitFor(1);
      expect(got!.json).toMatchObject({ event: 'verification.completed', data: { metadata: { test: true } } });
      let log = await admin.call('GET', `${ADMIN}/webhooks/${id}/deliveries`);
      for (let i = 0; i < 50 && log.json.data[0]?.status === 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        log = await admin.call('GET', `${ADMIN}/webhooks/${id}/deliveries`);
      }
      const [entry] = log.json.data;
      expect(entry).toMatchObject({ status: 'succeeded', lastStatusCode: 200, verificationId: null });
      expect(entry.requestBody).toBe(got!.raw.toString('utf8'));
      expect(entry.attempts).toHaveLength(1);
      expect(entry.attempts[0].latencyMs).toEqual(expect.any(Number));
      const list = await admin.call('GET', `${ADMIN}/webhooks`);
      const listed = list.json.data.find((e: { id: string }) => e.id === id);
      expect(listed.health).toMatchObject({ lastStatus: 'succeeded', lastStatusCode: 200 });
      const again = await admin.call('POST', `${ADMIN}/webhooks/${id}/deliveries/${entry.id}/redeliver`);
      expect(again.status).toBe(202);
      const [, second] = await receiver.waitFor(2);
      expect(second!.headers['webhook-id']).toBe(entry.id);
      expect((await admin.call('DELETE', `${ADMIN}/webhooks/${id}`)).status).toBe(200);
      expect((await admin.call('DELETE', `${ADMIN}/webhooks/${id}`)).status).toBe(404);
    } finally {
      await receiver.close();
    }
  });

  it('pages the delivery log with an opaque cursor and limit: every delivery once, newest first', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const minted = await srv.mintKey('test');
      const reg = await admin.call('POST', `${ADMIN}/webhooks`, {
        body: { keyId: minted.keyId, url: receiver.url, events: ['verification.completed'] },
      });
      const id = reg.json.data.id as string;
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) {
        const test = await admin.call('POST', `${ADMIN}/webhooks/${id}/test`);
        expect(test.status).toBe(202);
        sent.push(test.json.data.id as string);
      }
      const seen: Array<{ id: string; createdAt: string }> = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const page = await admin.call('GET', `${ADMIN}/webhooks/${id}/deliveries${query}`);
        expect(page.status).toBe(200);
        seen.push(...page.json.data);
        sizes.push(page.json.data.length);
        cursor = page.json.nextCursor;
      } while (cursor && sizes.length < 10);
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen.map((d) => d.id).sort()).toEqual([...sent].sort());
      const times = seen.map((d) => d.createdAt);
      expect(times).toEqual([...times].sort().reverse());
      const all = await admin.call('GET', `${ADMIN}/webhooks/${id}/deliveries`);
      expect(all.json).toMatchObject({ nextCursor: null });
      expect(all.json.data).toHaveLength(5);

      const forged = await admin.call('GET', `${ADMIN}/webhooks/${id}/deliveries?cursor=forged`);
      expect(forged.status).toBe(400);
      expect(forged.json.error.details[0].field).toBe('cursor');
      const tooMany = await admin.call('GET', `${ADMIN}/webhooks/${id}/deliveries?limit=1000`);
      expect(tooMany.status).toBe(400);
      expect(tooMany.json.error.details[0].field).toBe('limit');
      await receiver.waitFor(5);
    } finally {
      await receiver.close();
    }
  });

  it('applies the integrator URL policy (https for live keys)', async () => {
    const live = await srv.mintKey('live');
    const res = await admin.call('POST', `${ADMIN}/webhooks`, {
      body: { keyId: live.keyId, url: 'http://127.0.0.1:1/hook', events: ['verification.completed'] },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details[0].field).toBe('url');
  });
});

describe('verifications', () => {
  it('filters by status, decision, mode, flow, email and created range, with cursor pagination', async () => {
    const minted = await srv.mintKey('test');
    const from = clock.now().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await reviewCase(minted.key));
    const other = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, {
      key: minted.key,
      body: { applicantEmail: 'someone.else@example.com' },
    });
    const q = async (query: string) => (await admin.call('GET', `${ADMIN}/verifications?${query}`)).json;
    const reviewIds = (await q(`status=review&createdFrom=${encodeURIComponent(from)}`)).data.map(
      (v: { verificationId: string }) => v.verificationId,
    );
    expect(reviewIds).toEqual([...ids].reverse());
    expect((await q(`decision=review&mode=test&createdFrom=${encodeURIComponent(from)}`)).data).toHaveLength(3);
    expect((await q(`mode=live&createdFrom=${encodeURIComponent(from)}`)).data).toHaveLength(0);
    const byEmail = await q('email=SOMEONE.ELSE@example.com');
    expect(byEmail.data.map((v: { verificationId: string }) => v.verificationId)).toEqual([other.json.data.id]);
    expect((await q(`flowId=${srv.defaultFlow.id}&createdFrom=${encodeURIComponent(from)}`)).data).toHaveLength(4);
    expect(
      (await q(`createdTo=${encodeURIComponent(from)}&createdFrom=${encodeURIComponent(from)}`)).data,
    ).toHaveLength(0);
    const page1 = await q(`limit=2&createdFrom=${encodeURIComponent(from)}`);
    expect(page1.data).toHaveLength(2);
    const page2 = await q(`limit=2&createdFrom=${encodeURIComponent(from)}&cursor=${page1.nextCursor}`);
    expect(page2.data).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    const bad = await admin.call('GET', `${ADMIN}/verifications?status=maybe&limit=1000`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'status']);
  });

  it('shows the detail: data shape, attempts, consent, deliveries, audit trail; streams a capture only with a session', async () => {
    const minted = await srv.mintKey('test');
    const id = await reviewCase(minted.key);
    const deps = srv.app.runtime.deps;
    await deps.blobs.put(`captures/${id}/1/selfie.jpg`, Buffer.from('jpeg-bytes'), 'image/jpeg');
    await deps.store.captures.create({
      id: 'cap_adminview1',
      verificationId: id,
      attempt: 1,
      kind: 'selfie',
      index: 0,
      blobKey: `captures/${id}/1/selfie.jpg`,
      contentType: 'image/jpeg',
      bytes: 10,
      width: 10,
      height: 10,
      status: 'uploaded',
      sha256: deps.crypto.sha256Hex(Buffer.from('jpeg-bytes')),
      uploadExpiresAt: new Date().toISOString(),
      createdAt: new Date().toISOString(),
    });
    const detail = await reviewer.call('GET', `${ADMIN}/verifications/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.json.data).toMatchObject({
      verificationId: id,
      status: 'review',
      review: null,
      applicantEmail: 'Applicant.One@example.com',
      metadata: { orderId: 'A-1' },
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
    });
    expect(detail.json.data.audit.map((e: { type: string }) => e.type)).toContain('verification.finalized');
    const href = `/api/v1/admin/verifications/${id}/captures/cap_adminview1`;
    const image = await fetch(`${srv.baseUrl}${href}`, { headers: { Cookie: reviewer.cookie } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(await image.arrayBuffer()).toString()).toBe('jpeg-bytes');
    expect((await fetch(`${srv.baseUrl}${href}`)).status).toBe(401);
    const trail = await reviewer.call('GET', `${ADMIN}/audit?verificationId=${id}`);
    expect(trail.json.data[0]).toMatchObject({ type: 'capture.viewed', actor: `operator:${reviewer.email}` });
  });
});

describe('tenancy', () => {
  it('an operator of another organisation gets 404 for every resource of this one, and sees none in lists', async () => {
    const { org: otherOrg } = await srv.createOrg('enterprise');
    const outsider = await adminSession(srv, 'admin', { orgId: otherOrg.id });
    const minted = await srv.mintKey('test');
    const receiver = await startReceiver(() => 200);
    try {
      const hook = await admin.call('POST', `${ADMIN}/webhooks`, {
        body: { keyId: minted.keyId, url: receiver.url, events: ['verification.completed'] },
      });
      const hookId = hook.json.data.id as string;
      const test = await admin.call('POST', `${ADMIN}/webhooks/${hookId}/test`);
      const vid = await reviewCase(minted.key);
      // A capture of this verification, so the outsider's 404 on the capture route is about the organisation.
      const deps = srv.app.runtime.deps;
      const captureBytes = Buffer.from('tenant-jpeg');
      await deps.blobs.put(`captures/${vid}/1/selfie.jpg`, captureBytes, 'image/jpeg');
      await deps.store.captures.create({
        id: 'cap_tenancy1',
        verificationId: vid,
        attempt: 1,
        kind: 'selfie',
        index: 0,
        blobKey: `captures/${vid}/1/selfie.jpg`,
        contentType: 'image/jpeg',
        bytes: captureBytes.length,
        width: 10,
        height: 10,
        status: 'uploaded',
        sha256: deps.crypto.sha256Hex(captureBytes),
        uploadExpiresAt: new Date().toISOString(),
        createdAt: new Date().toISOString(),
      });
      const ids = {
        keys: minted.keyId,
        flows: srv.defaultFlow.id,
        webhooks: hookId,
        deliveryId: test.json.data.id as string,
        verifications: vid,
        captureId: 'cap_tenancy1',
      };
      const pathOf = (r: RouteDef) => {
        const resource = r.path.slice(ADMIN.length + 1).split('/')[0] as keyof typeof ids;
        return concrete(r.path, { id: ids[resource], deliveryId: ids.deliveryId, captureId: ids.captureId });
      };
      // The same paths answer the owning organisation: every GET is 200, so each 404 below is the tenancy check.
      for (const r of operatorRoutes.filter((x) => x.path.includes('{id}') && x.method === 'GET')) {
        const res = await admin.call('GET', pathOf(r));
        expect([r.id, res.status]).toEqual([r.id, 200]);
      }
      for (const r of operatorRoutes.filter((x) => x.path.includes('{id}'))) {
        const path = pathOf(r);
        const body =
          r.id === 'adminDecideReview'
            ? { decision: 'approved', note: 'outsider' }
            : r.id === 'adminUpdateFlow'
              ? { name: 'hijack' }
              : r.id === 'adminRotateKeySecret'
                ? { overlapSeconds: 0 }
                : undefined;
        const res = await outsider.call(r.method, path, { body });
        expect([r.id, res.status]).toEqual([r.id, 404]);
      }
      expect((await outsider.call('GET', `${ADMIN}/audit?verificationId=${vid}`)).status).toBe(404);
      const lists = await Promise.all(
        ['keys', 'flows', 'webhooks', 'verifications', 'review-queue', 'audit'].map((p) =>
          outsider.call('GET', `${ADMIN}/${p}`),
        ),
      );
      const text = lists.map((l) => l.text).join('\n');
      for (const id of [minted.keyId, srv.defaultFlow.id, hookId, vid]) expect(text).not.toContain(id);
      // Nothing of this org changed.
      expect((await admin.call('GET', `${ADMIN}/verifications/${vid}`)).json.data.status).toBe('review');
    } finally {
      await receiver.close();
    }
  });
});

describe('audit log', () => {
  it('records operator actions with the operator as actor, newest first, paginated', async () => {
    await admin.call('POST', `${ADMIN}/flows`, { body: { name: 'Audited flow' } });
    const page = await reviewer.call('GET', `${ADMIN}/audit?limit=1`);
    expect(page.json.data).toHaveLength(1);
    expect(page.json.data[0]).toMatchObject({
      type: 'flow.created',
      actor: `operator:${admin.email}`,
      verificationId: null,
    });
    const next = await reviewer.call('GET', `${ADMIN}/audit?limit=1&cursor=${page.json.nextCursor}`);
    expect(next.json.data[0].id).not.toBe(page.json.data[0].id);
  });
});
