/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../../functions/app/pipeline/prepare';
import { documentCheck } from '../../functions/app/pipeline/document-check';
import { createLocalCheckProvider } from '../../functions/checks/local';
import type { HeadPrompt, Mode } from '../../functions/domain/model';
import { verifyTimestampedSignature } from '../../functions/domain/webhooks';
import type { CheckProvider } from '../../functions/ports/checks';
import { ApplicantClient, newApplicant } from '../support/applicant-client';
import { buildSequence, personAFrames, sequenceForPrompts } from '../support/liveness-sequences';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver, type ReceivedDelivery } from '../support/webhook-receiver';

/**
 * The whole product path with the real offline checks (face-api, PaddleOCR): integrator creates a
 * verification -> applicant consents, uploads and submits through the applicant API -> the worker runs the
 * pipeline -> the decision lands on the session and in signed webhooks.
 */

import { TESTDATA } from '../support/testdata';
const image = (path: string) => readFileSync(join(TESTDATA, path));
const PASSPORT = image('documents/synth_td3_uto_person_a.jpg');
const SELFIE_A = image('liveness/person_a/frame_019.jpg'); // frontal
const SELFIE_OTHER = image('faces/london_030_neutral.jpg');

/**
 * Head-turn frames of person_a per prompt (liveness/labels.json: yaw +40/+30 = their own left, -35/-30 =
 * their right, -5/+5 = frontal). Two distinct frames per prompt, since a prompt may come twice and
 * identical frames are (rightly) taken for a replay.
 */
const FRAMES: Record<HeadPrompt, string[]> = {
  left: ['frame_013', 'frame_016'],
  right: ['frame_022', 'frame_007'],
  centre: ['frame_009', 'frame_018'],
};

function framesFor(prompts: HeadPrompt[]): Buffer[] {
  const used: Record<HeadPrompt, number> = { left: 0, right: 0, centre: 0 };
  return prompts.map((p) => image(`liveness/person_a/${FRAMES[p][used[p]++]}.jpg`));
}

/** Everything the default flow needs for attempt 1 of person_a, uploaded as the page does. */
async function uploadPersonA(client: ApplicantClient): Promise<void> {
  const session = (await client.session()).json.data;
  await client.upload('document_front', 0, PASSPORT);
  await client.upload('selfie', 0, SELFIE_A);
  const frames = framesFor(session.challenge.prompts);
  for (let i = 0; i < frames.length; i++) await client.upload('liveness_frame', i, frames[i]!);
  await uploadRecording(client, await sequenceForPrompts(session.challenge.prompts));
}

/** The continuous recording of the challenge, as the page uploads it. */
async function uploadRecording(client: ApplicantClient, sequence: Buffer): Promise<void> {
  await client.upload('liveness_sequence', 0, sequence, 'application/vnd.kyc.frame-sequence');
}

/**
 * A live webhook endpoint pointing at the local receiver. Live keys only register https URLs through the
 * API; the receiver is plain http on 127.0.0.1, so the endpoint row is written as an operator would.
 */
async function addEndpoint(srv: TestServer, keyId: string, mode: Mode, url: string): Promise<void> {
  const deps = srv.app.runtime.deps;
  await deps.store.webhooks.create({
    id: deps.ids.next('whe'),
    orgId: srv.org.id,
    keyId,
    mode,
    url,
    events: [
      'verification.completed',
      'verification.approved',
      'verification.rejected',
      'verification.manual_review',
      'fraud.flagged',
    ],
    createdAt: new Date().toISOString(),
    deletedAt: null,
  });
}

/** Checks a delivery's signatures independently of the sender: the spec's hex HMAC and Standard Webhooks. */
function expectSigned(d: ReceivedDelivery, secret: string): void {
  const body = d.raw.toString('utf8');
  expect(d.headers['x-nextcap-signature']).toBe(createHmac('sha256', secret).update(d.raw).digest('hex'));
  const headers = {
    id: String(d.headers['webhook-id']),
    timestamp: String(d.headers['webhook-timestamp']),
    signature: String(d.headers['webhook-signature']),
  };
  expect(
    verifyTimestampedSignature(
      {
        hmacSha256: (k, data) => createHmac('sha256', k).update(data).digest(),
        safeEqual: (a, b) => a === b,
      },
      secret,
      headers,
      body,
      new Date(),
    ),
  ).toBe(true);
  expect(createHmac('sha256', 'not-the-secret').update(d.raw).digest('hex')).not.toBe(d.headers['x-nextcap-signature']);
}

/** Counts calls into the real provider, to see which checks a resumed pipeline re-ran. */
function counting(inner: CheckProvider) {
  const calls = { document: 0, liveness: 0, faceMatch: 0 };
  const provider: CheckProvider = {
    name: inner.name,
    checkDocument: (i) => {
      calls.document++;
      return inner.checkDocument(i);
    },
    checkLiveness: (i) => {
      calls.liveness++;
      return inner.checkLiveness(i);
    },
    checkFaceMatch: (i) => {
      calls.faceMatch++;
      return inner.checkFaceMatch(i);
    },
    faceTemplate: (i) => inner.faceTemplate(i),
    warmUp: () => inner.warmUp(),
  };
  return { provider, calls };
}

describe('full pipeline through the applicant API with the real local checks', () => {
  let srv: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: { key: string; secret: string; keyId: string };

  beforeAll(async () => {
    receiver = await startReceiver();
    srv = await startTestServer(); // default deps.checks: the local provider, loaded on first use
    key = await srv.mintKey('live');
    await addEndpoint(srv, key.keyId, 'live', receiver.url);
  });
  afterAll(async () => {
    await srv?.stop();
    await receiver?.close();
  });

  it('approves person_a (passport, frontal selfie, head turns matching the prompts) and delivers signed webhooks', async () => {
    const { id, client } = await newApplicant(srv.baseUrl, key.key, { metadata: { orderId: 'e2e-1' } });
    expect((await client.consent()).status).toBe(200);
    await uploadPersonA(client);
    const submitted = await client.submit({ documentType: 'passport' });
    expect(submitted.status).toBe(202);

    const done = await client.waitForSession((d) => d.status !== 'in_progress', 100_000);
    expect(done).toMatchObject({
      status: 'approved',
      decision: 'approved',
      declineType: null,
      reasonCodes: [],
      lastAttempt: { decision: 'approved' },
      attempts: { used: 1 },
    });

    const deliveries = await srv.app.runtime.deps.store.deliveries.listByVerification(id);
    const events = deliveries.map((d) => d.event).sort();
    expect(events).toEqual(expect.arrayContaining(['verification.approved', 'verification.completed']));
    await receiver.waitFor(deliveries.length);
    const mine = receiver.received.filter((d) => d.json?.data?.verificationId === id);
    expect(mine.map((d) => d.json.event).sort()).toEqual(events);
    for (const d of mine) {
      expectSigned(d, key.secret);
      expect(d.json.data).toMatchObject({
        verificationId: id,
        status: 'approved',
        decision: 'approved',
        mode: 'live',
        metadata: { orderId: 'e2e-1' },
      });
    }
    const polled = await api(srv.baseUrl, 'GET', `/api/v1/external/kyc/verifications/${id}`, { key: key.key });
    expect(polled.json.data).toMatchObject({ status: 'approved', decision: 'approved', attempts: 1 });
  }, 110_000);

  it('declines a selfie of another person (BAD_FACE_MATCHING) as a retry: the session reopens with attempts left', async () => {
    const flow = await srv.createFlow({ name: 'document + face match', checks: ['document', 'faceMatch'] });
    const flowKey = await srv.mintKey('live', { flowId: flow.id });
    const { id, client } = await newApplicant(srv.baseUrl, flowKey.key);
    await client.consent();
    const session = (await client.session()).json.data;
    expect(session.steps).toEqual(['consent', 'document', 'selfie']);
    await client.upload('document_front', 0, PASSPORT);
    await client.upload('selfie', 0, SELFIE_OTHER);
    expect((await client.submit({ documentType: 'passport' })).status).toBe(202);

    const after = await client.waitForSession((d) => d.status !== 'in_progress', 60_000);
    expect(after).toMatchObject({
      status: 'pending',
      decision: null,
      lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['BAD_FACE_MATCHING'] },
      attempts: { used: 1, max: 3, left: 2 },
    });
    // Not terminal: nothing is published yet.
    expect(await srv.app.runtime.deps.store.deliveries.listByVerification(id)).toEqual([]);
    const polled = await api(srv.baseUrl, 'GET', `/api/v1/external/kyc/verifications/${id}`, { key: flowKey.key });
    expect(polled.json.data).toMatchObject({ status: 'pending', decision: null, attempts: 1 });
  }, 70_000);

  it('declines stills sent as the recording: right, left, centre seconds apart (LIVENESS_FAILED)', async () => {
    const { client } = await newApplicant(srv.baseUrl, key.key);
    await client.consent();
    const prompts: HeadPrompt[] = (await client.session()).json.data.challenge.prompts;
    await client.upload('document_front', 0, PASSPORT);
    await client.upload('selfie', 0, SELFIE_A);
    const frames = framesFor(prompts);
    for (let i = 0; i < frames.length; i++) await client.upload('liveness_frame', i, frames[i]!);
    // The stills alone are refused before any check runs: the recording is a required capture.
    const withoutRecording = await client.submit({ documentType: 'passport' });
    expect({ status: withoutRecording.status, code: withoutRecording.json.error.code }).toEqual({
      status: 409,
      code: 'captures_missing',
    });
    expect(withoutRecording.json.error.details.map((d: { field: string }) => d.field)).toEqual(['liveness_sequence']);
    // One far-apart still per prompt (each matches its prompt), stamped 1.5 s apart: no motion between them.
    const still: Record<HeadPrompt, number> = { right: 0, centre: 18, left: 13 };
    const a = personAFrames();
    const stills = await buildSequence(
      prompts.map((p) => a[still[p]]!),
      { intervalMs: 1500 },
    );
    await uploadRecording(client, stills);
    expect((await client.submit({ documentType: 'passport' })).status).toBe(202);
    const after = await client.waitForSession((d) => d.status !== 'in_progress', 60_000);
    expect(after).toMatchObject({
      status: 'pending',
      lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['LIVENESS_FAILED'] },
    });
  }, 70_000);

  it('declines head turns that do not follow the prompts (LIVENESS_FAILED)', async () => {
    const { client } = await newApplicant(srv.baseUrl, key.key);
    await client.consent();
    const prompts: HeadPrompt[] = (await client.session()).json.data.challenge.prompts;
    const mirrored = prompts.map((p): HeadPrompt => (p === 'left' ? 'right' : p === 'right' ? 'left' : p));
    await client.upload('document_front', 0, PASSPORT);
    await client.upload('selfie', 0, SELFIE_A);
    const frames = framesFor(mirrored);
    for (let i = 0; i < frames.length; i++) await client.upload('liveness_frame', i, frames[i]!);
    await uploadRecording(client, await sequenceForPrompts(mirrored));
    expect((await client.submit({ documentType: 'passport' })).status).toBe(202);

    const after = await client.waitForSession((d) => d.status !== 'in_progress', 60_000);
    expect(after).toMatchObject({
      status: 'pending',
      lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['LIVENESS_FAILED'] },
      attempts: { used: 1, left: 2 },
    });
  }, 70_000);
});

describe('crash and resume', () => {
  it('finishes a pipeline interrupted mid-run exactly once after a restart on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyc-e2e-crash-'));
    const receiver = await startReceiver();
    const real = createLocalCheckProvider();
    let first: TestServer | null = null;
    let second: TestServer | null = null;
    try {
      first = await startTestServer({ dataDir, checks: async () => real });
      const key = await first.mintKey('live');
      await addEndpoint(first, key.keyId, 'live', receiver.url);
      // The worker of the first process is gone before the submit: the job stays in the durable queue.
      await first.app.worker.stop();
      const { id, client } = await newApplicant(first.baseUrl, key.key);
      await client.consent();
      await uploadPersonA(client);
      expect((await client.submit({ documentType: 'passport' })).status).toBe(202);

      // A worker claims the job, runs the first steps, and dies holding the lease.
      const input = { verificationId: id, attempt: 1 };
      const claimed = first.app.runtime.queue.claimDue(10, 120_000);
      expect(claimed.map((j) => [j.type, j.payload])).toEqual([['pipeline.run', input]]);
      const deps = first.app.runtime.deps;
      await prepare(deps, input);
      await documentCheck(deps, input);
      expect((await deps.store.steps.listByAttempt(id, 1)).map((s) => s.step).sort()).toEqual([
        'documentCheck',
        'prepare',
      ]);
      await first.stop();
      first = null;

      const { provider, calls } = counting(real);
      second = await startTestServer({ dataDir, checks: async () => provider });
      const resumed = new ApplicantClient(second.baseUrl, client.token);
      const done = await resumed.waitForSession((d) => d.status !== 'in_progress', 100_000);
      expect(done).toMatchObject({ status: 'approved', decision: 'approved', attempts: { used: 1 } });
      // The document step finished before the crash and is not run again; the rest ran once.
      expect(calls).toEqual({ document: 0, liveness: 1, faceMatch: 1 });

      const store = second.app.runtime.deps.store;
      const deliveries = await store.deliveries.listByVerification(id);
      const events = deliveries.map((d) => d.event);
      expect(new Set(events).size).toBe(events.length);
      expect(events).toEqual(expect.arrayContaining(['verification.approved', 'verification.completed']));
      await receiver.waitFor(deliveries.length);
      // Every delivery succeeded, and once: the queue drains, nothing is sent twice.
      await waitUntil(
        async () =>
          second!.app.runtime.queue.depth() === 0 &&
          (await store.deliveries.listByVerification(id)).every((d) => d.status === 'succeeded'),
      );
      expect(receiver.received.map((d) => d.json.event).sort()).toEqual([...events].sort());
      for (const d of receiver.received) expectSigned(d, key.secret);

      const audit = await store.audit.listByVerification(id);
      expect(audit.filter((e) => e.type === 'verification.finalized')).toHaveLength(1);
      expect((await store.verifications.get(id))?.attempts).toEqual([
        expect.objectContaining({ number: 1, decision: 'approved', completedAt: expect.any(String) }),
      ]);
    } finally {
      await first?.stop();
      await second?.stop();
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 110_000);
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 100));
  }
}
