/**
 * The AWS runtime end to end, driven by the synthesized template (issue 12 §1): the bundled Lambda assets
 * from cdk.out with their template environment and roles, on DynamoDB Local, s3rver, fauxqs and the AWS
 * stand-ins; API Gateway events through the REQUEST authorizer; the state machine definition from the
 * template; SQS batches for the dispatcher; a signed webhook to an HTTPS receiver. Every AWS call an entry
 * makes must be allowed by its role in the template.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createFlow, createOrganisation, mintKey, type MintedKeyView } from '../../functions/app/admin';
import type { AppDeps } from '../../functions/app/deps';
import { updateVerification } from '../../functions/app/optimistic-update';
import { redeliver } from '../../functions/app/webhooks/deliver';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { WEBHOOK_EVENTS, type Verification } from '../../functions/domain/model';
import { createAwsDeps, resetAwsRuntimeForTests } from '../../functions/aws/deps';
import { eventsForOutcome, verifyTimestampedSignature } from '../../functions/domain/webhooks';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { largeSyntheticImage, type Person, syntheticImage } from './aws-standins';
import sharp from 'sharp';
import { FRAME_SEQUENCE_CONTENT_TYPE } from '../../functions/domain/frame-sequence';
import type { HeadPrompt } from '../../functions/domain/model';
import { readStep } from '../../functions/app/pipeline/step-results';
import { buildSequence, personAFrames, sequenceForPrompts } from '../support/liveness-sequences';
import { TESTDATA } from '../support/testdata';
import type { ApiResponse } from './api-gateway';
import type { FaultCounts } from './fault-injection';
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
  // It talks to the emulators directly: the throttling proxies are for the Lambdas.
  Object.assign(process.env, world.host.fn(world.fnIds.integrator).env, {
    NODE_EXTRA_CA_CERTS: '',
    AWS_ENDPOINT_URL_DYNAMODB: world.emulatorEndpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: world.emulatorEndpoints.s3,
  });
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
  frame(prompt: HeadPrompt): Promise<Buffer>;
  /** The continuous recording of the challenge (a frame-sequence container of 320 px JPEG frames). */
  recording(prompts: readonly HeadPrompt[]): Promise<Buffer>;
  /** The selfie's content type when it is not JPEG. */
  selfieContentType?: string;
}

/**
 * Captures of `person`, optionally holding `documentOf`'s document (someone else's identity). The stills are the
 * stand-ins' coloured images (their Rekognition sees colours); the recording is judged by the pipeline Lambda's
 * own face-api, so it holds real faces: person_a's head-turn clip walked to the prompts, whoever the stand-in
 * person is (a selfie without a face leaves the recording's identity compared within itself only).
 */
function capturesOf(person: Person, documentOf: Person = person) {
  return async (): Promise<Captures> => ({
    document: await syntheticImage(person, 'document', 'centre', documentOf),
    selfie: await syntheticImage(person, 'selfie'),
    frame: (prompt) => syntheticImage(person, 'frame', prompt),
    recording: (prompts) => sequenceForPrompts(prompts),
  });
}

/** person_a's clearest still per pose (testdata/liveness/labels.json): 000 own right, 018 frontal, 013 own left. */
const STILL_OF_POSE: Record<HeadPrompt, number> = { right: 0, centre: 18, left: 13 };

/** Captures whose recording is one real still per prompt, 1.5 s apart: each pose as prompted, no motion between. */
function stillsRecordedOf(person: Person) {
  return async (): Promise<Captures> => ({
    ...(await capturesOf(person)()),
    recording: (prompts) =>
      buildSequence(
        prompts.map((p) => personAFrames()[STILL_OF_POSE[p]]!),
        { intervalMs: 1500 },
      ),
  });
}

/**
 * Real faces from the shared test set (../shared/testdata; attributions in its SOURCES.md and
 * liveness/SOURCES.md): person_a is the Intel IoT DevKit head-pose sample video ("Sample videos by Intel
 * Corporation / intel-iot-devkit", CC BY 4.0), its document the synthetic Utopia passport made around a crop
 * of its frame 018; london_030 is from the Face Research Lab London Set (DeBruine & Jones 2017, CC BY 4.0).
 * The Rekognition stand-in judges these with the offline face model (photo-faces.ts), Textract answers the
 * passport's recorded MRZ; the task Lambda's own face-api judges the recording.
 */
const testdataImage = (relative: string) => fs.readFileSync(path.join(TESTDATA, relative));
const PERSON_A_PASSPORT = testdataImage('documents/synth_td3_uto_person_a.jpg');
const PERSON_A_SELFIE = testdataImage('liveness/person_a/frame_019.jpg'); // frontal
const OTHER_PERSON_SELFIE = testdataImage('faces/london_030_neutral.jpg');
/** person_a's full-resolution still per prompt (face-api yaw: 022 -30 deg, 009 +1 deg, 013 +38 deg). */
const PERSON_A_STILL: Record<HeadPrompt, string> = {
  right: 'liveness/person_a/frame_022.jpg',
  centre: 'liveness/person_a/frame_009.jpg',
  left: 'liveness/person_a/frame_013.jpg',
};
/** The prompts person_a's whole recording shows in this order (its sweep turns right, to the front, then left). */
const WHOLE_SWEEP_PROMPTS: HeadPrompt[] = ['right', 'centre', 'left'];

/** person_a's real captures; the recording is their whole continuous sweep (23 frames, 4 fps) unless given. */
function realCapturesOfPersonA(over: { selfie?: Buffer; recording?: () => Promise<Buffer> } = {}): Captures {
  return {
    document: PERSON_A_PASSPORT,
    selfie: over.selfie ?? PERSON_A_SELFIE,
    frame: async (prompt) => testdataImage(PERSON_A_STILL[prompt]),
    recording: async (prompts) => {
      // The whole sweep shows one order of poses: it fits only the challenge it was picked for.
      expect(prompts).toEqual(WHOLE_SWEEP_PROMPTS);
      return over.recording ? over.recording() : buildSequence(personAFrames());
    },
  };
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

/**
 * A verification whose challenge, drawn at random by the server, is `wanted` (a recording of a fixed order of
 * poses fits one draw in six; verifications with another draw are left unused). `callsFrom` marks where the
 * chosen verification's AWS calls start in the host's record.
 */
async function newVerificationWithPrompts(
  person: Person,
  wanted: readonly HeadPrompt[],
): Promise<{ id: string; token: string; callsFrom: number }> {
  for (let draw = 0; draw < 60; draw++) {
    const callsFrom = world.host.calls.length;
    const created = await newVerification(person);
    const session = await applicant(created.token, 'GET', '/session');
    expect(session.status).toBe(200);
    if (JSON.stringify(session.json.data.challenge.prompts) === JSON.stringify(wanted))
      return { ...created, callsFrom };
  }
  throw new Error(`no challenge ${wanted.join(',')} in 60 draws`);
}

/** One attempt: uploads (presigned POST), submit, then waits for the state machine execution to end. */
async function attempt(token: string, captures: Captures) {
  const session = await applicant(token, 'GET', '/session');
  expect(session.status).toBe(200);
  await upload(token, 'document_front', 0, captures.document);
  await upload(token, 'selfie', 0, captures.selfie, captures.selfieContentType);
  const prompts = session.json.data.challenge.prompts as HeadPrompt[];
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

// ---------------------------------------------------------------- under faults (issue 12 §3)

const TERMINAL = new Set(['approved', 'declined', 'review', 'expired']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FaultRunReport {
  summary: string;
  violations: string[];
  verifications: number;
  counts: { dynamodb: FaultCounts; s3: FaultCounts };
  crashes: { task: number; dispatcher: number };
  duplicateBatches: number;
}

/** Sends until the answer is not a 5xx, as the hosted page and an integrator (with an Idempotency-Key) do. */
async function untilNot5xx(send: () => Promise<ApiResponse>, stats: { retried: number }): Promise<ApiResponse> {
  for (let i = 0; ; i++) {
    const res = await send();
    if (res.status < 500 || i >= 10) return res;
    stats.retried++;
    await sleep(100 * 2 ** Math.min(i, 4));
  }
}

/**
 * One applicant under faults, as a careful client behaves: every 5xx is retried, and a retry answered
 * "already done" (the first try went through before the failure) counts as done. Throws on anything else.
 */
async function applicantUnderFaults(
  person: Person,
  documentOf: Person,
  stats: { retried: number },
  onCreated: (id: string) => void,
): Promise<void> {
  const fail = (step: string, res: ApiResponse) => {
    throw new Error(`${step}: ${res.status} ${res.text.slice(0, 300)}`);
  };
  const idempotencyKey = randomUUID();
  const created = await untilNot5xx(
    () =>
      world.api.request('POST', `${INTEGRATOR}/verifications`, {
        headers: { 'X-Api-Key': liveKey.key, 'Idempotency-Key': idempotencyKey },
        body: { applicantEmail: `${person}@applicants.example.com`, metadata: { ref: `faults-${person}` } },
      }),
    stats,
  );
  if (created.status !== 201) fail('create', created);
  const { id, clientToken: token } = created.json.data as { id: string; clientToken: string };
  onCreated(id);
  const call = (method: string, path: string, body?: unknown) =>
    untilNot5xx(() => applicant(token, method, path, body), stats);
  const consent = await call('POST', '/consent', { accepted: true, textVersion: '2026-11-01', locale: 'en' });
  if (consent.status !== 200) fail('consent', consent);
  const session = await call('GET', '/session');
  if (session.status !== 200) fail('session', session);
  const captures = await capturesOf(person, documentOf)();
  const prompts = session.json.data.challenge.prompts as HeadPrompt[];
  const uploads: Array<[string, number, Buffer, string]> = [
    ['document_front', 0, captures.document, 'image/jpeg'],
    ['selfie', 0, captures.selfie, 'image/jpeg'],
  ];
  for (const [i, prompt] of prompts.entries())
    uploads.push(['liveness_frame', i, await captures.frame(prompt), 'image/jpeg']);
  uploads.push(['liveness_sequence', 0, await captures.recording(prompts), FRAME_SEQUENCE_CONTENT_TYPE]);
  for (const [kind, index, bytes, contentType] of uploads) {
    const slot = await call('POST', '/uploads', { kind, index, contentType });
    if (slot.status !== 201) fail(`slot ${kind}`, slot);
    const { url, fields } = slot.json.data.upload as { url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }));
    const posted = await fetch(url, { method: 'POST', body: form });
    if (posted.status >= 300) throw new Error(`presigned POST: ${posted.status}`);
    world.recordPresignedUpload(world.fnIds.applicant, world.capturesBucket, fields.key!);
    const done = await call('POST', `/uploads/${encodeURIComponent(slot.json.data.captureId)}/complete`, {});
    if (done.status !== 200 && done.json?.error?.code !== 'upload_already_completed') fail(`complete ${kind}`, done);
  }
  const submitted = await call('POST', '/submit', {});
  const code = submitted.json?.error?.code as string | undefined;
  if (submitted.status !== 202 && code !== 'attempt_in_progress' && code !== 'session_finished')
    fail('submit', submitted);
}

/**
 * Runs applicants concurrently while the Lambdas' DynamoDB calls are throttled, their S3 calls answered 503
 * SlowDown, every webhook batch is handed to two dispatcher invocations, and Lambdas die right after their
 * work (each verification's `decide` and one other task on their first run; every fourth dispatcher invocation).
 * Then, with the faults off, the scheduled sweep recovers whatever a fault left behind, and the invariants of
 * the local fault run are checked from the store, the receiver and the integrator API as observed meanwhile.
 */
async function runUnderFaults(): Promise<FaultRunReport> {
  const seed = Number(process.env.AWS_E2E_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const violations: string[] = [];
  const stats = { retried: 0 };
  const people: Array<[Person, Person]> = [
    ['a', 'a'],
    ['b', 'b'],
    ['a', 'c'],
  ];
  const ids: string[] = [];
  const ownCaptures = new Set<string>();
  const crashTasks = ['prepare', 'documentCheck', 'livenessCheck', 'faceMatch', 'riskSignals'];
  const crashed = new Set<string>();
  let dispatcherInvocations = 0;
  world.host.crashAfterHandler = (fnId, event) => {
    if (fnId === world.fnIds.dispatcher) return ++dispatcherInvocations % 4 === 2;
    if (fnId !== world.fnIds.task) return false;
    const e = event as { task: string; verificationId: string };
    const i = ids.indexOf(e.verificationId);
    if (i < 0 || (e.task !== 'decide' && e.task !== crashTasks[i % crashTasks.length])) return false;
    const key = `${e.verificationId}:${e.task}`;
    if (crashed.has(key)) return false;
    crashed.add(key);
    return true;
  };
  const crashesBefore = world.host.crashes.length;
  world.faults.dynamodb.arm({ transient: 0.1, persistent: 0.012 }, seed);
  world.faults.s3.arm({ transient: 0.15, persistent: 0.05 }, seed + 1);

  // The integrator's view while it runs: the first terminal state seen must never change.
  const firstTerminal = new Map<string, string>();
  let running = true;
  let duplicateBatches = 0;
  const snapshot = (d: Record<string, unknown>) =>
    JSON.stringify([d.status, d.decision, d.declineType, d.reasonCodes, d.riskFlags, d.completedAt]);
  const observe = async () => {
    for (const id of [...ids]) {
      const res = await integrator('GET', `/verifications/${id}`);
      if (res.status !== 200 || !TERMINAL.has(res.json.data.status)) continue;
      const now = snapshot(res.json.data);
      const first = firstTerminal.get(id);
      if (first === undefined) firstTerminal.set(id, now);
      else if (first !== now) violations.push(`${id} changed after it was terminal: ${first} -> ${now}`);
    }
  };
  const observer = (async () => {
    while (running) {
      await observe();
      await sleep(250);
    }
  })();
  // The event source mapping, delivering every batch twice.
  const pump = (async () => {
    while (running) {
      if ((await world.pollWebhookQueue({ duplicate: true })) > 0) duplicateBatches++;
      else await sleep(150);
    }
  })();

  const stuck: string[] = [];
  try {
    await underFaults();
    await recover();
  } finally {
    running = false;
    await Promise.all([observer, pump]);
  }
  // What is still hidden on the queue (a crashed batch, a duplicate's leftover) comes back once its visibility
  // ends; the dispatcher must find nothing left to send and drop it.
  for (let i = 0; i < 5 && (await queueDepths())[0] > 0; i++) {
    await world.releaseHiddenWebhooks();
    while ((await world.pollWebhookQueue()) > 0);
  }
  await sleep(500); // a late duplicate or change would show up here
  await observe();

  async function underFaults(): Promise<void> {
    try {
      const flows = people.map(async ([person, documentOf], i) => {
        await sleep(i * 400);
        await applicantUnderFaults(person, documentOf, stats, (id) => {
          ids.push(id);
          if (person === documentOf) ownCaptures.add(id);
        }).catch((err: unknown) => violations.push(`applicant ${i} (${person}): ${(err as Error).message}`));
      });
      await Promise.all(flows);
      await world.standIns.idle();
      // A scheduled sweep under faults too (EventBridge retries a failed invocation twice).
      for (let i = 0; i < 3; i++)
        if (
          await world.runScheduledSweep().then(
            () => true,
            () => false,
          )
        )
          break;
    } finally {
      world.faults.dynamodb.disarm();
      world.faults.s3.disarm();
      world.host.crashAfterHandler = null;
    }
  }

  /**
   * Recovery with the faults gone: whatever is still undecided is stuck, and only the sweep may rescue it (its
   * link lifetime has passed, so the sweep re-queues a submitted run or expires an unsubmitted session).
   */
  async function recover(): Promise<void> {
    for (const id of ids) {
      const v = await operator.store.verifications.get(id);
      if (v && !TERMINAL.has(v.status)) {
        stuck.push(`${id}:${v.status}`);
        await timeTravel(id, { expiresAt: new Date(Date.now() - 60_000).toISOString() });
      }
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      await world.runScheduledSweep().catch(() => undefined);
      await world.standIns.idle();
      await world.releaseHiddenWebhooks();
      while ((await world.pollWebhookQueue()) > 0);
      const pending = (await Promise.all(ids.map((id) => operator.store.deliveries.listByVerification(id))))
        .flat()
        .filter((d) => d.status === 'pending');
      const undecided = (await Promise.all(ids.map((id) => operator.store.verifications.get(id)))).filter(
        (v) => !v || !TERMINAL.has(v.status),
      );
      if ((pending.length === 0 && undecided.length === 0) || Date.now() > deadline) break;
      await sleep(500);
    }
  }

  // The invariants, from the store, the receiver and the integrator's observations.
  const receiptsById = new Map<string, Received[]>();
  for (const r of received) {
    const id = String(r.headers['webhook-id']);
    receiptsById.set(id, [...(receiptsById.get(id) ?? []), r]);
  }
  const byStatus: Record<string, number> = {};
  let owed = 0;
  let arrived = 0;
  const known = new Set<string>();
  for (const id of ids) {
    const v = await operator.store.verifications.get(id);
    if (!v) {
      violations.push(`${id} is missing`);
      continue;
    }
    byStatus[v.status] = (byStatus[v.status] ?? 0) + 1;
    if (!TERMINAL.has(v.status)) violations.push(`${id} is stuck in ${v.status}`);
    const finalized = (await operator.store.audit.listByVerification(id)).filter(
      (e) => e.type === 'verification.finalized',
    );
    if (finalized.length !== 1) violations.push(`${id} (${v.status}): ${finalized.length} finalized entries (want 1)`);
    const undecidedAttempts = v.attempts.filter((a) => a.decision === null);
    if (undecidedAttempts.length > 0) violations.push(`${id}: attempt(s) never decided`);
    if (v.attempts.length > 1) violations.push(`${id}: ${v.attempts.length} attempts for one submit`);
    // Infrastructure faults must never be blamed on the applicant.
    if (ownCaptures.has(id) && v.decision === 'declined')
      violations.push(`${id}: a genuine applicant was declined (${v.reasonCodes.join(',')})`);
    const first = firstTerminal.get(id);
    if (first && first !== snapshot(toViewLike(await integrator('GET', `/verifications/${id}`))))
      violations.push(`${id}: first seen terminal as ${first}, now different`);
    const deliveries = await operator.store.deliveries.listByVerification(id);
    const expected = eventsForOutcome(v).sort();
    const got = deliveries.map((d) => d.event).sort();
    if (JSON.stringify(got) !== JSON.stringify(expected))
      violations.push(`${id}: deliveries ${got.join(',')} (want one each of ${expected.join(',')})`);
    for (const d of deliveries) {
      owed++;
      known.add(d.id);
      const receipts = receiptsById.get(d.id) ?? [];
      if (receipts.length === 0) {
        violations.push(`delivery ${d.id} (${d.event}, ${d.status}) never arrived`);
        continue;
      }
      arrived++;
      if (new Set(receipts.map((r) => r.raw.toString('base64'))).size !== 1)
        violations.push(`delivery ${d.id} arrived with different bodies`);
      const body = receipts[0]!.json as { id: string; data: { status: string; decision: string | null } };
      if (body.id !== d.id) violations.push(`delivery ${d.id}: body id ${body.id}`);
      if (body.data.status !== v.status || body.data.decision !== v.decision)
        violations.push(`delivery ${d.id}: says ${body.data.status}/${body.data.decision}, final is ${v.status}`);
    }
  }
  for (const r of received)
    if (ids.includes(r.json.data?.verificationId) && !known.has(String(r.headers['webhook-id'])))
      violations.push(`received ${String(r.headers['webhook-id'])}, which the store does not know`);
  const receipts = received.filter((r) => ids.includes(r.json.data?.verificationId));
  const queues = await queueDepths();
  if (queues[0] !== 0) violations.push(`${queues[0]} message(s) left on the webhook queue`);
  if (queues[1] !== 0) violations.push(`${queues[1]} message(s) dead-lettered by infrastructure faults`);
  if (world.standIns.executions.size > 0 && [...world.standIns.executions.values()].some((e) => e.status === 'RUNNING'))
    violations.push('an execution is still running');

  const crashes = world.host.crashes.slice(crashesBefore);
  const counts = { dynamodb: { ...world.faults.dynamodb.counts }, s3: { ...world.faults.s3.counts } };
  const fmt = (c: FaultCounts) => `${c.calls} calls, ${c.transient} transient, ${c.persistent} persistent`;
  const summary = [
    `aws-e2e faults (seed ${seed}): ${ids.length} verifications (${Object.entries(byStatus)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
    `  DynamoDB throttling: ${fmt(counts.dynamodb)}; S3 SlowDown: ${fmt(counts.s3)}; client retries of 5xx: ${stats.retried}`,
    `  crashes after the work: ${crashes.filter((c) => c.functionId === world.fnIds.task).length} task, ${crashes.filter((c) => c.functionId === world.fnIds.dispatcher).length} dispatcher; duplicated SQS batches ${duplicateBatches}`,
    `  deliveries: ${owed} owed, ${arrived} arrived (${receipts.length} receipts); stuck before the sweep: ${stuck.length ? stuck.join(' ') : 'none'}; violations ${violations.length}`,
  ].join('\n');
  return {
    summary,
    violations,
    verifications: ids.length,
    counts,
    crashes: {
      task: crashes.filter((c) => c.functionId === world.fnIds.task).length,
      dispatcher: crashes.filter((c) => c.functionId === world.fnIds.dispatcher).length,
    },
    duplicateBatches,
  };
}

/** Messages on the webhook queue and on its dead-letter queue, visible or not. */
async function queueDepths(): Promise<[number, number]> {
  const [queue, dlq] = await Promise.all(
    [world.webhookQueueUrl, world.dlqUrl].map(async (QueueUrl) => {
      const { Attributes } = await world.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    }),
  );
  return [queue!, dlq!];
}

function toViewLike(res: ApiResponse): Record<string, unknown> {
  return (res.json?.data ?? {}) as Record<string, unknown>;
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

    // Real faces throughout: person_a's passport, selfie, stills and whole continuous recording.
    const { id, token, callsFrom: callsBefore } = await newVerificationWithPrompts('a', WHOLE_SWEEP_PROMPTS);
    approvedId = id;
    const session = await attempt(token, realCapturesOfPersonA());
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

    const authorizerBefore = world.api.authorizerCalls;
    const polled = await integrator('GET', `/verifications/${id}`);
    expect(polled.status).toBe(200);
    expect(polled.json.data).toEqual(expect.objectContaining(completed.json.data));
    expect(world.standIns.answered).toEqual(
      expect.arrayContaining(['textract:DetectDocumentText', 'rekognition:CompareFaces', 'rekognition:IndexFaces']),
    );
    writeCallsPerVerification(world.host.calls.slice(callsBefore));
    // One decision per key, cached across routes for the template's TTL: two routes in a row cost at most one
    // authorizer call (a new decision only if the cached one expired during a slow run), never one each.
    expect((await integrator('GET', '/webhooks')).status).toBe(200);
    expect(world.api.authorizerCalls - authorizerBefore).toBeLessThanOrEqual(1);
    expect(world.api.authorizerCalls).toBeGreaterThan(0);

    // The recording was judged inside the task Lambda (face-api from its asset), not by Rekognition: one person
    // throughout, the selfie's person (the selfie holds a real face, so the identity rule had a reference).
    const liveness = await readStep(operator, { verificationId: id, attempt: 1 }, 'livenessCheck');
    expect(liveness).toMatchObject({
      kind: 'check',
      result: {
        provider: 'aws',
        outcome: 'pass',
        scores: { framesPassed: 3, sequenceFrames: 23 },
        extracted: { sequence: { status: 'judged', problems: [] } },
      },
    });
    if (liveness?.kind !== 'check') throw new Error('no liveness check result');
    // Recognised frames were compared with the selfie, within the flow's same-person distance.
    expect(liveness.result.scores.sequenceMaxDistance).toBeGreaterThan(0);
    expect(liveness.result.scores.sequenceMaxDistance).toBeLessThan(0.6);
    // Rekognition (the stand-in's face model) saw the real stills turned as prompted and the selfie's person.
    const frames = liveness.result.extracted.frames as Array<{
      prompt: string;
      turn: string;
      samePersonSimilarity: number;
    }>;
    expect(frames.map((f) => [f.prompt, f.turn])).toEqual(WHOLE_SWEEP_PROMPTS.map((p) => [p, p]));
    for (const f of frames) expect(f.samePersonSimilarity).toBeGreaterThanOrEqual(80);
    const faceMatchStep = await readStep(operator, { verificationId: id, attempt: 1 }, 'faceMatch');
    expect(faceMatchStep).toMatchObject({ kind: 'check', result: { outcome: 'pass', reasonCodes: [] } });
    // The container's first recording: its timings include loading face-api, weights and wasm (the cold start).
    const steps = liveness?.kind === 'check' ? liveness.result.timings : [];
    expect(steps.map((t) => t.step)).toEqual(expect.arrayContaining(['face_models_load', 'sequence_detect']));
    console.log(`liveness task, first recording in a container: ${steps.map((t) => `${t.step}=${t.ms}ms`).join(' ')}`);
  });

  it('a throttled table before any attempt uses none of the SQS receives: the webhook still arrives, nothing dead-lettered', async () => {
    // The template's budget of receives per message (1 try + the retries).
    const [, webhookQueue] = world.model
      .resources('AWS::SQS::Queue')
      .find(([, r]) => (r.Properties as { RedrivePolicy?: unknown } | undefined)?.RedrivePolicy)!;
    const { maxReceiveCount } = (webhookQueue.Properties as { RedrivePolicy: { maxReceiveCount: number } })
      .RedrivePolicy;
    const owed = (await operator.store.deliveries.listByVerification(approvedId)).find(
      (d) => d.event === 'verification.completed',
    )!;
    const receiptsOf = () => received.filter((r) => r.headers['webhook-id'] === owed.id).length;
    const receiptsBefore = receiptsOf();
    // The operator sends it again (a fresh job on the queue), then the table throttles every call of the Lambdas.
    expect(await redeliver(operator, owed.id)).toMatchObject({ status: 'pending' });
    world.faults.dynamodb.arm({ transient: 0, persistent: 1 }, 1);
    let throttledReceives = 0;
    try {
      const deadline = Date.now() + 90_000;
      while (throttledReceives <= maxReceiveCount && Date.now() < deadline) {
        const n = await world.pollWebhookQueue();
        throttledReceives += n;
        if (n === 0) await sleep(250);
        await world.releaseHiddenWebhooks();
      }
    } finally {
      world.faults.dynamodb.disarm();
    }
    // More failed receives than the DLQ allows, and not one attempt reached the receiver.
    expect(throttledReceives).toBeGreaterThan(maxReceiveCount);
    expect(receiptsOf()).toBe(receiptsBefore);
    expect((await operator.store.deliveries.get(owed.id))?.attempts).toHaveLength(owed.attempts.length);

    // The throttling is over: the job is still queued (re-sent as fresh messages), and its attempt is made.
    const deadline = Date.now() + 30_000;
    while (receiptsOf() === receiptsBefore && Date.now() < deadline) {
      if ((await world.pollWebhookQueue()) === 0) await sleep(250);
    }
    expect(receiptsOf()).toBe(receiptsBefore + 1);
    const after = await operator.store.deliveries.get(owed.id);
    expect(after).toMatchObject({ status: 'succeeded' });
    expect(after?.attempts).toHaveLength(owed.attempts.length + 1);
    expect(await queueDepths()).toEqual([0, 0]);
  });

  it('head-turn liveness: stills that pass Rekognition with a recording made of those poses as stills are declined', async () => {
    const { id, token } = await newVerification('b');
    const session = await attempt(token, await stillsRecordedOf('b')());
    expect(session).toMatchObject({
      status: 'pending',
      lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['LIVENESS_FAILED'] },
    });
    const liveness = await readStep(operator, { verificationId: id, attempt: 1 }, 'livenessCheck');
    if (liveness?.kind !== 'check') throw new Error(`no liveness check result: ${JSON.stringify(liveness)}`);
    const sequence = liveness.result.extracted.sequence as { problems: Array<{ code: string }> };
    expect(sequence.problems.map((p) => p.code)).toContain('gap');
    // Every still passed Rekognition: the recording alone declined the attempt.
    const { frames, framesPassed, sequenceFrames } = liveness.result.scores;
    expect({ framesPassed, sequenceFrames }).toEqual({ framesPassed: frames, sequenceFrames: frames });
  });

  it("head-turn liveness on real faces: person_a's whole recording with another person's selfie is declined as on the local runtime", async () => {
    const { id, token } = await newVerificationWithPrompts('a', WHOLE_SWEEP_PROMPTS);
    const session = await attempt(token, realCapturesOfPersonA({ selfie: OTHER_PERSON_SELFIE }));
    // The local pipeline on these captures (person_a's passport, stills and recording; london_030's selfie) gives
    // the same: declined for retry, BAD_FACE_MATCHING and LIVENESS_FAILED (the recording's not_selfie_person).
    expect(session).toMatchObject({
      status: 'pending',
      lastAttempt: {
        decision: 'declined',
        declineType: 'retry',
        reasonCodes: ['BAD_FACE_MATCHING', 'LIVENESS_FAILED'],
      },
    });
    const liveness = await readStep(operator, { verificationId: id, attempt: 1 }, 'livenessCheck');
    if (liveness?.kind !== 'check') throw new Error(`no liveness check result: ${JSON.stringify(liveness)}`);
    expect(liveness.result).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
    // The task Lambda's face-api: one person throughout the recording, but not the selfie's.
    const problems = (liveness.result.extracted.sequence as { problems: Array<{ code: string }> }).problems;
    expect(problems.map((p) => p.code)).toContain('not_selfie_person');
    expect(problems.map((p) => p.code)).not.toContain('identity_changed');
    // The stills: turned as prompted, but Rekognition (the stand-in's face model) finds another person.
    const frames = liveness.result.extracted.frames as Array<{ promptMet: boolean; samePersonSimilarity: number }>;
    expect(frames.map((f) => f.promptMet)).toEqual([true, true, true]);
    for (const f of frames) expect(f.samePersonSimilarity).toBeLessThan(80);
    const polled = await integrator('GET', `/verifications/${id}`);
    expect(polled.json.data).toMatchObject({ status: 'pending', decision: null });
  });

  it('head-turn liveness on real faces: a recording spliced from person_a and another person is declined LIVENESS_FAILED', async () => {
    const { id, token } = await newVerificationWithPrompts('a', WHOLE_SWEEP_PROMPTS);
    // As in the local check's test (test/checks/liveness-sequence-cli.test.ts): person_a turning right and to the
    // front, then london_042 (Face Research Lab London Set, CC BY 4.0).
    const other = ['neutral', 'smiling'].map((e) => path.join(TESTDATA, 'faces', `london_042_${e}.jpg`));
    const spliced = () => buildSequence([...personAFrames().slice(0, 12), other[0]!, other[1]!, other[0]!, other[1]!]);
    const session = await attempt(token, realCapturesOfPersonA({ recording: spliced }));
    expect(session).toMatchObject({
      status: 'pending',
      lastAttempt: { decision: 'declined', declineType: 'retry', reasonCodes: ['LIVENESS_FAILED'] },
    });
    const liveness = await readStep(operator, { verificationId: id, attempt: 1 }, 'livenessCheck');
    if (liveness?.kind !== 'check') throw new Error(`no liveness check result: ${JSON.stringify(liveness)}`);
    const problems = (liveness.result.extracted.sequence as { problems: Array<{ code: string }> }).problems;
    expect(problems.map((p) => p.code)).toContain('identity_changed');
    // Every still passed Rekognition and the selfie matched the passport: the recording alone declined it.
    expect(liveness.result.scores).toMatchObject({ framesPassed: 3, frames: 3 });
    const faceMatchStep = await readStep(operator, { verificationId: id, attempt: 1 }, 'faceMatch');
    expect(faceMatchStep).toMatchObject({ kind: 'check', result: { outcome: 'pass' } });
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

  it('a 6 MB JPEG document and a WebP selfie are approved: the pipeline hands Rekognition and Textract what they take', async () => {
    // The stand-ins refuse inline images over 5 MB and formats other than JPEG/PNG, as the services do.
    const { id, token } = await newVerification('b');
    const document = await largeSyntheticImage('b', 'document');
    expect(document.length).toBeGreaterThan(6 * 1024 * 1024);
    expect(document.length).toBeLessThan(10 * 1024 * 1024);
    const selfie = await sharp(await syntheticImage('b', 'selfie'))
      .webp({ quality: 90 })
      .toBuffer();
    const session = await attempt(token, {
      ...(await capturesOf('b')()),
      document,
      selfie,
      selfieContentType: 'image/webp',
    });
    expect(session).toMatchObject({ status: 'approved', decision: 'approved' });
    expect((await delivery(id, 'verification.approved')).json.data.decision).toBe('approved');
  });

  it("fraud flag: the same face under another person's document is found in the org's face collection", async () => {
    // An earlier applicant of the org: a's face indexed under a's own document.
    const earlier = await newVerification('a');
    expect(await attempt(earlier.token, await capturesOf('a')())).toMatchObject({ status: 'approved' });
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

  it('under faults: throttled DynamoDB, S3 503s, duplicate SQS messages, task Lambdas that crash after their write', async () => {
    const report = await runUnderFaults();
    console.log(report.summary);
    expect(report.violations).toEqual([]);
    // The faults really happened and reached the product (not all absorbed by the SDK's own retries).
    expect(report.counts.dynamodb.transient).toBeGreaterThan(0);
    expect(report.counts.dynamodb.persistent).toBeGreaterThan(0);
    expect(report.counts.s3.transient + report.counts.s3.persistent).toBeGreaterThan(0);
    expect(report.crashes.task).toBeGreaterThanOrEqual(report.verifications);
    expect(report.crashes.dispatcher).toBeGreaterThan(0);
    expect(report.duplicateBatches).toBeGreaterThan(0);
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
    // face-api with tfjs, bundled on its own into the task asset (loaded by the liveness task only); no other Lambda.
    expect(resolves(world.fnIds.task, '@vladmandic/face-api/dist/face-api.node-wasm.js')).toBe(true);
    expect(resolves(world.fnIds.task, '@tensorflow/tfjs')).toBe(false);
    expect(resolves(world.fnIds.applicant, '@vladmandic/face-api/dist/face-api.node-wasm.js')).toBe(false);
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
