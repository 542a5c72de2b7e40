import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { updateFlow } from '../../functions/app/admin';
import { MAX_UPLOAD_BYTES_PER_ATTEMPT, MAX_UPLOAD_SLOTS_PER_ATTEMPT } from '../../functions/app/applicant/uploads';
import type { DocumentCheckInput, DocumentCheckResult } from '../../functions/ports/checks';
import { ScriptedProvider, checkResult } from '../pipeline/scripted-provider';
import { makeCapture } from '../support/builders';
import { tinySequence } from '../support/liveness-sequences';
import { APPLICANT, type ApplicantClient, newApplicant, registerWebhook } from '../support/applicant-client';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

/**
 * The applicant API against the real local server (HTTP, SQLite, file blobs, worker). The checks are
 * scripted (the real models run in test/pipeline/e2e-pipeline.test.ts); everything else is the product.
 */

import { TESTDATA } from '../support/testdata';
const JPEG = readFileSync(join(TESTDATA, 'liveness/person_a/frame_019.jpg'));

/** Document checks wait for this gate to open, so a test can observe a session while its checks run. */
class GatedProvider extends ScriptedProvider {
  gate: Promise<void> = Promise.resolve();
  override async checkDocument(input: DocumentCheckInput): Promise<DocumentCheckResult> {
    await this.gate;
    return super.checkDocument(input);
  }
}

/** A wall clock the test can move forward (expiry of links and upload slots). */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

let srv: TestServer;
let provider: GatedProvider;
let testKey: string;
let liveKey: string;
let PNG: Buffer;

beforeAll(async () => {
  provider = new GatedProvider();
  // Sweeps only at start-up: the expiry tests move the clock and must see the un-swept state.
  srv = await startTestServer({ checks: async () => provider, clock, env: { KYC_SWEEP_INTERVAL_SECONDS: '3600' } });
  testKey = (await srv.mintKey('test')).key;
  liveKey = (await srv.mintKey('live')).key;
  PNG = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
});
afterAll(() => srv.stop());
afterEach(() => {
  clock.offsetMs = 0;
  provider.gate = Promise.resolve();
});

const deps = () => srv.app.runtime.deps;

function expectError(res: { status: number; json: any }, status: number, code: string, field?: string) {
  expect({ status: res.status, body: res.json }).toEqual({
    status,
    body: { error: { code, message: expect.any(String), details: expect.any(Array) } },
  });
  if (field) expect(res.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

async function consented(key = liveKey, body: Record<string, unknown> = {}) {
  const s = await newApplicant(srv.baseUrl, key, body);
  expect((await s.client.consent()).status).toBe(200);
  return s;
}

/** Uploads every capture a live default-flow session needs: passport front, selfie, one frame per prompt. */
async function uploadAll(client: ApplicantClient, selfie: Buffer = JPEG): Promise<void> {
  const session = (await client.session()).json.data;
  await client.upload('document_front', 0, JPEG);
  await client.upload('selfie', 0, selfie);
  for (let i = 0; i < session.challenge.prompts.length; i++) await client.upload('liveness_frame', i, JPEG);
  await client.upload('liveness_sequence', 0, tinySequence(JPEG), 'application/vnd.kyc.frame-sequence');
}

/** A PNG signature and an IHDR chunk declaring the size: a few dozen bytes that would decode to gigabytes. */
function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr[16] = 8;
  ihdr[17] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(64)]);
}

/** SOI then a baseline SOF0 declaring the size. */
function jpegBomb(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
  ]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.alloc(64)]);
}

describe('authorization by client token', () => {
  it('refuses a missing, malformed or unknown token with 401 invalid_token on every route', async () => {
    const { client } = await consented();
    const slot = await client.requestUpload('selfie');
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/session'],
      ['POST', '/consent', { accepted: true, textVersion: '2026-11-01', locale: 'en' }],
      ['POST', '/uploads', { kind: 'selfie', index: 0, contentType: 'image/jpeg' }],
      ['POST', `/uploads/${slot.json.data.captureId}/complete`, {}],
      ['POST', '/submit', {}],
      ['POST', '/simulate', { decision: 'approved' }],
    ];
    for (const [method, path, body] of routes) {
      for (const authorization of [
        undefined,
        'Bearer',
        `Basic ${client.token}`,
        'Bearer not-a-real-token-but-well-formed-0123456789',
        `Bearer ${client.token}x`,
      ]) {
        const res = await api(srv.baseUrl, method, `${APPLICANT}${path}`, {
          body,
          headers: authorization ? { Authorization: authorization } : {},
        });
        expectError(res, 401, 'invalid_token');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
    const put = await client.putBytes(
      slot.json.data.upload.url,
      JPEG,
      'image/jpeg',
      'unknown-token-unknown-token-unknown',
    );
    expectError(put, 401, 'invalid_token');
    // The token is checked before the body: an unauthenticated caller learns nothing from validation.
    expectError(
      await api(srv.baseUrl, 'POST', `${APPLICANT}/consent`, { body: { accepted: 'maybe' } }),
      401,
      'invalid_token',
    );
  });

  it("opens only the token's own verification: another session's captures are invisible", async () => {
    const a = await consented();
    const b = await consented();
    expect((await a.client.session()).json.data.verificationId).toBe(a.id);
    expect((await b.client.session()).json.data.verificationId).toBe(b.id);

    const slotA = (await a.client.requestUpload('selfie')).json.data;
    expectError(await b.client.putBytes(slotA.upload.url, JPEG), 404, 'not_found');
    expect(await deps().blobs.get((await deps().store.captures.get(a.id, slotA.captureId))!.blobKey)).toBeNull();
    expect((await a.client.putBytes(slotA.upload.url, JPEG)).status).toBe(204);
    expectError(await b.client.complete(slotA.captureId), 404, 'not_found');
    expect((await deps().store.captures.get(a.id, slotA.captureId))?.status).toBe('requested');
    expect((await a.client.complete(slotA.captureId)).status).toBe(200);
  });

  it('answers 401 session_expired once the link is past expiresAt', async () => {
    const { client } = await consented();
    clock.offsetMs = srv.defaultFlow.linkLifetimeSeconds * 1000 + 1000;
    expectError(await client.session(), 401, 'session_expired');
    expectError(await client.consent(), 401, 'session_expired');
    expectError(await client.requestUpload('selfie'), 401, 'session_expired');
    expectError(await client.submit(), 401, 'session_expired');
    clock.offsetMs = 0;
    expect((await client.session()).status).toBe(200);
  });

  it('still shows a finished session after expiry (read only), so the page can show the result', async () => {
    const { client } = await consented(testKey);
    await client.simulate({ decision: 'approved' });
    clock.offsetMs = srv.defaultFlow.linkLifetimeSeconds * 1000 + 1000;
    const res = await client.session();
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ status: 'approved', decision: 'approved' });
    expectError(await client.simulate({ decision: 'approved' }), 401, 'session_expired');
  });

  it('keeps the API headers on every answer and accepts browser requests (Origin)', async () => {
    const { client } = await consented();
    const ok = await client.call('GET', '/session', undefined, { Origin: srv.baseUrl });
    expect(ok.status).toBe(200);
    const bad = await api(srv.baseUrl, 'GET', `${APPLICANT}/session`);
    for (const res of [ok, bad]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});

describe('GET /session', () => {
  it('describes the session for the page', async () => {
    const { id, client } = await newApplicant(srv.baseUrl, liveKey, {
      locale: 'fr',
      returnUrl: 'https://shop.example.com/kyc/done',
    });
    const res = await client.session();
    expect(res.status).toBe(200);
    const d = res.json.data;
    expect(d).toEqual({
      verificationId: id,
      status: 'pending',
      mode: 'live',
      locale: 'fr',
      expiresAt: expect.any(String),
      returnUrl: 'https://shop.example.com/kyc/done',
      steps: ['consent', 'document', 'selfie', 'liveness'],
      document: {
        types: ['passport', 'id_card', 'driving_licence', 'residence_permit'],
        issuingCountries: [],
        needsBack: { passport: false, id_card: true, driving_licence: true, residence_permit: true },
      },
      consent: { given: false, textVersion: '2026-11-01' },
      challenge: { prompts: expect.any(Array), minTurnDegrees: 20 },
      liveness: { mode: 'challenge' },
      attempts: { used: 0, max: 3, left: 3 },
      lastAttempt: null,
      decision: null,
      declineType: null,
      reasonCodes: [],
    });
    const stored = await deps().store.verifications.get(id);
    expect(d.challenge.prompts).toEqual(stored?.challenge);
    expect(d.challenge.prompts).toHaveLength(srv.defaultFlow.livenessPrompts);
    expect(d.expiresAt).toBe(stored?.expiresAt);
  });

  it('derives steps, document and challenge from the flow', async () => {
    const flow = await srv.createFlow({
      name: 'doc only',
      checks: ['document'],
      documentTypes: ['passport'],
      issuingCountries: ['FRA'],
    });
    const key = (await srv.mintKey('live', { flowId: flow.id })).key;
    const { client } = await newApplicant(srv.baseUrl, key);
    const d = (await client.session()).json.data;
    expect(d.steps).toEqual(['consent', 'document']);
    expect(d.document).toMatchObject({ types: ['passport'], issuingCountries: ['FRA'] });
    expect(d.challenge).toBeNull();
  });
});

describe('POST /consent', () => {
  it('records text version, time, locale, IP and user agent, and audits without PII', async () => {
    const { id, client } = await newApplicant(srv.baseUrl, liveKey);
    const before = Date.now();
    const res = await client.call(
      'POST',
      '/consent',
      { accepted: true, textVersion: '2026-11-01', locale: 'fr-CA' },
      { 'User-Agent': 'Mozilla/5.0 (applicant)' },
    );
    expect(res.status).toBe(200);
    expect(res.json.data.consent).toEqual({ given: true, textVersion: '2026-11-01' });
    const consent = (await deps().store.verifications.get(id))?.consent;
    expect(consent).toEqual({
      accepted: true,
      textVersion: '2026-11-01',
      locale: 'fr-CA',
      at: expect.any(String),
      ip: expect.stringMatching(/127\.0\.0\.1$/),
      userAgent: 'Mozilla/5.0 (applicant)',
    });
    expect(Date.parse(consent!.at)).toBeGreaterThanOrEqual(before - 1000);

    // Accepting again keeps the first record.
    await client.call('POST', '/consent', { accepted: true, textVersion: '2026-11-01', locale: 'en' });
    expect((await deps().store.verifications.get(id))?.consent?.locale).toBe('fr-CA');

    const audit = await deps().store.audit.listByVerification(id);
    expect(audit.map((e) => e.type)).toContain('consent.accepted');
    expect(JSON.stringify(audit)).not.toMatch(/127\.0\.0\.1|Mozilla|applicant\)/);
    expect(JSON.stringify(audit)).not.toContain(client.token);
  });

  it('validates the body and the consent text version', async () => {
    const { client } = await newApplicant(srv.baseUrl, liveKey);
    expectError(
      await client.call('POST', '/consent', { accepted: 'yes', textVersion: '2026-11-01', locale: 'en' }),
      400,
      'validation_error',
      'accepted',
    );
    expectError(
      await client.call('POST', '/consent', { accepted: true, textVersion: '2025-01-01', locale: 'en' }),
      400,
      'validation_error',
      'textVersion',
    );
    expectError(
      await client.call('POST', '/consent', { accepted: true, textVersion: '2026-11-01', locale: 'de' }),
      400,
      'validation_error',
      'locale',
    );
    expectError(
      await client.call('POST', '/consent', { accepted: true, textVersion: '2026-11-01', locale: 'en', extra: 1 }),
      400,
      'validation_error',
      'extra',
    );
    expect((await client.session()).json.data.consent.given).toBe(false);
  });

  it('refuses everything but consent before consent (409 consent_required)', async () => {
    const live = await newApplicant(srv.baseUrl, liveKey);
    expectError(await live.client.requestUpload('selfie'), 409, 'consent_required');
    expectError(await live.client.submit(), 409, 'consent_required');
    const test = await newApplicant(srv.baseUrl, testKey);
    expectError(await test.client.simulate({ decision: 'approved' }), 409, 'consent_required');
    expect(await deps().store.captures.listByVerification(live.id)).toEqual([]);
    expect((await deps().store.verifications.get(test.id))?.status).toBe('pending');
  });

  it('declining ends the verification declined / final / CONSENT_DECLINED and fires the webhooks', async () => {
    const receiver = await startReceiver();
    try {
      const key = await srv.mintKey('test');
      await registerWebhook(srv.baseUrl, key.key, receiver.url);
      const { id, client } = await newApplicant(srv.baseUrl, key.key);
      const res = await client.consent(false);
      expect(res.status).toBe(200);
      expect(res.json.data).toMatchObject({
        status: 'declined',
        decision: 'declined',
        declineType: 'final',
        reasonCodes: ['CONSENT_DECLINED'],
        consent: { given: false },
      });
      const stored = await deps().store.verifications.get(id);
      expect(stored).toMatchObject({
        status: 'declined',
        decision: 'declined',
        declineType: 'final',
        reasonCodes: ['CONSENT_DECLINED'],
        consent: { accepted: false },
      });

      const received = await receiver.waitFor(2);
      expect(received.map((d) => d.json.event).sort()).toEqual(['verification.completed', 'verification.rejected']);
      for (const d of received)
        expect(d.json.data).toMatchObject({
          verificationId: id,
          status: 'declined',
          decision: 'declined',
          declineType: 'final',
          reasonCodes: ['CONSENT_DECLINED'],
        });
      expect((await client.session()).json.data.status).toBe('declined');
      expectError(await client.consent(true), 409, 'session_finished');
      expect((await deps().store.audit.listByVerification(id)).map((e) => e.type)).toContain('consent.declined');
    } finally {
      await receiver.close();
    }
  });
});

describe('uploads', () => {
  it('issues a single-use slot, takes the bytes, checks them and records the capture', async () => {
    const { id, client } = await consented();
    const slot = await client.requestUpload('document_front', 0, 'image/jpeg');
    expect(slot.status).toBe(201);
    const { captureId, upload } = slot.json.data;
    expect(captureId).toMatch(/^cap_[a-z0-9]{20}$/);
    expect(upload).toEqual({
      url: `${APPLICANT}/uploads/${captureId}/bytes`,
      method: 'PUT',
      fields: {},
      maxBytes: 10 * 1024 * 1024,
      contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
      expiresAt: expect.any(String),
    });
    const ttl = Date.parse(upload.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(800_000);
    expect(ttl).toBeLessThanOrEqual(900_000);

    expect((await client.putBytes(upload.url, JPEG)).status).toBe(204);
    const done = await client.complete(captureId);
    expect(done.status).toBe(200);
    const meta = await sharp(JPEG).metadata();
    expect(done.json.data).toEqual({
      captureId,
      kind: 'document_front',
      index: 0,
      width: meta.width,
      height: meta.height,
      bytes: JPEG.length,
    });

    const capture = await deps().store.captures.get(id, captureId);
    expect(capture).toMatchObject({
      status: 'uploaded',
      attempt: 1,
      kind: 'document_front',
      index: 0,
      contentType: 'image/jpeg',
      bytes: JPEG.length,
      width: meta.width,
      height: meta.height,
    });
    // The checks read a copy under a key no upload slot names, pinned by its SHA-256; the slot's file is gone.
    const sha256 = createHash('sha256').update(JPEG).digest('hex');
    expect(capture?.sha256).toBe(sha256);
    expect(capture?.blobKey).toBe(`captures/${id}/1/checked/${captureId}-${sha256}`);
    expect((await deps().blobs.get(capture!.blobKey))?.equals(JPEG)).toBe(true);
    expect(await deps().blobs.exists(`captures/${id}/1/document_front-0-${captureId}`)).toBe(false);

    expectError(await client.complete(captureId), 409, 'upload_already_completed');
    expectError(await client.putBytes(upload.url, PNG, 'image/png'), 409, 'upload_already_completed');
    const audit = await deps().store.audit.listByVerification(id);
    expect(audit.find((e) => e.type === 'capture.uploaded')?.data).toEqual({
      captureId,
      kind: 'document_front',
      index: 0,
      attempt: 1,
    });
  });

  it('judges content by magic bytes: a PNG sent as image/jpeg is fine, a text file is not', async () => {
    const { id, client } = await consented();
    const png = (await client.requestUpload('selfie', 0, 'image/jpeg')).json.data;
    await client.putBytes(png.upload.url, PNG, 'image/jpeg');
    const ok = await client.complete(png.captureId);
    expect(ok.status).toBe(200);
    expect(ok.json.data).toMatchObject({ width: 64, height: 48 });
    expect((await deps().store.captures.get(id, png.captureId))?.contentType).toBe('image/png');

    const text = (await client.requestUpload('selfie', 0, 'image/jpeg')).json.data;
    expect(
      (await client.putBytes(text.upload.url, Buffer.from('this is a text file, not a photo\n'), 'image/jpeg')).status,
    ).toBe(204);
    expectError(await client.complete(text.captureId), 422, 'unsupported_media_type');
    expect((await deps().store.captures.get(id, text.captureId))?.status).toBe('requested');

    const truncated = (await client.requestUpload('selfie', 0, 'image/jpeg')).json.data;
    await client.putBytes(truncated.upload.url, JPEG.subarray(0, 6), 'image/jpeg');
    expectError(await client.complete(truncated.captureId), 422, 'image_unreadable');

    // A rejected slot stays open: corrected bytes complete it.
    await client.putBytes(text.upload.url, JPEG, 'image/jpeg');
    expect((await client.complete(text.captureId)).status).toBe(200);
    const rejected = (await deps().store.audit.listByVerification(id))
      .filter((e) => e.type === 'capture.rejected')
      .map((e) => e.data.code);
    expect(rejected.sort()).toEqual(['image_unreadable', 'unsupported_media_type']);
  });

  it('refuses a decompression bomb (header declaring 50000x50000) without decoding it', async () => {
    const { client } = await consented();
    for (const [bytes, type] of [
      [pngBomb(50_000, 50_000), 'image/png'],
      [jpegBomb(50_000, 50_000), 'image/jpeg'],
    ] as const) {
      expect(bytes.length).toBeLessThan(200);
      const slot = (await client.requestUpload('selfie', 0, type)).json.data;
      await client.putBytes(slot.upload.url, bytes, type);
      expectError(await client.complete(slot.captureId), 422, 'too_many_pixels');
    }
    // Just under the limit passes the header check (6000 x 6000 = 36 MP <= 40 MP).
    const slot = (await client.requestUpload('selfie', 0, 'image/png')).json.data;
    await client.putBytes(slot.upload.url, pngBomb(6000, 6000), 'image/png');
    expect((await client.complete(slot.captureId)).json.data).toMatchObject({ width: 6000, height: 6000 });
  });

  it('enforces the size limit on the bytes route and again on complete', async () => {
    const { id, client } = await consented();
    const slot = (await client.requestUpload('selfie')).json.data;
    const tooBig = Buffer.concat([JPEG, Buffer.alloc(10 * 1024 * 1024 + 1 - JPEG.length)]);
    expectError(await client.putBytes(slot.upload.url, tooBig), 413, 'file_too_large');
    expect(await deps().blobs.get((await deps().store.captures.get(id, slot.captureId))!.blobKey)).toBeNull();
    // Bytes that reached the store another way (S3 on AWS) are measured again when completing.
    await deps().blobs.put((await deps().store.captures.get(id, slot.captureId))!.blobKey, tooBig, 'image/jpeg');
    expectError(await client.complete(slot.captureId), 422, 'file_too_large');
  });

  it('checks the Content-Type of the bytes against the slot, and refuses an empty body', async () => {
    const { client } = await consented();
    const slot = (await client.requestUpload('selfie', 0, 'image/png')).json.data;
    expectError(
      await client.putBytes(slot.upload.url, PNG, 'image/jpeg'),
      415,
      'unsupported_media_type',
      'Content-Type',
    );
    expectError(await client.putBytes(slot.upload.url, PNG, 'text/plain'), 415, 'unsupported_media_type');
    expectError(await client.putBytes(slot.upload.url, Buffer.alloc(0), 'image/png'), 400, 'validation_error');
    expectError(await client.complete(slot.captureId), 422, 'upload_missing');
  });

  it('expires a slot after the upload TTL', async () => {
    const { client } = await consented();
    const slot = (await client.requestUpload('selfie')).json.data;
    await client.putBytes(slot.upload.url, JPEG);
    clock.offsetMs = 901_000;
    expectError(await client.complete(slot.captureId), 422, 'upload_expired');
    expectError(await client.putBytes(slot.upload.url, JPEG), 422, 'upload_expired');
  });

  it('accepts the liveness recording as a frame-sequence container and refuses anything else', async () => {
    const { client } = await consented();
    expectError(
      await client.requestUpload('liveness_sequence', 0, 'image/jpeg'),
      400,
      'validation_error',
      'contentType',
    );
    expectError(
      await client.requestUpload('selfie', 0, 'application/vnd.kyc.frame-sequence'),
      400,
      'validation_error',
      'contentType',
    );
    const slot = await client.requestUpload('liveness_sequence', 0, 'application/vnd.kyc.frame-sequence');
    expect(slot.status).toBe(201);
    await client.putBytes(slot.json.data.upload.url, JPEG, 'application/vnd.kyc.frame-sequence');
    expectError(await client.complete(slot.json.data.captureId), 422, 'sequence_invalid');
    await client.upload('liveness_sequence', 0, tinySequence(JPEG), 'application/vnd.kyc.frame-sequence');
  });

  it('validates kind, index and content type against the flow', async () => {
    const { client } = await consented();
    const prompts = (await client.session()).json.data.challenge.prompts.length;
    expectError(await client.requestUpload('liveness_frame', prompts), 400, 'validation_error', 'index');
    expectError(await client.requestUpload('selfie', 1), 400, 'validation_error', 'index');
    expectError(
      await client.call('POST', '/uploads', { kind: 'passport_scan', index: 0, contentType: 'image/jpeg' }),
      400,
      'validation_error',
      'kind',
    );
    expectError(await client.requestUpload('selfie', 0, 'image/gif'), 400, 'validation_error', 'contentType');
    expectError(await client.call('POST', '/uploads/cap_doesnotexist/complete', {}), 404, 'not_found');

    const flow = await srv.createFlow({ name: 'doc only', checks: ['document'] });
    const doc = await consented((await srv.mintKey('live', { flowId: flow.id })).key);
    expectError(await doc.client.requestUpload('selfie'), 400, 'validation_error', 'kind');
    expectError(await doc.client.requestUpload('liveness_frame'), 400, 'validation_error', 'kind');
  });

  it('answers 404 on the bytes route when running on AWS (S3 takes the bytes there)', async () => {
    const { client } = await consented();
    const slot = (await client.requestUpload('selfie')).json.data;
    const config = deps().config;
    config.runtime = 'aws';
    try {
      expectError(await client.putBytes(slot.upload.url, JPEG), 404, 'route_not_found');
    } finally {
      config.runtime = 'local';
    }
  });
});

describe('upload abuse limits', () => {
  /**
   * Sends the headers and the first kilobyte of a body announcing `declared` bytes, then waits: resolves
   * with the status the server answers while the rest of the body is still unsent.
   */
  function answerBeforeBody(path: string, headers: Record<string, string>, declared: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(`${srv.baseUrl}${path}`, {
        method: path.endsWith('/bytes') ? 'PUT' : 'POST',
        headers: { ...headers, 'Content-Length': String(declared) },
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error('the server waited for the body instead of answering'));
      }, 5_000);
      req.on('response', (res) => {
        clearTimeout(timer);
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined); // the server may close the socket once it answered
      req.write(Buffer.alloc(1024));
    });
  }

  it('reads a large body only on the bytes route, and only after the client token opened the session', async () => {
    const { client } = await consented();
    const token = client.token;
    const slot = (await client.requestUpload('selfie')).json.data;
    const bytesPath = slot.upload.url as string;
    const fiveMb = 5 * 1024 * 1024;
    // Unknown token: 401 before a byte of the body is buffered.
    expect(
      await answerBeforeBody(
        bytesPath,
        { Authorization: `Bearer ${'x'.repeat(43)}`, 'Content-Type': 'image/jpeg' },
        fiveMb,
      ),
    ).toBe(401);
    expect(await answerBeforeBody(bytesPath, { 'Content-Type': 'image/jpeg' }, fiveMb)).toBe(401);
    // A JSON route never takes more than 64 KB, even with a valid token.
    expect(
      await answerBeforeBody(
        `${APPLICANT}/consent`,
        { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        1024 * 1024,
      ),
    ).toBe(413);
    // The valid token on the bytes route still sends its bytes.
    expect((await client.putBytes(bytesPath, JPEG)).status).toBe(204);
  });

  it(`caps upload slots per attempt at ${MAX_UPLOAD_SLOTS_PER_ATTEMPT} (429 upload_limit_reached)`, async () => {
    const { client } = await consented();
    for (let i = 0; i < MAX_UPLOAD_SLOTS_PER_ATTEMPT; i++)
      expect((await client.requestUpload('selfie')).status).toBe(201);
    expectError(await client.requestUpload('selfie'), 429, 'upload_limit_reached');
  });

  it('caps the bytes an attempt keeps (429 upload_bytes_exceeded) and deletes the refused bytes', async () => {
    const { id, client } = await consented();
    // Captures already kept by this attempt, just below the budget.
    await deps().store.captures.create(
      makeCapture({
        id: 'cap_bigkept',
        verificationId: id,
        kind: 'document_front',
        status: 'uploaded',
        bytes: MAX_UPLOAD_BYTES_PER_ATTEMPT - 100,
        createdAt: new Date().toISOString(),
      }),
    );
    const slot = (await client.requestUpload('selfie')).json.data;
    expect((await client.putBytes(slot.upload.url, JPEG)).status).toBe(204);
    expectError(await client.complete(slot.captureId), 429, 'upload_bytes_exceeded');
    const capture = await deps().store.captures.get(id, slot.captureId);
    expect(capture?.status).toBe('requested');
    expect(await deps().blobs.exists(capture!.blobKey)).toBe(false);
  });
});

describe('POST /submit', () => {
  it('lists the missing captures (409 captures_missing)', async () => {
    const { client } = await consented();
    const prompts: string[] = (await client.session()).json.data.challenge.prompts;
    const missing = await client.submit();
    expectError(missing, 409, 'captures_missing');
    // No document type named and the flow accepts a passport (no back): the back is not required yet.
    expect(missing.json.error.details.map((d: { field: string }) => d.field)).toEqual([
      'document_front',
      'selfie',
      ...prompts.map((_, i) => `liveness_frame.${i}`),
      'liveness_sequence',
    ]);

    await client.upload('document_front', 0, JPEG);
    await client.upload('liveness_frame', 1, JPEG);
    const passport = await client.submit({ documentType: 'passport' });
    expect(passport.json.error.details.map((d: { field: string }) => d.field)).toEqual([
      'selfie',
      ...prompts.map((_, i) => `liveness_frame.${i}`).filter((f) => f !== 'liveness_frame.1'),
      'liveness_sequence',
    ]);
    const card = await client.submit({ documentType: 'id_card' });
    expect(card.json.error.details.map((d: { field: string }) => d.field)).toContain('document_back');
    // A requested but never completed capture does not count.
    await client.requestUpload('selfie');
    expect(
      (await client.submit({ documentType: 'passport' })).json.error.details.map((d: { field: string }) => d.field),
    ).toContain('selfie');
    expectError(await client.submit({ documentType: 'boarding_pass' }), 400, 'validation_error', 'documentType');
  });

  it('refuses a head-turn attempt of stills alone: the continuous recording is required', async () => {
    const { client } = await consented();
    const prompts: string[] = (await client.session()).json.data.challenge.prompts;
    await client.upload('document_front', 0, JPEG);
    await client.upload('selfie', 0, JPEG);
    for (let i = 0; i < prompts.length; i++) await client.upload('liveness_frame', i, JPEG);
    const stills = await client.submit({ documentType: 'passport' });
    expectError(stills, 409, 'captures_missing');
    expect(stills.json.error.details).toEqual([
      { field: 'liveness_sequence', issue: 'missing (the whole head-turn challenge recorded continuously)' },
    ]);
    await client.upload('liveness_sequence', 0, tinySequence(JPEG), 'application/vnd.kyc.frame-sequence');
    expect((await client.submit({ documentType: 'passport' })).status).toBe(202);
    await client.waitForSession((d) => d.status !== 'in_progress');
  });

  it('requires the back when the only accepted document type has one, and refuses a type the flow does not accept', async () => {
    const flow = await srv.createFlow({ name: 'id cards', checks: ['document'], documentTypes: ['id_card'] });
    const { client } = await consented((await srv.mintKey('live', { flowId: flow.id })).key);
    await client.upload('document_front', 0, JPEG);
    const res = await client.submit();
    expectError(res, 409, 'captures_missing');
    expect(res.json.error.details).toEqual([{ field: 'document_back', issue: 'missing' }]);
    expectError(await client.submit({ documentType: 'passport' }), 400, 'validation_error', 'documentType');
    await client.upload('document_back', 0, PNG, 'image/png');
    expect((await client.submit()).status).toBe(202);
    await client.waitForSession((d) => d.status !== 'in_progress');
  });

  it('consent withdrawn while the checks run ends the attempt with the verification (found by the contract fuzz)', async () => {
    const { id, client } = await consented();
    await uploadAll(client);
    let open!: () => void;
    provider.gate = new Promise<void>((r) => (open = r));
    expect((await client.submit({ documentType: 'passport' })).status).toBe(202);
    const withdrawn = await client.consent(false);
    expect(withdrawn.json.data).toMatchObject({
      status: 'declined',
      lastAttempt: { decision: 'declined', declineType: 'final', reasonCodes: ['CONSENT_DECLINED'] },
    });
    open();
    await new Promise((r) => setTimeout(r, 300)); // the held checks finish and may not change anything
    const stored = (await deps().store.verifications.get(id))!;
    expect(stored).toMatchObject({ status: 'declined', reasonCodes: ['CONSENT_DECLINED'] });
    expect(stored.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        completedAt: expect.any(String),
        decision: 'declined',
        declineType: 'final',
      }),
    ]);
  });

  it('runs the checks once: in_progress, further mutations refused, then the decision', async () => {
    const { id, client } = await consented();
    await uploadAll(client);
    let open!: () => void;
    provider.gate = new Promise<void>((r) => (open = r));
    const calls = provider.calls.document;

    const res = await client.submit({ documentType: 'passport' });
    expect(res.status).toBe(202);
    expect(res.json.data).toMatchObject({ status: 'in_progress', attempts: { used: 1, max: 3, left: 2 } });
    const stored = await deps().store.verifications.get(id);
    const uploaded = (await deps().store.captures.listByVerification(id)).filter((c) => c.status === 'uploaded');
    expect(stored?.attempts).toEqual([
      {
        number: 1,
        submittedAt: expect.any(String),
        completedAt: null,
        decision: null,
        declineType: null,
        reasonCodes: [],
        riskFlags: [],
        // What was submitted, kept with the attempt (its audit entry can be rewritten from it after a crash).
        captureIds: uploaded.map((c) => c.id),
        documentType: 'passport',
      },
    ]);

    expectError(await client.submit({ documentType: 'passport' }), 409, 'attempt_in_progress');
    expectError(await client.requestUpload('selfie'), 409, 'attempt_in_progress');
    expect((await client.session()).json.data.status).toBe('in_progress');

    open();
    const done = await client.waitForSession((d) => d.status !== 'in_progress');
    expect(done).toMatchObject({
      status: 'approved',
      decision: 'approved',
      lastAttempt: { decision: 'approved', declineType: null, reasonCodes: [] },
      attempts: { used: 1, left: 2 },
    });
    expect(provider.calls.document - calls).toBe(1);
    expect(
      (await deps().store.audit.listByVerification(id)).find((e) => e.type === 'attempt.submitted')?.data,
    ).toMatchObject({ attempt: 1, documentType: 'passport' });

    // Finished: every mutation is refused, the session still reads.
    expectError(await client.submit(), 409, 'session_finished');
    expectError(await client.consent(), 409, 'session_finished');
    expectError(await client.requestUpload('selfie'), 409, 'session_finished');
    expect((await client.session()).status).toBe(200);
  });

  it('a run lost between submit and its enqueue (crash) is re-queued by the next session read two minutes on', async () => {
    const { client } = await consented();
    await uploadAll(client);
    const queue = deps().queue;
    const enqueue = queue.enqueue;
    // The process "dies" after the submit's write: its pipeline job is never queued.
    queue.enqueue = async (type, payload, opts) => (type === 'pipeline.run' ? undefined : enqueue(type, payload, opts));
    const calls = provider.calls.document;
    try {
      expect((await client.submit({ documentType: 'passport' })).status).toBe(202);
    } finally {
      queue.enqueue = enqueue;
    }
    await new Promise((r) => setTimeout(r, 300));
    // Within two minutes a read changes nothing: a normal run takes seconds.
    expect((await client.session()).json.data.status).toBe('in_progress');
    await new Promise((r) => setTimeout(r, 300));
    expect(provider.calls.document).toBe(calls);

    clock.offsetMs = 121_000;
    const done = await client.waitForSession((d) => d.status !== 'in_progress');
    expect(done).toMatchObject({ status: 'approved', attempts: { used: 1 } });
    expect(provider.calls.document - calls).toBe(1);
    // Later reads of the decided attempt queue nothing more.
    await client.session();
    await new Promise((r) => setTimeout(r, 300));
    expect(provider.calls.document - calls).toBe(1);
  });

  it('after a retry-type decline: back to pending with attempts left, fresh captures needed, the latest upload wins', async () => {
    const { id, client } = await consented();
    provider.faceMatch = checkResult('faceMatch', {
      outcome: 'fail',
      reasonCodes: ['BAD_FACE_MATCHING'],
      scores: { distance: 0.9, threshold: 0.6 },
    });
    try {
      await uploadAll(client);
      expect((await client.submit({ documentType: 'passport' })).status).toBe(202);
      const retry = await client.waitForSession((d) => d.status !== 'in_progress');
      expect(retry).toMatchObject({
        status: 'pending',
        decision: null,
        lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['BAD_FACE_MATCHING'] },
        attempts: { used: 1, max: 3, left: 2 },
      });
      expect(retry.challenge.prompts).toEqual((await deps().store.verifications.get(id))?.challenge);

      // Captures belong to an attempt: attempt 2 starts empty.
      expectError(await client.submit({ documentType: 'passport' }), 409, 'captures_missing');

      provider.faceMatch = checkResult('faceMatch', { scores: { distance: 0.3, threshold: 0.6 } });
      await uploadAll(client, PNG);
      const second = await client.upload('selfie', 0, JPEG); // replaces the PNG selfie
      const seen = provider.seen.faceMatch.length;
      expect((await client.submit({ documentType: 'passport' })).status).toBe(202);
      const done = await client.waitForSession((d) => d.status !== 'in_progress');
      expect(done).toMatchObject({
        status: 'approved',
        attempts: { used: 2, left: 1 },
        lastAttempt: { decision: 'approved' },
      });
      expect(provider.seen.faceMatch[seen]?.probe.bytes.equals(JPEG)).toBe(true);
      const selfies = (await deps().store.captures.listByVerification(id)).filter(
        (c) => c.attempt === 2 && c.kind === 'selfie',
      );
      expect(selfies.filter((c) => c.status === 'uploaded').map((c) => c.id)).toEqual([second]);
    } finally {
      provider.faceMatch = checkResult('faceMatch', { scores: { distance: 0.3, threshold: 0.6 } });
    }
  });

  it('refuses a submit when every attempt the flow allows is used (409 attempts_exhausted)', async () => {
    const flow = await srv.createFlow({ name: 'three tries', maxAttempts: 3 });
    const { client } = await consented((await srv.mintKey('live', { flowId: flow.id })).key);
    provider.faceMatch = checkResult('faceMatch', { outcome: 'fail', reasonCodes: ['BAD_FACE_MATCHING'] });
    try {
      await uploadAll(client);
      await client.submit({ documentType: 'passport' });
      await client.waitForSession((d) => d.status === 'pending' && d.lastAttempt !== null);
    } finally {
      provider.faceMatch = checkResult('faceMatch', { scores: { distance: 0.3, threshold: 0.6 } });
    }
    // The operator lowers the flow's limit while the applicant is between attempts.
    await updateFlow(deps(), srv.org.id, flow.id, { maxAttempts: 1 });
    await uploadAll(client);
    expectError(await client.submit({ documentType: 'passport' }), 409, 'attempts_exhausted');
    expect((await client.session()).json.data.attempts).toEqual({ used: 1, max: 1, left: 0 });
  });

  it('never runs checks for a test-mode session (409 test_mode_use_simulate)', async () => {
    const { id, client } = await consented(testKey);
    await uploadAll(client);
    expectError(await client.submit({ documentType: 'passport' }), 409, 'test_mode_use_simulate');
    expect((await deps().store.verifications.get(id))?.attempts).toEqual([]);
  });
});

describe('POST /simulate', () => {
  it('finalizes a test-mode session with the chosen outcome', async () => {
    const { id, client } = await consented(testKey);
    const res = await client.simulate({ decision: 'declined', declineType: 'retry' });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({
      status: 'declined',
      decision: 'declined',
      declineType: 'retry',
      reasonCodes: ['BAD_FACE_MATCHING'],
    });
    expect(await deps().store.verifications.get(id)).toMatchObject({
      status: 'declined',
      declineType: 'retry',
      completedAt: expect.any(String),
    });
    expectError(await client.simulate({ decision: 'approved' }), 409, 'session_finished');

    const review = await consented(testKey);
    expect((await review.client.simulate({ decision: 'review' })).json.data).toMatchObject({
      status: 'review',
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
    });
    const chosen = await consented(testKey);
    expect((await chosen.client.simulate({ decision: 'declined', reasonCodes: ['UNDERAGE'] })).json.data).toMatchObject(
      { declineType: 'final', reasonCodes: ['UNDERAGE'] },
    );
  });

  it('is refused for live sessions and validates the body', async () => {
    const { client } = await consented(liveKey);
    expectError(await client.simulate({ decision: 'approved' }), 403, 'test_mode_only');
    const test = await consented(testKey);
    expectError(await test.client.simulate({ decision: 'maybe' }), 400, 'validation_error', 'decision');
    expectError(
      await test.client.simulate({ decision: 'approved', declineType: 'final' }),
      400,
      'validation_error',
      'declineType',
    );
    expectError(
      await test.client.simulate({ decision: 'declined', reasonCodes: ['NOT_A_CODE'] }),
      400,
      'validation_error',
    );
    expect((await test.client.session()).json.data.status).toBe('pending');
  });
});
