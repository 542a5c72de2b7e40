/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../../functions/app/pipeline';
import { LocalCheckProvider } from '../../functions/checks/local';
import { DEFAULT_THRESHOLDS } from '../../functions/domain/flows';
import type { CaptureKind, HeadPrompt } from '../../functions/domain/model';
import { makeCapture } from '../support/builders';
import { buildSequence, personAFrames, sequenceForPrompts } from '../support/liveness-sequences';
import { createPipelineHarness, seedVerification, type PipelineHarness } from './harness';

import { TESTDATA } from '../support/testdata';
const file = (p: string) => readFileSync(join(TESTDATA, p));

/**
 * The whole pipeline with the real offline models (PaddleOCR MRZ, face-api) on the one test identity that has a
 * document, a frontal selfie and head turns (testdata/liveness/person_a; its synthetic passport). Slow-ish
 * (models load once, ~10 s on 2 cores), so one approved case and two declines only.
 */
describe('runPipeline with the local check provider', () => {
  let h: PipelineHarness;
  const provider = new LocalCheckProvider();

  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => h.close());

  async function seedWith(images: Partial<Record<CaptureKind, Buffer[]>>, challenge: HeadPrompt[] = ['left', 'right']) {
    const { verification } = await seedVerification(h, {
      captures: [],
      verification: { challenge },
      flow: { thresholds: DEFAULT_THRESHOLDS },
    });
    for (const [kind, list] of Object.entries(images) as [CaptureKind, Buffer[]][]) {
      for (const [index, bytes] of list.entries()) {
        const id = `cap_${kind}_${index}`;
        const blobKey = `captures/${verification.id}/1/${id}`;
        await h.deps.blobs.put(blobKey, bytes, 'image/jpeg');
        await h.store.captures.create(
          makeCapture({
            id,
            verificationId: verification.id,
            attempt: 1,
            kind,
            index,
            blobKey,
            status: 'uploaded',
            sha256: h.deps.crypto.sha256Hex(bytes),
          }),
        );
      }
    }
    return { ...h.deps, checks: async () => provider };
  }

  async function run(frames: Buffer[]) {
    const deps = await seedWith({
      document_front: [file('documents/synth_td3_uto_person_a.jpg')],
      selfie: [file('liveness/person_a/frame_018.jpg')],
      liveness_frame: frames,
      // The recording follows the prompts: these cases judge the per-prompt stills beside it.
      liveness_sequence: [await sequenceForPrompts(['left', 'right'])],
    });
    return runSeeded(deps);
  }

  async function runSeeded(deps: Awaited<ReturnType<typeof seedWith>>) {
    const v = (await h.store.verifications.listByOrg('org_test1', { limit: 1 })).items[0]!;
    await runPipeline(deps, { verificationId: v.id, attempt: 1 });
    const steps = await h.store.steps.listByAttempt(v.id, 1);
    const outcomes = Object.fromEntries(
      steps.map((s) => {
        const r = s.result as { result?: { outcome: string; reasonCodes: string[] } };
        return [s.step, r.result ? { outcome: r.result.outcome, reasonCodes: r.result.reasonCodes } : null];
      }),
    );
    const liveness = steps.find((s) => s.step === 'livenessCheck')?.result as
      | { result?: { extracted: { sequence?: { problems: Array<{ code: string }> } } } }
      | undefined;
    const sequenceProblems = liveness?.result?.extracted.sequence?.problems.map((p) => p.code) ?? null;
    return { id: v.id, outcomes, sequenceProblems, verification: await h.store.verifications.get(v.id) };
  }

  it('approves person_a: passport, frontal selfie, left then right head turn', async () => {
    const { id, outcomes, verification } = await run([
      file('liveness/person_a/frame_013.jpg'),
      file('liveness/person_a/frame_022.jpg'),
    ]);
    expect(outcomes).toMatchObject({
      documentCheck: { outcome: 'pass', reasonCodes: [] },
      livenessCheck: { outcome: 'pass', reasonCodes: [] },
      faceMatch: { outcome: 'pass', reasonCodes: [] },
    });
    expect(verification).toMatchObject({ status: 'approved', decision: 'approved', reasonCodes: [] });
    expect(await h.deps.blobs.exists(`captures/${id}/1/portrait`)).toBe(true);
  });

  it('declines for retry when the head turns come in the wrong order', async () => {
    const { outcomes, verification } = await run([
      file('liveness/person_a/frame_022.jpg'),
      file('liveness/person_a/frame_013.jpg'),
    ]);
    expect(outcomes).toMatchObject({
      documentCheck: { outcome: 'pass' },
      livenessCheck: { outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] },
      faceMatch: { outcome: 'pass' },
    });
    expect(verification?.status).toBe('pending');
    expect(verification?.attempts[0]).toMatchObject({
      decision: 'declined',
      declineType: 'retry',
      reasonCodes: ['LIVENESS_FAILED'],
    });
  });

  it("declines person_a's whole recording with another person's selfie (parity with the AWS e2e case)", async () => {
    // person_a's passport, stills and continuous sweep (right, front, left); london_030's selfie. The recording
    // shows one person throughout, but not the selfie's: the face match fails and so does liveness.
    const still = (f: string) => file(`liveness/person_a/${f}.jpg`);
    const deps = await seedWith(
      {
        document_front: [file('documents/synth_td3_uto_person_a.jpg')],
        selfie: [file('faces/london_030_neutral.jpg')],
        liveness_frame: [still('frame_022'), still('frame_009'), still('frame_013')],
        liveness_sequence: [await buildSequence(personAFrames())],
      },
      ['right', 'centre', 'left'],
    );
    const { outcomes, sequenceProblems, verification } = await runSeeded(deps);
    expect(outcomes).toMatchObject({
      documentCheck: { outcome: 'pass' },
      livenessCheck: { outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] },
      faceMatch: { outcome: 'fail', reasonCodes: ['BAD_FACE_MATCHING'] },
    });
    expect(sequenceProblems).toContain('not_selfie_person');
    expect(sequenceProblems).not.toContain('identity_changed');
    expect(verification?.attempts[0]).toMatchObject({
      decision: 'declined',
      declineType: 'retry',
      reasonCodes: ['BAD_FACE_MATCHING', 'LIVENESS_FAILED'],
    });
  });
});
