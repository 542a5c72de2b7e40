import { runPipeline } from '../../functions/app/pipeline';
import { livenessCheck } from '../../functions/app/pipeline/liveness-check';
import { prepare } from '../../functions/app/pipeline/prepare';
import { PermanentTaskError } from '../../functions/app/pipeline/errors';
import type { AppDeps } from '../../functions/app/deps';
import type { Attempt } from '../../functions/domain/model';
import { makeWebhookEndpoint } from '../support/builders';
import { FaceLivenessScriptedProvider, REFERENCE_TEXT } from './face-liveness-provider';
import { captureText, createPipelineHarness, recordingSleep, seedVerification, type PipelineHarness } from './harness';
import { checkResult } from './scripted-provider';

/**
 * The pipeline side of Face Liveness: an attempt submitted with a session needs no head-turn frames, and
 * livenessCheck reads the session's verdict from the provider, then checks the session's reference face
 * against the selfie.
 */

const SESSION_ID = '00000000-0000-4000-8000-0000000000aa';

let h: PipelineHarness;
let provider: FaceLivenessScriptedProvider;
let deps: AppDeps;

beforeEach(async () => {
  h = await createPipelineHarness();
  provider = new FaceLivenessScriptedProvider();
  deps = { ...h.deps, checks: async () => provider };
});
afterEach(() => h.close());

function attemptWithSession(sessionId: string | null = SESSION_ID): Attempt {
  return {
    number: 1,
    submittedAt: h.clock.now().toISOString(),
    completedAt: null,
    decision: null,
    declineType: null,
    reasonCodes: [],
    riskFlags: [],
    faceLivenessSessionId: sessionId,
  };
}

/** A verification whose attempt 1 names a Face Liveness session and has a document and a selfie, no frames. */
async function seedFaceLiveness(sessionId: string | null = SESSION_ID) {
  const { verification } = await seedVerification(h, {
    flow: { useFaceLivenessSession: true },
    captures: ['document_front', 'selfie'],
    verification: { attempts: [attemptWithSession(sessionId)], challenge: null },
  });
  return { verificationId: verification.id, attempt: 1 };
}

async function livenessStep(input: { verificationId: string; attempt: number }) {
  return (await h.store.steps.get(input.verificationId, input.attempt, 'livenessCheck'))?.result;
}

it('prepare accepts an attempt with a session and no head-turn frames', async () => {
  const input = await seedFaceLiveness();
  await prepare(deps, input);
  expect(await h.store.steps.get(input.verificationId, 1, 'prepare')).not.toBeNull();
});

it('prepare still requires frames for an attempt without a session', async () => {
  const input = await seedFaceLiveness(null);
  await expect(prepare(deps, input)).rejects.toThrow(PermanentTaskError);
  await expect(prepare(deps, input)).rejects.toThrow(/liveness_frame/);
});

it('livenessCheck reads the session verdict and matches its reference face against the selfie', async () => {
  const input = await seedFaceLiveness();
  await livenessCheck(deps, input);

  expect(provider.readIds).toEqual([SESSION_ID]);
  expect(provider.calls.liveness).toBe(0); // no head-turn check
  expect(provider.seen.faceMatch).toHaveLength(1);
  expect(provider.seen.faceMatch[0]!.reference.bytes.toString()).toBe(REFERENCE_TEXT);
  expect(provider.seen.faceMatch[0]!.probe.bytes.toString()).toBe(captureText(input.verificationId, 'selfie', 0));
  expect(await livenessStep(input)).toMatchObject({
    kind: 'check',
    result: {
      check: 'liveness',
      outcome: 'pass',
      reasonCodes: [],
      provider: 'aws',
      scores: { confidence: 97, threshold: 80, samePerson_distance: 0.3 },
    },
  });
});

it('a session below the threshold is LIVENESS_FAILED and skips the face comparison', async () => {
  provider.sessionResult = checkResult('liveness', {
    outcome: 'fail',
    reasonCodes: ['LIVENESS_FAILED'],
    scores: { confidence: 31, threshold: 80 },
  });
  const input = await seedFaceLiveness();
  await livenessCheck(deps, input);
  expect(provider.calls.faceMatch).toBe(0);
  expect(await livenessStep(input)).toMatchObject({ result: { outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] } });
});

it('a live session of someone other than the selfie is LIVENESS_FAILED', async () => {
  provider.faceMatch = checkResult('faceMatch', {
    outcome: 'fail',
    reasonCodes: ['BAD_FACE_MATCHING'],
    scores: { distance: 0.9, threshold: 0.6 },
  });
  const input = await seedFaceLiveness();
  await livenessCheck(deps, input);
  expect(await livenessStep(input)).toMatchObject({
    result: { outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'], extracted: { samePerson: 'fail' } },
  });
});

it('a session without a reference image is LIVENESS_INCONCLUSIVE', async () => {
  provider.referenceImage = null;
  const input = await seedFaceLiveness();
  await livenessCheck(deps, input);
  expect(await livenessStep(input)).toMatchObject({
    result: { outcome: 'inconclusive', reasonCodes: ['LIVENESS_INCONCLUSIVE'] },
  });
});

it('a session still open fails the try transiently (retried), writing nothing', async () => {
  provider.sessionResult = new Error(`face liveness session ${SESSION_ID} is IN_PROGRESS`);
  const input = await seedFaceLiveness();
  const failure = await livenessCheck(deps, input).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(Error);
  expect(failure).not.toBeInstanceOf(PermanentTaskError);
  expect(await livenessStep(input)).toBeUndefined();
});

it('a provider without sessions is a permanent failure', async () => {
  const input = await seedFaceLiveness();
  await expect(livenessCheck(h.deps, input)).rejects.toThrow(PermanentTaskError);
});

it('runs the whole pipeline to an approval with the session as liveness evidence', async () => {
  await h.store.webhooks.create(makeWebhookEndpoint({ events: ['verification.completed'] }));
  const input = await seedFaceLiveness();
  const { sleep } = recordingSleep();
  const report = await runPipeline(deps, input, { sleep });
  expect(report.status).toBe('completed');
  expect(await h.store.verifications.get(input.verificationId)).toMatchObject({
    status: 'approved',
    decision: 'approved',
  });
  expect(provider.readIds).toEqual([SESSION_ID]);
});
