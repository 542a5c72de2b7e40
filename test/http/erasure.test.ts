import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { purgeExpiredCaptures } from '../../functions/app/retention';
import { runCli } from '../../functions/local/cli';
import { APPLICANT, newApplicant } from '../support/applicant-client';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

/**
 * Erasure on the real local server: the retention purge and POST .../redact must leave no personal data in the
 * data directory. Every file under it (the SQLite database, its -wal and -shm, capture blobs) is scanned for the
 * applicant's email, the metadata values, the consent IP and the user agent.
 */

const BASE = '/api/v1/external/kyc';
/** A loopback source address no other part of the test uses, so finding it in a file means the consent IP leaked. */
const CONSENT_IP = '127.77.0.9';
const USER_AGENT = 'ErasureProbe/7.3 (unique-agent-4471)';

let srv: TestServer;
let key: string;
let image: Buffer;

beforeAll(async () => {
  srv = await startTestServer();
  key = (await srv.mintKey('test')).key;
  image = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#8a7766' } })
    .jpeg()
    .toBuffer();
});
afterAll(() => srv.stop());

/** Personal data of one applicant, distinct per test so scans cannot be satisfied by another test's data. */
function applicantData(tag: string) {
  return {
    email: `erase.${tag}@example.com`,
    metadata: { orderId: `ORDER-${tag}-7731`, customerName: `Jane ${tag} Doe` },
  };
}

/** POST /consent from a chosen loopback source address and user agent (the server records both). */
function consentFrom(token: string): Promise<number> {
  const url = new URL(`${srv.baseUrl}${APPLICANT}/consent`);
  const body = JSON.stringify({ accepted: true, textVersion: '2026-11-01', locale: 'en' });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: CONSENT_IP,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': USER_AGENT,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A decided test verification with consent (IP + user agent), an uploaded capture and a delivered webhook. */
async function decidedVerification(tag: string) {
  const data = applicantData(tag);
  const receiver = await startReceiver(() => 200);
  await api(srv.baseUrl, 'POST', `${BASE}/webhooks`, {
    key,
    body: { url: receiver.url, events: ['verification.completed'] },
  });
  const { id, client } = await newApplicant(srv.baseUrl, key, { applicantEmail: data.email, metadata: data.metadata });
  expect(await consentFrom(client.token)).toBe(200);
  await client.upload('document_front', 0, image);
  const stored = await srv.app.runtime.deps.store.verifications.get(id);
  expect(stored?.consent).toMatchObject({ ip: expect.stringContaining(CONSENT_IP), userAgent: USER_AGENT });
  const decided = await api(srv.baseUrl, 'POST', `${BASE}/verifications/${id}/simulate`, {
    key,
    body: { decision: 'approved' },
  });
  expect(decided.status).toBe(200);
  const [delivered] = await receiver.waitFor(1);
  expect(delivered!.json.data.metadata).toEqual(data.metadata);
  await receiver.close();
  return { id, data, client };
}

/** Every file under the data directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Which of the needles appear in which files of the data directory (raw bytes, as an attacker would read them). */
function leaks(needles: string[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(srv.dataDir)) {
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) found.push(`${needle} in ${file}`);
  }
  return found;
}

const needlesOf = (data: ReturnType<typeof applicantData>) => [
  data.email,
  ...Object.values(data.metadata),
  CONSENT_IP,
  USER_AGENT,
];

describe('retention purge', () => {
  it('leaves none of the personal data in the database files or the data directory', async () => {
    const { id, data } = await decidedVerification('purge');
    expect(leaks(needlesOf(data)).length).toBeGreaterThan(0); // the probe finds the data before the purge

    const deps = srv.app.runtime.deps;
    const report = await purgeExpiredCaptures(deps, new Date(Date.now() + 400 * 86_400_000));
    expect(report.purged).toContain(id);

    expect(leaks(needlesOf(data))).toEqual([]);
    expect(leaks([image.subarray(200, 264).toString('latin1')])).toEqual([]);
    const v = await deps.store.verifications.get(id);
    expect(v).toMatchObject({
      status: 'approved',
      decision: 'approved',
      applicantEmail: null,
      metadata: {},
      consent: { accepted: true, textVersion: '2026-11-01', at: expect.any(String), ip: null, userAgent: null },
    });
    const polled = await api(srv.baseUrl, 'GET', `${BASE}/verifications/${id}`, { key });
    expect(polled.json.data).toMatchObject({ decision: 'approved', metadata: {}, redacted: true });
  });
});

describe('POST /verifications/{id}/redact', () => {
  it('erases personal data at once, keeps the decision, and is idempotent', async () => {
    const { id, data } = await decidedVerification('redact');
    const redact = () => api(srv.baseUrl, 'POST', `${BASE}/verifications/${id}/redact`, { key });
    const deps = srv.app.runtime.deps;
    // The validated copy the checks read (`checked/`, named by its SHA-256) and the digest on the record.
    const [uploaded] = await deps.store.captures.listByVerification(id);
    const digest = deps.crypto.sha256Hex(image);
    expect(uploaded).toMatchObject({ status: 'uploaded', sha256: digest });
    expect(uploaded!.blobKey).toContain(`/checked/`);
    expect(await deps.blobs.exists(uploaded!.blobKey)).toBe(true);
    expect(leaks([digest])).not.toEqual([]);

    const first = await redact();
    expect(first.status).toBe(200);
    expect(first.json.data).toMatchObject({
      verificationId: id,
      status: 'approved',
      decision: 'approved',
      metadata: {},
      redacted: true,
    });
    expect(leaks(needlesOf(data))).toEqual([]);
    expect(leaks([digest, image.subarray(200, 264).toString('latin1')])).toEqual([]);
    expect(await deps.blobs.exists(uploaded!.blobKey)).toBe(false);
    for (const c of await deps.store.captures.listByVerification(id)) {
      expect(c).toMatchObject({ status: 'purged', sha256: null });
      expect(await deps.blobs.exists(c.blobKey)).toBe(false);
    }
    for (const d of await deps.store.deliveries.listByVerification(id))
      expect(JSON.parse(d.body).data).toMatchObject({ metadata: {}, redacted: true });

    const again = await redact();
    expect(again.status).toBe(200);
    expect(again.json.data).toEqual(first.json.data);
    const audit = await deps.store.audit.listByVerification(id);
    expect(audit.filter((e) => e.type === 'verification.redacted')).toHaveLength(1);
    expect((await api(srv.baseUrl, 'GET', `${BASE}/verifications/${id}`, { key })).json.data).toEqual(first.json.data);
  });

  it('answers 409 while checks run and erases nothing', async () => {
    const data = applicantData('busy');
    const { id } = await newApplicant(srv.baseUrl, key, { applicantEmail: data.email, metadata: data.metadata });
    const deps = srv.app.runtime.deps;
    const v = (await deps.store.verifications.get(id))!;
    await deps.store.verifications.update({ ...v, status: 'in_progress', version: v.version + 1 }, v.version);

    const res = await api(srv.baseUrl, 'POST', `${BASE}/verifications/${id}/redact`, { key });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('verification_in_progress');
    const after = await deps.store.verifications.get(id);
    expect(after?.applicantEmail).toBe(data.email);
    expect(after?.redactedAt ?? null).toBeNull();
  });

  it('ends a session still collecting captures, then erases it', async () => {
    const data = applicantData('pending');
    const { id, client } = await newApplicant(srv.baseUrl, key, {
      applicantEmail: data.email,
      metadata: data.metadata,
    });
    const res = await api(srv.baseUrl, 'POST', `${BASE}/verifications/${id}/redact`, { key });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ status: 'expired', decision: null, redacted: true, metadata: {} });
    expect((await client.consent()).status).toBe(401); // session_expired: the link no longer opens a session
    expect(leaks([data.email, ...Object.values(data.metadata)])).toEqual([]);
  });

  it('is scoped like reads: another mode or organisation gets 404', async () => {
    const { id } = await newApplicant(srv.baseUrl, key, {});
    const live = (await srv.mintKey('live')).key;
    const res = await api(srv.baseUrl, 'POST', `${BASE}/verifications/${id}/redact`, { key: live });
    expect(res.status).toBe(404);
  });

  it('is available in the CLI', async () => {
    const data = applicantData('cli');
    const { id } = await newApplicant(srv.baseUrl, key, { applicantEmail: data.email, metadata: data.metadata });
    const lines: string[] = [];
    process.env.KYC_DATA_DIR = srv.dataDir;
    try {
      expect(await runCli(['verifications', 'redact', id, '--json'], (s) => lines.push(s))).toBe(0);
    } finally {
      delete process.env.KYC_DATA_DIR;
    }
    expect(JSON.parse(lines.join(''))).toMatchObject({ verificationId: id, redacted: true, metadata: {} });
    expect((await srv.app.runtime.deps.store.verifications.get(id))?.applicantEmail).toBeNull();
  });
});
