import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { revokeKey } from '../../functions/app/admin';
import { buildApplicantOpenApiDocument } from '../../functions/http/openapi';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { groupCommitFor } from '../../functions/adapters/sqlite/group-commit';

const BASE = '/api/v1/external/kyc';

let srv: TestServer;
let testKey: string;
let liveKey: string;

beforeAll(async () => {
  srv = await startTestServer();
  testKey = (await srv.mintKey('test')).key;
  liveKey = (await srv.mintKey('live')).key;
});
afterAll(() => srv.stop());

const create = (body: unknown, key = testKey, headers: Record<string, string> = {}) =>
  api(srv.baseUrl, 'POST', `${BASE}/verifications`, { key, body, headers });

function expectError(res: { status: number; json: any }, status: number, code: string, field?: string) {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
  if (field) expect(res.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

describe('POST /verifications', () => {
  it('creates a pending verification with the spec shape', async () => {
    const before = Date.now();
    const res = await create({ applicantEmail: 'user@example.com', metadata: { orderId: 'A-1234' } });
    expect(res.status).toBe(201);
    const d = res.json.data;
    expect(Object.keys(d).sort()).toEqual(['clientToken', 'expiresAt', 'id', 'status', 'verifyUrl']);
    expect(d.id).toMatch(/^vrf_[a-z0-9]{20}$/);
    expect(d.status).toBe('pending');
    expect(Buffer.from(d.clientToken, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(d.verifyUrl).toBe(`${srv.baseUrl}/v/${d.id}?token=${d.clientToken}`);
    const lifetimeMs = srv.defaultFlow.linkLifetimeSeconds * 1000;
    expect(Date.parse(d.expiresAt)).toBeGreaterThanOrEqual(before + lifetimeMs - 1000);
    expect(Date.parse(d.expiresAt)).toBeLessThanOrEqual(Date.now() + lifetimeMs + 1000);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('stores the client token only as a hash', async () => {
    const res = await create({});
    const stored = await srv.app.runtime.deps.store.verifications.get(res.json.data.id);
    expect(JSON.stringify(stored)).not.toContain(res.json.data.clientToken);
  });

  it('gives every verification a different id and token', async () => {
    const a = await create({});
    const b = await create({});
    expect(a.json.data.id).not.toBe(b.json.data.id);
    expect(a.json.data.clientToken).not.toBe(b.json.data.clientToken);
  });

  it.each([
    [{ applicantEmail: 'not-an-email' }, 'applicantEmail'],
    [{ locale: 'de' }, 'locale'],
    [{ locale: 'not a tag!' }, 'locale'],
    [{ returnUrl: 'http://example.com/done' }, 'returnUrl'],
    [{ returnUrl: 'ftp://example.com/done' }, 'returnUrl'],
    [{ returnUrl: 'https://user:pw@example.com/' }, 'returnUrl'],
    [{ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 'metadata'],
    [{ metadata: { ['k'.repeat(41)]: 1 } }, `metadata.${'k'.repeat(41)}`],
    [{ metadata: { note: 'x'.repeat(501) } }, 'metadata.note'],
    [{ metadata: { nested: { a: 1 } } }, 'metadata.nested'],
    [{ unexpected: true }, 'unexpected'],
    [{ applicantEmail: 42 }, 'applicantEmail'],
  ])('rejects %j naming the field', async (body, field) => {
    expectError(await create(body), 400, 'validation_error', field);
  });

  it('accepts supported locales with regions, https returnUrl and http for localhost', async () => {
    for (const body of [
      { locale: 'fr-CA' },
      { locale: 'ar' },
      { returnUrl: 'https://shop.example.com/kyc/done' },
      { returnUrl: 'http://localhost:8080/done' },
    ]) {
      expect((await create(body)).status).toBe(201);
    }
  });

  it('answers 413 for a body over 64 KB', async () => {
    expectError(await create({ metadata: { a: 'x'.repeat(70 * 1024) } }), 413, 'payload_too_large');
  });

  it('answers 415 for a non-JSON content type and 400 for malformed JSON or a non-object', async () => {
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications`, {
        key: testKey,
        rawBody: 'applicantEmail=a',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported_media_type',
    );
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications`, {
        key: testKey,
        rawBody: '{"a":',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'invalid_json',
    );
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications`, {
        key: testKey,
        rawBody: '[1,2]',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'validation_error',
      'body',
    );
  });

  it('rejects requests that carry a browser Origin', async () => {
    expectError(await create({}, testKey, { Origin: 'https://evil.example' }), 403, 'browser_requests_forbidden');
    expectError(
      await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: testKey, headers: { Origin: 'null' } }),
      403,
      'browser_requests_forbidden',
    );
  });

  it('answers 401 that reveals nothing for missing, malformed, unknown and revoked keys', async () => {
    const minted = await srv.mintKey('test');
    await revokeKey(srv.app.runtime.deps, srv.org.id, minted.keyId);
    const bodies = [];
    for (const key of ['', 'nope', `nextcap_kk_test_${'A'.repeat(43)}`, minted.key]) {
      const res = await create({}, key);
      expectError(res, 401, 'unauthorized');
      bodies.push(res.text);
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it('refuses organisations without the enterprise plan', async () => {
    const { org } = await srv.createOrg('pro');
    const key = await srv.mintKey('test', { orgId: org.id });
    expectError(await create({}, key.key), 403, 'feature_not_enabled');
  });

  it('lets the key decide the flow: a bound key sent a flowId gets 400', async () => {
    expectError(await create({ flowId: srv.defaultFlow.id }), 400, 'validation_error', 'flowId');
  });

  it('lets legacy keys use the default flow or choose one with flowId', async () => {
    const other = await srv.createFlow({ name: 'Document only', checks: ['document'], linkLifetimeSeconds: 600 });
    const legacy = await srv.mintKey('test', { legacy: true });
    expect(legacy.flowId).toBeNull();
    const a = await create({}, legacy.key);
    const b = await create({ flowId: other.id }, legacy.key);
    expect(
      (await api(srv.baseUrl, 'GET', `${BASE}/verifications/${a.json.data.id}`, { key: legacy.key })).json.data.flowId,
    ).toBe(srv.defaultFlow.id);
    expect(
      (await api(srv.baseUrl, 'GET', `${BASE}/verifications/${b.json.data.id}`, { key: legacy.key })).json.data.flowId,
    ).toBe(other.id);
    expect(Date.parse(b.json.data.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expectError(await create({ flowId: 'flow_unknown' }, legacy.key), 400, 'validation_error', 'flowId');
  });

  it('binds a key to the flow it was minted for', async () => {
    const flow = await srv.createFlow({ name: 'Bound', checks: ['document', 'faceMatch'] });
    const bound = await srv.mintKey('test', { flowId: flow.id });
    const v = await create({}, bound.key);
    expect(
      (await api(srv.baseUrl, 'GET', `${BASE}/verifications/${v.json.data.id}`, { key: bound.key })).json.data.flowId,
    ).toBe(flow.id);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body', async () => {
    const h = { 'Idempotency-Key': `idem-${Date.now()}` };
    const a = await create({ metadata: { orderId: 'I-1' } }, testKey, h);
    const b = await create({ metadata: { orderId: 'I-1' } }, testKey, h);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json).toEqual(a.json);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 409 for the same key with a different body', async () => {
    const h = { 'Idempotency-Key': `idem2-${Date.now()}` };
    expect((await create({ metadata: { orderId: 'I-2' } }, testKey, h)).status).toBe(201);
    expectError(
      await create({ metadata: { orderId: 'I-3' } }, testKey, h),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
  });

  it('keeps no client token in the database: the stored response is sealed; expired records are deleted', async () => {
    const key = `idem4-${Date.now()}`;
    const a = await create({ metadata: { orderId: 'I-4' } }, testKey, { 'Idempotency-Key': key });
    const token: string = a.json.data.clientToken;
    expect(token.length).toBeGreaterThan(16);
    groupCommitFor(srv.app.runtime.db).flush();
    for (const file of filesUnder(srv.dataDir)) expect(readFileSync(file).includes(token)).toBe(false);
    // The replay still hands back the same token and link.
    const b = await create({ metadata: { orderId: 'I-4' } }, testKey, { 'Idempotency-Key': key });
    expect(b.json.data.clientToken).toBe(token);
    expect(b.json.data.verifyUrl).toBe(a.json.data.verifyUrl);

    const db = srv.app.runtime.db;
    const expiredCount = (now: string) =>
      (db.prepare('SELECT COUNT(*) AS n FROM idempotency WHERE expires_at <= ?').get(now) as { n: number }).n;
    const dayLater = new Date(Date.now() + 25 * 3600_000).toISOString();
    expect(expiredCount(dayLater)).toBeGreaterThan(0);
    // Any later claim deletes the records that expired by then.
    await srv.app.runtime.deps.store.idempotency.claim(
      {
        scope: 'key_other:later',
        claimId: 'idm_later',
        requestHash: 'a'.repeat(64),
        response: null,
        createdAt: dayLater,
        leaseExpiresAt: dayLater,
        expiresAt: dayLater,
      },
      dayLater,
    );
    expect(expiredCount(new Date(Date.parse(dayLater) - 1).toISOString())).toBe(0);
  });

  it('scopes keys per API key and releases them when the request fails', async () => {
    const h = { 'Idempotency-Key': `idem3-${Date.now()}` };
    expect((await create({ applicantEmail: 'bad' }, testKey, h)).status).toBe(400);
    expect((await create({}, testKey, h)).status).toBe(201);
    const other = await srv.mintKey('test');
    const c = await create({}, other.key, h);
    expect(c.status).toBe(201);
  });
});

describe('GET /verifications/:id', () => {
  it('returns the webhook data shape with decision null while pending, echoing metadata', async () => {
    const created = await create({ metadata: { orderId: 'A-1', vip: true, score: 3, none: null } });
    const res = await api(srv.baseUrl, 'GET', `${BASE}/verifications/${created.json.data.id}`, { key: testKey });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({
      verificationId: created.json.data.id,
      status: 'pending',
      decision: null,
      declineType: null,
      reasonCodes: [],
      riskFlags: [],
      mode: 'test',
      completedAt: null,
      metadata: { orderId: 'A-1', vip: true, score: 3, none: null },
    });
    expect(res.json.data.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("answers 404 for unknown ids and for another organisation's verification", async () => {
    const { org } = await srv.createOrg('enterprise');
    const otherKey = await srv.mintKey('test', { orgId: org.id });
    const theirs = await create({}, otherKey.key);
    expectError(
      await api(srv.baseUrl, 'GET', `${BASE}/verifications/${theirs.json.data.id}`, { key: testKey }),
      404,
      'not_found',
    );
    expectError(
      await api(srv.baseUrl, 'GET', `${BASE}/verifications/vrf_doesnotexist`, { key: testKey }),
      404,
      'not_found',
    );
    expectError(
      await api(srv.baseUrl, 'GET', `${BASE}/verifications/${encodeURIComponent("'; drop table")}`, { key: testKey }),
      404,
      'not_found',
    );
  });
});

describe('key mode scope', () => {
  it('test keys cannot read live verifications, nor live keys test ones: 404 as for another organisation', async () => {
    const live = await create({ metadata: { orderId: 'L-1' } }, liveKey);
    const test = await create({ metadata: { orderId: 'T-1' } }, testKey);
    const read = (id: string, key: string) => api(srv.baseUrl, 'GET', `${BASE}/verifications/${id}`, { key });
    expectError(await read(live.json.data.id, testKey), 404, 'not_found');
    expectError(await read(test.json.data.id, liveKey), 404, 'not_found');
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications/${live.json.data.id}/simulate`, {
        key: testKey,
        body: { decision: 'approved' },
      }),
      404,
      'not_found',
    );
    expect((await read(live.json.data.id, liveKey)).json.data.metadata).toEqual({ orderId: 'L-1' });
    expect((await read(test.json.data.id, testKey)).json.data.metadata).toEqual({ orderId: 'T-1' });
  });
});

describe('POST /verifications/:id/simulate', () => {
  it('drives a test verification to the chosen outcome', async () => {
    const v = await create({});
    const res = await api(srv.baseUrl, 'POST', `${BASE}/verifications/${v.json.data.id}/simulate`, {
      key: testKey,
      body: {
        decision: 'declined',
        declineType: 'final',
        reasonCodes: ['EXPIRATION_DATE'],
        riskFlags: ['DOCUMENT_NUMBER_REUSED'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({
      status: 'declined',
      decision: 'declined',
      declineType: 'final',
      reasonCodes: ['EXPIRATION_DATE'],
      riskFlags: ['DOCUMENT_NUMBER_REUSED'],
      mode: 'test',
    });
    expect(res.json.data.completedAt).not.toBeNull();
  });

  it('never overwrites a terminal state', async () => {
    const v = await create({});
    const path = `${BASE}/verifications/${v.json.data.id}/simulate`;
    expect((await api(srv.baseUrl, 'POST', path, { key: testKey, body: { decision: 'approved' } })).status).toBe(200);
    expectError(
      await api(srv.baseUrl, 'POST', path, { key: testKey, body: { decision: 'declined' } }),
      409,
      'verification_finished',
    );
    expect(
      (await api(srv.baseUrl, 'GET', `${BASE}/verifications/${v.json.data.id}`, { key: testKey })).json.data.decision,
    ).toBe('approved');
  });

  it('is refused for live keys and validates its body', async () => {
    const live = await create({}, liveKey);
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications/${live.json.data.id}/simulate`, {
        key: liveKey,
        body: { decision: 'approved' },
      }),
      403,
      'test_mode_only',
    );
    const v = await create({});
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications/${v.json.data.id}/simulate`, {
        key: testKey,
        body: { decision: 'maybe' },
      }),
      400,
      'validation_error',
      'decision',
    );
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/verifications/${v.json.data.id}/simulate`, {
        key: testKey,
        body: { decision: 'approved', reasonCodes: ['NOT_A_CODE'] },
      }),
      400,
      'validation_error',
      'reasonCodes.0',
    );
  });
});

describe('webhook endpoints', () => {
  it('registers, lists with health, and deletes', async () => {
    const created = await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
      key: testKey,
      body: { url: 'http://127.0.0.1:9/hooks/kyc', events: ['verification.completed', 'fraud.flagged'] },
    });
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({
      id: expect.stringMatching(/^whe_[a-z0-9]{20}$/),
      url: 'http://127.0.0.1:9/hooks/kyc',
      events: ['verification.completed', 'fraud.flagged'],
      mode: 'test',
    });
    expect(created.json.data.health).toMatchObject({ lastAttemptAt: null, consecutiveFailures: 0, successRate: null });
    const listed = await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: testKey });
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((e: { id: string }) => e.id)).toContain(created.json.data.id);
    const del = await api(srv.baseUrl, 'DELETE', `${BASE}/webhooks/${created.json.data.id}`, { key: testKey });
    expect(del.status).toBe(200);
    expect(del.json.data).toEqual({ id: created.json.data.id, deleted: true });
    expect(
      (await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: testKey })).json.data.map((e: { id: string }) => e.id),
    ).not.toContain(created.json.data.id);
    expectError(
      await api(srv.baseUrl, 'DELETE', `${BASE}/webhooks/${created.json.data.id}`, { key: testKey }),
      404,
      'not_found',
    );
  });

  it('validates events and URLs', async () => {
    const post = (body: unknown, key = testKey) => api(srv.baseUrl, 'POST', `${BASE}/webhooks`, { key, body });
    expectError(
      await post({ url: 'https://example.com/h', events: ['verification.exploded'] }),
      400,
      'validation_error',
      'events.0',
    );
    expectError(await post({ url: 'https://example.com/h', events: [] }), 400, 'validation_error', 'events');
    expectError(await post({ url: 'not a url', events: ['verification.completed'] }), 400, 'validation_error', 'url');
    expectError(
      await post({ url: 'http://127.0.0.1:9/h', events: ['verification.completed'] }, liveKey),
      400,
      'validation_error',
      'url',
    );
  });

  it.each([
    'http://10.0.0.1/h',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:8080/h',
    'http://192.168.1.10/h',
    'http://[fd00:ec2::254]/h',
    'http://0.0.0.0/h',
    'http://100.64.1.1/h',
    'http://[::ffff:10.0.0.1]/h',
    'http://metadata.google.internal/h',
  ])('blocks the non-public address %s (SSRF guard)', async (url) => {
    expectError(
      await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
        key: testKey,
        body: { url, events: ['verification.completed'] },
      }),
      400,
      'validation_error',
      'url',
    );
  });

  it('keeps live and test endpoints apart', async () => {
    const live = await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
      key: liveKey,
      body: { url: 'https://93.184.215.14/h', events: ['verification.completed'] },
    });
    expect(live.status).toBe(201);
    const testList = await api(srv.baseUrl, 'GET', `${BASE}/webhooks`, { key: testKey });
    expect(testList.json.data.map((e: { id: string }) => e.id)).not.toContain(live.json.data.id);
    expectError(
      await api(srv.baseUrl, 'DELETE', `${BASE}/webhooks/${live.json.data.id}`, { key: testKey }),
      404,
      'not_found',
    );
  });
});

describe('routing and reference', () => {
  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const res = await api(srv.baseUrl, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    for (const p of [
      '/verifications',
      '/verifications/{id}',
      '/webhooks',
      '/webhooks/{id}',
      '/verifications/{id}/simulate',
    ])
      expect(res.json.paths[`${BASE}${p}`]).toBeDefined();
    const body = res.json.paths[`${BASE}/verifications`].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties).sort()).toEqual([
      'applicantEmail',
      'flowId',
      'locale',
      'metadata',
      'returnUrl',
    ]);
    expect(body.additionalProperties).toBe(false);
  });

  it('serves the applicant API document at the applicant base, without a token', async () => {
    const res = await api(srv.baseUrl, 'GET', '/api/v1/applicant/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual(buildApplicantOpenApiDocument(srv.baseUrl));
    expect(Object.keys(res.json.paths)).toContain('/api/v1/applicant/session');
  });

  it('answers a path parameter that is not valid percent-encoding with 404, not 500 (found by the contract fuzz)', async () => {
    for (const id of ['%E0%A4%A', '%zz', '%'])
      expectError(
        await api(srv.baseUrl, 'GET', `${BASE}/verifications/${id}`, { key: testKey }),
        404,
        'route_not_found',
      );
  });

  it('answers unknown routes with 404 and wrong methods with 405, in the error shape', async () => {
    expectError(await api(srv.baseUrl, 'GET', `${BASE}/nope`, { key: testKey }), 404, 'route_not_found');
    const res = await api(srv.baseUrl, 'PUT', `${BASE}/verifications`, { key: testKey, body: {} });
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('webhook registration offline', () => {
  it("accepts the spec's example URL even when DNS cannot resolve it (delivery re-checks)", async () => {
    const res = await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
      key: testKey,
      body: { url: 'https://crm.example.invalid/hooks/kyc', events: ['verification.completed', 'fraud.flagged'] },
    });
    expect(res.status).toBe(201);
  });
});

/** Every file under a directory (the SQLite database, its WAL, blobs, keys). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}
