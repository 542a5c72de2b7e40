import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import type { AppDeps } from '../../functions/app/deps';
import { APPLICANT_BASE } from '../../functions/http/routes';
import { MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT } from '../../functions/app/applicant/liveness-session';
import { createApplicantHandler } from '../../functions/handlers/applicant';
import type { CaptureKind, Flow, Verification } from '../../functions/domain/model';
import { makeCapture, makeFlow, makeVerification } from '../support/builders';
import { startTestServer } from '../support/local-server';
import { newApplicant } from '../support/applicant-client';
import { createPipelineHarness, type PipelineHarness } from '../pipeline/harness';
import { FaceLivenessScriptedProvider } from '../pipeline/face-liveness-provider';

/**
 * POST /liveness-session and the Face Liveness mode of GET /session and POST /submit, through the applicant
 * handler (the module the AWS Lambda runs) over SQLite and file blobs, with `runtime: 'aws'` config and a
 * scripted provider that hosts sessions. The local server's answer is checked at the end.
 */

const FACE_LIVENESS = { region: 'eu-west-1', identityPoolId: 'eu-west-1:11111111-2222-3333-4444-555555555555' };
const TOKEN = 'tok_face_liveness_0001';

let h: PipelineHarness;
let provider: FaceLivenessScriptedProvider;

beforeEach(async () => {
  h = await createPipelineHarness();
  provider = new FaceLivenessScriptedProvider();
});
afterEach(() => h.close());

function awsDeps(config: Partial<AppDeps['config']> = {}): AppDeps {
  return {
    ...h.deps,
    config: { ...h.deps.config, runtime: 'aws', faceLiveness: FACE_LIVENESS, ...config },
    checks: async () => provider,
  };
}

/** A live, consented, pending session of a flow (default: Face Liveness on) with the given captures uploaded. */
async function seed(
  opts: { flow?: Partial<Flow>; verification?: Partial<Verification>; captures?: CaptureKind[] } = {},
): Promise<Verification> {
  const flow = makeFlow({ useFaceLivenessSession: true, documentTypes: ['passport'], ...opts.flow });
  await h.store.flows.put(flow);
  const v = makeVerification({
    id: 'vrf_facelive01',
    flowId: flow.id,
    mode: 'live',
    clientTokenHash: nodeCrypto.sha256Hex(TOKEN),
    consent: {
      accepted: true,
      textVersion: '2026-11-01',
      locale: 'en',
      at: h.clock.now().toISOString(),
      ip: null,
      userAgent: null,
    },
    expiresAt: new Date(h.clock.now().getTime() + 3600_000).toISOString(),
    ...opts.verification,
  });
  await h.store.verifications.create(v);
  for (const [i, kind] of (opts.captures ?? ['document_front', 'selfie']).entries()) {
    const blobKey = `captures/${v.id}/1/cap_${i}`;
    await h.deps.blobs.put(blobKey, Buffer.from(`${kind}-bytes`), 'image/jpeg');
    await h.store.captures.create(
      makeCapture({
        id: `cap_fl_${i}`,
        verificationId: v.id,
        attempt: 1,
        kind,
        index: 0,
        blobKey,
        status: 'uploaded',
        contentType: 'image/jpeg',
        sha256: h.deps.crypto.sha256Hex(Buffer.from(`${kind}-bytes`)),
      }),
    );
  }
  return v;
}

async function call(
  deps: AppDeps,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const event = {
    httpMethod: method,
    resource: `${APPLICANT_BASE}${route}`,
    path: `${APPLICANT_BASE}${route}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { identity: { sourceIp: '203.0.113.9', userAgent: 'jest' } },
  } as unknown as APIGatewayProxyEvent;
  const res = await createApplicantHandler(deps)(event, {} as Context);
  return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : null };
}

describe('Face Liveness mode on the AWS runtime', () => {
  it('GET /session names the mode and has no head-turn prompts', async () => {
    await seed();
    const res = await call(awsDeps(), 'GET', '/session');
    expect(res.status).toBe(200);
    expect(res.json.data.liveness).toEqual({ mode: 'face_liveness' });
    expect(res.json.data.challenge).toBeNull();
    expect(res.json.data.steps).toEqual(['consent', 'document', 'selfie', 'liveness']);
  });

  it('POST /liveness-session creates a session, stores its id and returns what the page needs', async () => {
    const v = await seed();
    const res = await call(awsDeps(), 'POST', '/liveness-session');
    expect(res.status).toBe(201);
    expect(res.json.data).toEqual({
      sessionId: provider.created[0],
      region: FACE_LIVENESS.region,
      identityPoolId: FACE_LIVENESS.identityPoolId,
    });
    expect((await h.store.verifications.get(v.id))?.faceLivenessSessionId).toBe(provider.created[0]);

    // A retake replaces the stored session.
    const again = await call(awsDeps(), 'POST', '/liveness-session');
    expect(again.json.data.sessionId).toBe(provider.created[1]);
    expect((await h.store.verifications.get(v.id))?.faceLivenessSessionId).toBe(provider.created[1]);
  });

  it('POST /submit requires the session instead of head-turn frames and moves it onto the attempt', async () => {
    const v = await seed();
    const before = await call(awsDeps(), 'POST', '/submit', {});
    expect(before.status).toBe(409);
    expect(before.json.error.code).toBe('captures_missing');
    expect(before.json.error.details).toEqual([
      { field: 'liveness_session', issue: expect.stringContaining('/liveness-session') },
    ]);

    const { json } = await call(awsDeps(), 'POST', '/liveness-session');
    const submitted = await call(awsDeps(), 'POST', '/submit', {});
    expect(submitted.status).toBe(202);
    const stored = await h.store.verifications.get(v.id);
    expect(stored?.status).toBe('in_progress');
    expect(stored?.attempts).toEqual([
      expect.objectContaining({ number: 1, faceLivenessSessionId: json.data.sessionId }),
    ]);
    expect(stored?.faceLivenessSessionId).toBeNull();
    expect(h.jobs.map((j) => j.type)).toEqual(['pipeline.run']);
    const audit = (await h.store.audit.listByVerification(v.id)).map((e) => ({ type: e.type, data: e.data }));
    // Same clock instant for both events: compare without order.
    expect(audit).toHaveLength(2);
    expect(audit).toEqual(
      expect.arrayContaining([
        { type: 'liveness_session.created', data: { attempt: 1, sessionId: json.data.sessionId } },
        {
          type: 'attempt.submitted',
          data: expect.objectContaining({ attempt: 1, faceLivenessSessionId: json.data.sessionId }),
        },
      ]),
    );
  });

  it('caps the paid sessions one attempt may open, and a submitted attempt starts a fresh count', async () => {
    const v = await seed();
    for (let i = 0; i < MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT; i++)
      expect((await call(awsDeps(), 'POST', '/liveness-session')).status).toBe(201);
    const refused = await call(awsDeps(), 'POST', '/liveness-session');
    expect({ status: refused.status, code: refused.json.error.code }).toEqual({
      status: 409,
      code: 'liveness_session_limit',
    });
    expect(provider.created).toHaveLength(MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT);
    // The last session still submits; the next attempt may open sessions again.
    expect((await call(awsDeps(), 'POST', '/submit', {})).status).toBe(202);
    const stored = await h.store.verifications.get(v.id);
    expect(stored?.faceLivenessSessionsOpened).toBe(0);
    await h.store.verifications.update(
      { ...stored!, status: 'pending', version: stored!.version + 1 },
      stored!.version,
    );
    expect((await call(awsDeps(), 'POST', '/liveness-session')).status).toBe(201);
  });

  it('refuses a session before consent', async () => {
    await seed({ verification: { consent: null } });
    expect((await call(awsDeps(), 'POST', '/liveness-session')).json.error.code).toBe('consent_required');
    expect(provider.created).toEqual([]);
  });

  it('refuses a session while the checks of an attempt run', async () => {
    await seed({ verification: { status: 'in_progress' } });
    expect((await call(awsDeps(), 'POST', '/liveness-session')).json.error.code).toBe('attempt_in_progress');
    expect(provider.created).toEqual([]);
  });

  it('refuses test-mode sessions (they never run checks)', async () => {
    await seed({ verification: { mode: 'test' } });
    const res = await call(awsDeps(), 'POST', '/liveness-session');
    expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 409, code: 'test_mode_use_simulate' });
    expect(provider.created).toEqual([]);
  });

  it('409 liveness_session_unavailable for a flow without the option, and the page gets the challenge', async () => {
    await seed({ flow: { useFaceLivenessSession: false } });
    const res = await call(awsDeps(), 'POST', '/liveness-session');
    expect({ status: res.status, code: res.json.error.code }).toEqual({
      status: 409,
      code: 'liveness_session_unavailable',
    });
    expect(res.json.error.message).toMatch(/head-turn challenge/);
    const session = await call(awsDeps(), 'GET', '/session');
    expect(session.json.data.liveness).toEqual({ mode: 'challenge' });
    expect(session.json.data.challenge.prompts).toHaveLength(2);
    expect(provider.created).toEqual([]);
  });

  it('409 when the deployment has no identity pool configured', async () => {
    await seed();
    const res = await call(awsDeps({ faceLiveness: undefined }), 'POST', '/liveness-session');
    expect({ status: res.status, code: res.json.error.code }).toEqual({
      status: 409,
      code: 'liveness_session_unavailable',
    });
    expect((await call(awsDeps({ faceLiveness: undefined }), 'GET', '/session')).json.data.liveness).toEqual({
      mode: 'challenge',
    });
  });

  it('the local runtime (which has no Face Liveness setting) always uses the head-turn challenge', async () => {
    await seed();
    const local = awsDeps({ runtime: 'local', faceLiveness: undefined });
    const res = await call(local, 'POST', '/liveness-session');
    expect({ status: res.status, code: res.json.error.code }).toEqual({
      status: 409,
      code: 'liveness_session_unavailable',
    });
    expect(res.json.error.message).toMatch(/local runtime/);
    expect((await call(local, 'GET', '/session')).json.data.liveness).toEqual({ mode: 'challenge' });
  });
});

describe('the local server', () => {
  it('serves the route and answers 409 liveness_session_unavailable even for a flow with the option', async () => {
    const srv = await startTestServer({ checks: async () => provider });
    try {
      const flow = await srv.createFlow({ useFaceLivenessSession: true });
      const { key } = await srv.mintKey('live', { flowId: flow.id });
      const { client } = await newApplicant(srv.baseUrl, key);
      expect((await client.consent()).status).toBe(200);
      const res = await client.call('POST', '/liveness-session');
      expect({ status: res.status, code: res.json.error.code }).toEqual({
        status: 409,
        code: 'liveness_session_unavailable',
      });
      expect(res.json.error.message).toMatch(/local runtime always uses the head-turn challenge/);
      const session = (await client.session()).json.data;
      expect(session.liveness).toEqual({ mode: 'challenge' });
      expect(session.challenge.prompts.length).toBeGreaterThan(0);
    } finally {
      await srv.stop();
    }
  });
});
