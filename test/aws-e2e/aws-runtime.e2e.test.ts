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
import { createOrganisation, mintKey, type MintedKeyView } from '../../functions/app/admin';
import type { AppDeps } from '../../functions/app/deps';
import { createAwsDeps, resetAwsRuntimeForTests } from '../../functions/aws/deps';
import { verifyTimestampedSignature } from '../../functions/domain/webhooks';
import { nodeCrypto } from '../../functions/adapters/local/node-crypto';
import { type Person, syntheticImage } from './aws-standins';
import { type AwsWorld, startAwsWorld } from './world';

jest.setTimeout(180_000);

const INTEGRATOR = '/api/v1/external/kyc';
const APPLICANT = '/api/v1/applicant';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  json: any;
}

let world: AwsWorld & { receiverTls: { cert: string; key: string } };
let operator: AppDeps;
let liveKey: MintedKeyView;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  world = await startAwsWorld({ webhookAllowHosts: ['127.0.0.1'], webhookRetryDelaysSeconds: [1, 2, 4] });
  // The operator's CLI (KYC_RUNTIME=aws with the stack's outputs) creates the organisation and its key.
  Object.assign(process.env, world.host.fn(world.fnIds.integrator).env, { NODE_EXTRA_CA_CERTS: '' });
  resetAwsRuntimeForTests();
  operator = createAwsDeps(process.env);
  const { org } = await createOrganisation(operator, { name: 'E2E Org', plan: 'enterprise' });
  liveKey = await mintKey(operator, { orgId: org.id, mode: 'live', flowId: null });

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
async function upload(token: string, kind: string, index: number, bytes: Buffer): Promise<void> {
  const slot = await applicant(token, 'POST', '/uploads', { kind, index, contentType: 'image/jpeg' });
  expect(slot.status).toBe(201);
  const { url, fields, method } = slot.json.data.upload as {
    url: string;
    fields: Record<string, string>;
    method: string;
  };
  expect(method).toBe('POST');
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }));
  const res = await fetch(url, { method: 'POST', body: form });
  expect(res.status).toBeLessThan(300);
  world.recordPresignedUpload(world.fnIds.applicant, world.capturesBucket, fields.key!);
  const done = await applicant(token, 'POST', `/uploads/${encodeURIComponent(slot.json.data.captureId)}/complete`, {});
  expect({ status: done.status, body: done.json }).toMatchObject({ status: 200 });
}

/** Drives the webhook queue like the event source mapping until `n` deliveries arrived. */
async function deliveries(n: number): Promise<Received[]> {
  const deadline = Date.now() + 30_000;
  while (received.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} webhook deliveries, got ${received.length}`);
    if ((await world.pollWebhookQueue()) === 0) await new Promise((r) => setTimeout(r, 200));
  }
  return received.slice(0, n);
}

/** Runs one applicant through consent, uploads and submit; resolves when the state machine has finished. */
async function applyAs(person: Person, opts: { selfieOf?: Person } = {}) {
  const created = await integrator('POST', '/verifications', {
    applicantEmail: `${person}@applicants.example.com`,
    metadata: { ref: `e2e-${person}` },
  });
  expect({ status: created.status, body: created.json }).toMatchObject({ status: 201 });
  const { id, clientToken } = created.json.data as { id: string; clientToken: string };
  const session = await applicant(clientToken, 'GET', '/session');
  expect(session.status).toBe(200);
  expect(
    (await applicant(clientToken, 'POST', '/consent', { accepted: true, textVersion: '2026-11-01', locale: 'en' }))
      .status,
  ).toBe(200);
  await upload(clientToken, 'document_front', 0, await syntheticImage(person, 'document'));
  await upload(clientToken, 'selfie', 0, await syntheticImage(opts.selfieOf ?? person, 'selfie'));
  const prompts = session.json.data.challenge.prompts as Array<'left' | 'right' | 'centre'>;
  for (const [i, prompt] of prompts.entries())
    await upload(clientToken, 'liveness_frame', i, await syntheticImage(person, 'frame', prompt));
  const submitted = await applicant(clientToken, 'POST', '/submit', {});
  expect({ status: submitted.status, body: submitted.json }).toMatchObject({ status: 202 });
  await world.standIns.idle();
  return { id, clientToken };
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
    const hook = await integrator('POST', '/webhooks', {
      url: receiverUrl,
      events: ['verification.completed', 'verification.approved'],
    });
    expect({ status: hook.status, body: hook.json }).toMatchObject({ status: 201 });

    const { id } = await applyAs('a');
    const execution = [...world.standIns.executions.values()].find((e) => e.name.startsWith(id));
    expect(execution?.status).toBe('SUCCEEDED');

    const [first, second] = await deliveries(2);
    for (const d of [first!, second!]) {
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
      expect(d.json.data.verificationId).toBe(id);
    }
    const completed = [first!, second!].find((d) => d.json.event === 'verification.completed')!;
    expect(completed.json.data).toMatchObject({ decision: 'approved', status: 'approved', mode: 'live' });

    const polled = await integrator('GET', `/verifications/${id}`);
    expect(polled.status).toBe(200);
    expect(polled.json.data).toEqual(expect.objectContaining(completed.json.data));
    expect(world.standIns.answered).toEqual(
      expect.arrayContaining(['textract:DetectDocumentText', 'rekognition:CompareFaces']),
    );
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
