/**
 * The AWS runtime end to end, driven by the synthesized template (issue 12 §1): the bundled Lambda assets
 * from cdk.out with their template environment and roles, on DynamoDB Local, s3rver, fauxqs and the AWS
 * stand-ins; API Gateway events through the REQUEST authorizer; the state machine definition from the
 * template; SQS batches for the dispatcher; a signed webhook to an HTTPS receiver. Every AWS call an entry
 * makes must be allowed by its role in the template.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createFlow, createOrganisation, mintKey, type MintedKeyView } from '../../functions/app/admin';
import type { AppDeps } from '../../functions/app/deps';
import { updateVerification } from '../../functions/app/optimistic-update';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WEBHOOK_EVENTS, type Verification } from '../../functions/domain/model';
import { createAwsDeps, resetAwsRuntimeForTests } from '../../functions/aws/deps';
import { verifyTimestampedSignature } from '../../functions/domain/webhooks';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { type Person, syntheticImage } from './aws-standins';
import sharp from 'sharp';
import { encodeFrameSequence, FRAME_SEQUENCE_CONTENT_TYPE } from '../../functions/domain/frame-sequence';
import { type AwsWorld, startAwsWorld } from './world';

jest.setTimeout(180_000);

/**
 * With KYC_E2E_CALLS_OUT=<file>, writes the AWS calls of one whole live verification (create -> captures ->
 * submit -> pipeline -> webhooks -> one poll), counted per entry and command: the measured basis of the
 * capacity figures in docs/benchmarks.md.
 */
function writeCallsPerVerification(
  calls: ReadonlyArray<{ functionId: string; client: string; command: string }>,
): void {
  const out = process.env.KYC_E2E_CALLS_OUT;
  if (!out) return;
  const counts: Record<string, number> = {};
  for (const c of calls) {
    const k = `${c.functionId} ${c.client} ${c.command}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  fs.writeFileSync(out, `${JSON.stringify(counts, null, 2)}\n`);
}

const INTEGRATOR = '/api/v1/external/kyc';
const APPLICANT = '/api/v1/applicant';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  json: any;
}

let world: AwsWorld & { receiverTls: { cert: string; key: string } };
let operator: AppDeps;
let approvedId = '';
let liveKey: MintedKeyView;
let faceLivenessKey: MintedKeyView;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const stateMachineId = () => world.model.resources('AWS::StepFunctions::StateMachine')[0]![0];
const savedEnv = { ...process.env };

beforeAll(async () => {
  world = await startAwsWorld({ webhookAllowHosts: ['127.0.0.1'], webhookRetryDelaysSeconds: [1, 2, 4] });
  // The operator's CLI (KYC_RUNTIME=aws with the stack's outputs) creates the organisation and its key.
  Object.assign(process.env, world.host.fn(world.fnIds.integrator).env, { NODE_EXTRA_CA_CERTS: '' });
  resetAwsRuntimeForTests();
  operator = createAwsDeps(process.env);
  const { org } = await createOrganisation(operator, { name: 'E2E Org', plan: 'enterprise' });
  liveKey = await mintKey(operator, { orgId: org.id, mode: 'live', flowId: null });
  const faceLivenessFlow = await createFlow(operator, org.id, { name: 'Face Liveness', useFaceLivenessSession: true });
  faceLivenessKey = await mintKey(operator, { orgId: org.id, mode: 'live', flowId: faceLivenessFlow.id });

  receiver = createServer(
    { cert: fs.readFileSync(world.receiverTls.cert), key: fs.readFileSync(world.receiverTls.key) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        received.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) });
        res.writeHead(200).end();
      });
    },
  );
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `https://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/kyc`;
});

afterAll(async () => {
  process.env = savedEnv;
  resetAwsRuntimeForTests();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  await world?.stop();
});

const integrator = (method: string, path: string, body?: unknown, key = liveKey.key) =>
  world.api.request(method, `${INTEGRATOR}${path}`, { headers: { 'X-Api-Key': key }, body });
const applicant = (token: string, method: string, path: string, body?: unknown) =>
  world.api.request(method, `${APPLICANT}${path}`, { headers: { Authorization: `Bearer ${token}` }, body });

/** What the hosted page does for one capture: slot, presigned POST straight to S3, complete. */
async function upload(
  token: string,
  kind: string,
  index: number,
  bytes: Buffer,
  contentType = 'image/jpeg',
): Promise<void> {
  const slot = await applicant(token, 'POST', '/uploads', { kind, index, contentType });
  expect(slot.status).toBe(201);
  const { url, fields, method } = slot.json.data.upload as {
    url: string;
    fields: Record<string, string>;
    method: string;
  };
  expect(method).toBe('POST');
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }));
  const res = await fetch(url, { method: 'POST', body: form });
  expect(res.status).toBeLessThan(300);
  world.recordPresignedUpload(world.fnIds.applicant, world.capturesBucket, fields.key!);
  const done = await applicant(token, 'POST', `/uploads/${encodeURIComponent(slot.json.data.captureId)}/complete`, {});
  expect({ status: done.status, body: done.json }).toMatchObject({ status: 200 });
}

interface Captures {
  document: Buffer;
  selfie: Buffer;
  frame(prompt: 'left' | 'right' | 'centre'): Promise<Buffer>;
  /** The continuous recording of the challenge (a frame-sequence container, 320 px frames, 5 fps). */
  recording(prompts: ReadonlyArray<'left' | 'right' | 'centre'>): Promise<Buffer>;
}

/** Captures of `person`, optionally holding `documentOf`'s document (someone else's identity). */
function capturesOf(person: Person, documentOf: Person = person) {
  return async (): Promise<Captures> => ({
    document: await syntheticImage(person, 'document', 'centre', documentOf),
    selfie: await syntheticImage(person, 'selfie'),
    frame: (prompt) => syntheticImage(person, 'frame', prompt),
    recording: async (prompts) => {
      const poses = ['centre' as const, ...prompts];
      const frames = await Promise.all(
        poses.map(async (pose) =>
          sharp(await syntheticImage(person, 'frame', pose))
            .resize({ width: 320 })
            .jpeg()
            .toBuffer(),
        ),
      );
      return Buffer.from(encodeFrameSequence(frames.map((bytes, i) => ({ bytes, t: i * 200 }))));
    },
  });
}

/** Creates a verification through the integrator route and gives consent as the applicant. */
async function newVerification(person: Person, key = liveKey.key): Promise<{ id: string; token: string }> {
  const created = await integrator(
    'POST',
    '/verifications',
    { applicantEmail: `${person}@applicants.example.com`, metadata: { ref: `e2e-${person}` } },
    key,
  );
  expect({ status: created.status, body: created.json }).toMatchObject({ status: 201 });
  const { id, clientToken } = created.json.data as { id: string; clientToken: string };
  const consent = await applicant(clientToken, 'POST', '/consent', {
    accepted: true,
    textVersion: '2026-11-01',
    locale: 'en',
  });
  expect(consent.status).toBe(200);
  return { id, token: clientToken };
}

/** One attempt: uploads (presigned POST), submit, then waits for the state machine execution to end. */
async function attempt(token: string, captures: Captures) {
  const session = await applicant(token, 'GET', '/session');
  expect(session.status).toBe(200);
  await upload(token, 'document_front', 0, captures.document);
  await upload(token, 'selfie', 0, captures.selfie);
  const prompts = session.json.data.challenge.prompts as Array<'left' | 'right' | 'centre'>;
  for (const [i, prompt] of prompts.entries()) await upload(token, 'liveness_frame', i, await captures.frame(prompt));
  await upload(token, 'liveness_sequence', 0, await captures.recording(prompts), FRAME_SEQUENCE_CONTENT_TYPE);
  const submitted = await applicant(token, 'POST', '/submit', {});
  expect({ status: submitted.status, body: submitted.json }).toMatchObject({ status: 202 });
  await world.standIns.idle();
  const after = await applicant(token, 'GET', '/session');
  expect(after.status).toBe(200);
  return after.json.data as {
    status: string;
    decision: string | null;
    lastAttempt: { decision: string; declineType: string | null; reasonCodes: string[] } | null;
  };
}

/** The webhook delivery for this verification and event, driving the queue as the event source mapping does. */
async function delivery(verificationId: string, event: string): Promise<Received> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = received.find((d) => d.json.data?.verificationId === verificationId && d.json.event === event);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no ${event} for ${verificationId}; received ${received.map((d) => d.json.event).join(', ')}`);
    if ((await world.pollWebhookQueue()) === 0) await new Promise((r) => setTimeout(r, 200));
  }
}

/** Moves a verification's clock-driven dates (expiry, retention) as if time had passed. */
async function timeTravel(id: string, patch: Partial<Pick<Verification, 'expiresAt' | 'purgeAfter'>>): Promise<void> {
  const done = await updateVerification(operator, id, (v) => ({ ...v, ...patch, version: v.version + 1 }));
  expect(done).not.toBeNull();
}

async function captureKeys(id: string): Promise<string[]> {
  const out = await world.s3.send(
    new ListObjectsV2Command({ Bucket: world.capturesBucket, Prefix: `captures/${id}/` }),
  );
  return (out.Contents ?? []).map((o) => o.Key!);
}

function verifySpecSignature(d: Received, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(d.raw).digest('hex'));
  const got = Buffer.from(String(d.headers['x-nextcap-signature'] ?? ''));
  return expected.length === got.length && timingSafeEqual(expected, got);
}

describe('AWS runtime from the synthesized template', () => {
  it('reads the runtime from the template', () => {
    expect(Object.values(world.fnIds).every(Boolean)).toBe(true);
    expect(new Set(Object.values(world.fnIds)).size).toBe(6);
    // Every bundled asset resolves only what the Lambda runtime or the asset itself provides.
    for (const id of Object.values(world.fnIds)) expect(fs.existsSync(world.host.fn(id).assetDir)).toBe(true);
  });

  it('live verification: integrator -> applicant -> S3 -> Step Functions -> decision -> SQS -> signed webhook -> polling', async () => {
    const hook = await integrator('POST', '/webhooks', { url: receiverUrl, events: [...WEBHOOK_EVENTS] });
    expect({ status: hook.status, body: hook.json }).toMatchObject({ status: 201 });
    const callsBefore = world.host.calls.length;

    const { id, token } = await newVerification('a');
    approvedId = id;
    const session = await attempt(token, await capturesOf('a')());
    expect(session).toMatchObject({ status: 'approved', decision: 'approved' });
    const execution = world.standIns.executions.get(
      `${world.resolver.resolveString({ Ref: stateMachineId() })}`.replace(':stateMachine:', ':execution:') +
        `:${id}-1`,
    );
    expect(execution?.status).toBe('SUCCEEDED');

    const completed = await delivery(id, 'verification.completed');
    const approved = await delivery(id, 'verification.approved');
    for (const d of [completed, approved]) {
      expect(verifySpecSignature(d, liveKey.secret)).toBe(true);
      expect(
        verifyTimestampedSignature(
          nodeCrypto,
          liveKey.secret,
          {
            id: String(d.headers['webhook-id']),
            timestamp: String(d.headers['webhook-timestamp']),
            signature: String(d.headers['webhook-signature']),
          },
          d.raw.toString('utf8'),
          new Date(),
        ),
      ).toBe(true);
    }
    expect(completed.json.data).toMatchObject({
      verificationId: id,
      decision: 'approved',
      status: 'approved',
      mode: 'live',
    });

    const polled = await integrator('GET', `/verifications/${id}`);
    expect(polled.status).toBe(200);
    expect(polled.json.data).toEqual(expect.objectContaining(completed.json.data));
    expect(world.standIns.answered).toEqual(
      expect.arrayContaining(['textract:DetectDocumentText', 'rekognition:CompareFaces', 'rekognition:IndexFaces']),
    );
    expect(world.api.authorizerCalls).toBe(1); // one decision per key, cached across routes for the template's TTL
    writeCallsPerVerification(world.host.calls.slice(callsBefore));
  });

  it('declined/retry: no face in the selfie declines with retry; the second attempt (a second execution) is approved', async () => {
    const { id, token } = await newVerification('c');
    const blankSelfie = { ...(await capturesOf('c')()), selfie: await syntheticImage('c', 'blank') };
    const first = await attempt(token, blankSelfie);
    expect(first).toMatchObject({ status: 'pending', lastAttempt: { decision: 'declined', declineType: 'retry' } });
    expect(first.lastAttempt?.reasonCodes).toContain('NO_FACE_IN_SELFIE');
    const second = await attempt(token, await capturesOf('c')());
    expect(second).toMatchObject({ status: 'approved', decision: 'approved' });
    const names = [...world.standIns.executions.values()].filter((e) => e.name.startsWith(id)).map((e) => e.name);
    expect(names.sort()).toEqual([`${id}-1`, `${id}-2`]);
    expect((await delivery(id, 'verification.approved')).json.data.decision).toBe('approved');
  });

  it("fraud flag: the same face under another person's document is found in the org's face collection", async () => {
    const { id, token } = await newVerification('a');
    await attempt(token, await capturesOf('a', 'b')());
    const flagged = await delivery(id, 'fraud.flagged');
    expect(flagged.json.data.riskFlags).toContain('DUPLICATE_FACE_DIFFERENT_IDENTITY');
    expect((await integrator('GET', `/verifications/${id}`)).json.data).toEqual(
      expect.objectContaining({ riskFlags: flagged.json.data.riskFlags, decision: flagged.json.data.decision }),
    );
  });

  it('review: a check whose service keeps failing is retried by the state machine, caught, and decided review', async () => {
    const { id, token } = await newVerification('b');
    world.standIns.faults.add('textract:DetectDocumentText');
    try {
      const session = await attempt(token, await capturesOf('b')());
      expect(session).toMatchObject({ status: 'review', decision: 'review' });
    } finally {
      world.standIns.faults.delete('textract:DetectDocumentText');
    }
    const execution = [...world.standIns.executions.values()].find((e) => e.name === `${id}-1`);
    expect(execution?.status).toBe('SUCCEEDED');
    const review = await delivery(id, 'verification.manual_review');
    expect(review.json.data).toMatchObject({ verificationId: id, decision: 'review' });
    expect(review.json.data.reasonCodes).toContain('CHECK_ERROR');
  });

  it('Face Liveness flow: the applicant Lambda opens a Rekognition session; the pipeline reads its result', async () => {
    const { id, token } = await newVerification('c', faceLivenessKey.key);
    const session = await applicant(token, 'GET', '/session');
    expect(session.json.data.liveness).toEqual({ mode: 'face_liveness' });
    world.standIns.livenessSubject = 'c';
    const opened = await applicant(token, 'POST', '/liveness-session');
    expect({ status: opened.status, body: opened.json }).toMatchObject({ status: 201 });
    expect(opened.json.data).toEqual({
      sessionId: expect.any(String),
      region: world.resolver.pseudo.region,
      identityPoolId: world.host.fn(world.fnIds.applicant).env.KYC_FACE_LIVENESS_IDENTITY_POOL_ID,
    });
    const captures = await capturesOf('c')();
    await upload(token, 'document_front', 0, captures.document);
    await upload(token, 'selfie', 0, captures.selfie);
    const submitted = await applicant(token, 'POST', '/submit', {});
    expect({ status: submitted.status, body: submitted.json }).toMatchObject({ status: 202 });
    await world.standIns.idle();
    expect((await integrator('GET', `/verifications/${id}`, undefined, faceLivenessKey.key)).json.data).toMatchObject({
      decision: 'approved',
    });
    expect(world.standIns.answered).toContain('rekognition:GetFaceLivenessSessionResults');
  });

  it('expiry: the scheduled sweep (EventBridge event) expires a session past its lifetime', async () => {
    const { id } = await newVerification('c');
    await timeTravel(id, { expiresAt: new Date(Date.now() - 60_000).toISOString() });
    await world.runScheduledSweep();
    const polled = await integrator('GET', `/verifications/${id}`);
    expect(polled.json.data).toMatchObject({ status: 'expired' });
  });

  it('retention: the sweep purges the captures in S3 and the faces in the collection, keeping the decision', async () => {
    const id = approvedId;
    expect((await captureKeys(id)).length).toBeGreaterThan(0);
    const facesOf = () => [...world.standIns.collections.values()].flat().filter((f) => f.ExternalImageId === id);
    expect(facesOf().length).toBeGreaterThan(0);
    await timeTravel(id, { purgeAfter: new Date(Date.now() - 60_000).toISOString() });
    await world.runScheduledSweep();
    expect(await captureKeys(id)).toEqual([]);
    expect(facesOf()).toEqual([]);
    const polled = await integrator('GET', `/verifications/${id}`);
    expect(polled.json.data).toMatchObject({ decision: 'approved' });
  });

  it('redact: the integrator Lambda erases the captures in S3, the faces in the collection and every personal field in DynamoDB', async () => {
    const person = 'c';
    const { id, token } = await newVerification(person);
    expect(await attempt(token, await capturesOf(person)())).toMatchObject({ status: 'approved' });
    const email = `${person}@applicants.example.com`;
    const metadataValue = `e2e-${person}`;
    const viewerIp = '203.0.113.7'; // the CloudFront viewer address the edge passes on
    /** Every item of the table that mentions this verification, as stored (all attributes, all index rows). */
    const itemsOf = async () => {
      const ddb = new DynamoDBClient({});
      const items: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await ddb.send(new ScanCommand({ TableName: world.tableName, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) {
          const text = JSON.stringify(item);
          if (text.includes(id)) items.push(text);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      ddb.destroy();
      return items.join('\n');
    };
    const facesOf = () => [...world.standIns.collections.values()].flat().filter((f) => f.ExternalImageId === id);
    // Before: the scan sees the personal data (so its absence afterwards means something).
    const before = await itemsOf();
    for (const value of [email, metadataValue, viewerIp])
      expect({ value, found: before.includes(value) }).toEqual({ value, found: true });
    expect((await captureKeys(id)).length).toBeGreaterThan(0);
    expect(facesOf().length).toBeGreaterThan(0);

    const redacted = await integrator('POST', `/verifications/${id}/redact`, {});
    expect({ status: redacted.status, body: redacted.json }).toMatchObject({
      status: 200,
      body: { data: { redacted: true, decision: 'approved', status: 'approved' } },
    });
    expect(await captureKeys(id)).toEqual([]);
    expect(facesOf()).toEqual([]);
    const after = await itemsOf();
    for (const value of [email, metadataValue, viewerIp])
      expect({ value, found: after.includes(value) }).toEqual({ value, found: false });
    // Idempotent, and the decision record stays.
    const again = await integrator('POST', `/verifications/${id}/redact`, {});
    expect({ status: again.status, redacted: again.json.data?.redacted }).toEqual({ status: 200, redacted: true });
    expect((await integrator('GET', `/verifications/${id}`)).json.data).toMatchObject({
      decision: 'approved',
      redacted: true,
      metadata: {},
    });
    expect(world.deniedCalls().filter((d) => d.functionId === world.fnIds.integrator)).toEqual([]);
  });

  it('a bundle resolves only the runtime SDK and what its asset ships (a forgotten module fails)', () => {
    const resolves = (fnId: string, mod: string) => {
      const f = world.host.fn(fnId);
      try {
        execFileSync(process.execPath, ['-e', `require.resolve(${JSON.stringify(mod)})`], {
          cwd: f.assetDir,
          env: f.env,
          stdio: 'ignore',
        });
        return true;
      } catch {
        return false;
      }
    };
    expect(resolves(world.fnIds.integrator, '@aws-sdk/client-dynamodb')).toBe(true);
    expect(resolves(world.fnIds.integrator, 'zod')).toBe(false); // bundled, so not resolvable on its own
    expect(resolves(world.fnIds.integrator, 'sharp')).toBe(false);
    expect(resolves(world.fnIds.task, 'sharp')).toBe(true); // shipped in the task asset's node_modules
  });

  it('the permission check fails a call the role does not allow', () => {
    const start = world.host.calls.find(
      (c) => c.functionId === world.fnIds.applicant && c.command === 'StartExecutionCommand',
    );
    expect(start).toBeDefined();
    // The same call made by the integrator, whose role may not start the pipeline.
    expect(world.deniedCalls([{ ...start!, functionId: world.fnIds.integrator }])).toEqual([
      expect.objectContaining({
        functionId: world.fnIds.integrator,
        request: expect.objectContaining({ action: 'states:StartExecution' }),
      }),
    ]);
  });

  it('every AWS call each entry made is allowed by its role in the template', () => {
    const byFunction = new Set(world.host.calls.map((c) => c.functionId));
    expect([...byFunction]).toEqual(
      expect.arrayContaining([world.fnIds.integrator, world.fnIds.applicant, world.fnIds.task, world.fnIds.dispatcher]),
    );
    expect(world.deniedCalls()).toEqual([]);
  });
});
