import { runPipeline } from '../../functions/app/pipeline';
import type { DocumentFields } from '../../functions/domain/model';
import { createPipelineHarness, seedVerification, type PipelineHarness } from './harness';
import { checkResult, documentFields, documentResult, MemoryFaceIndex } from './scripted-provider';

/** Runs one verification through the pipeline with the given document fields and selfie; returns its outcome. */
async function verify(
  h: PipelineHarness,
  opts: { fields?: Partial<DocumentFields>; selfie?: string; attempts?: number } = {},
) {
  const { verification } = await seedVerification(h, { selfie: opts.selfie, attempts: opts.attempts });
  h.provider.document = documentResult({ fields: documentFields(opts.fields) });
  const attempt = opts.attempts ?? 1;
  await runPipeline(h.deps, { verificationId: verification.id, attempt }, { recordOutcome: h.recordingOutcome });
  const outcome = h.outcomes.find((o) => o.verificationId === verification.id && o.attempt === attempt);
  if (!outcome) throw new Error('no outcome recorded');
  return { id: verification.id, outcome };
}

const FACE_A = Array.from({ length: 128 }, (_, i) => Math.sin(i) / 4);
const FACE_A_AGAIN = FACE_A.map((v, i) => v + (i % 2 === 0 ? 0.01 : -0.01)); // distance ~0.11
const FACE_B = Array.from({ length: 128 }, (_, i) => Math.cos(i * 3) / 4);

describe('riskSignals', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
    h.provider.templates.set('selfie-a1', FACE_A);
    h.provider.templates.set('selfie-a2', FACE_A_AGAIN);
    h.provider.templates.set('selfie-b', FACE_B);
  });
  afterEach(async () => h.close());

  it('raises nothing for a first, ordinary verification', async () => {
    const { outcome } = await verify(h, { selfie: 'selfie-a1' });
    expect(outcome).toMatchObject({ decision: 'approved', riskFlags: [] });
  });

  it('flags the same face under a different identity, without changing the decision', async () => {
    await verify(h, { selfie: 'selfie-a1' });
    const { outcome } = await verify(h, {
      selfie: 'selfie-a2',
      fields: { surname: 'NORDMANN', givenNames: 'OLA', birthDate: '1980-01-01', documentNumber: 'X1234567' },
    });
    expect(outcome).toMatchObject({ decision: 'approved', riskFlags: ['DUPLICATE_FACE_DIFFERENT_IDENTITY'] });
  });

  it('does not flag the same face with the same identity, or a different face', async () => {
    await verify(h, { selfie: 'selfie-a1' });
    expect(
      (await verify(h, { selfie: 'selfie-a2', fields: { documentNumber: 'NEW00001' } })).outcome.riskFlags,
    ).toEqual([]);
    expect(
      (await verify(h, { selfie: 'selfie-b', fields: { surname: 'OTHER', documentNumber: 'NEW00002' } })).outcome
        .riskFlags,
    ).toEqual([]);
  });

  describe('with a server-side face index (AWS: no face vectors)', () => {
    let index: MemoryFaceIndex;
    beforeEach(() => {
      index = new MemoryFaceIndex();
      h.provider.faceIndex = index;
      h.provider.templates.clear();
    });

    it('flags the same face under a different identity and indexes every selfie', async () => {
      const first = await verify(h, { selfie: 'face-a#1' });
      const { id, outcome } = await verify(h, {
        selfie: 'face-a#2',
        fields: { surname: 'NORDMANN', givenNames: 'OLA', birthDate: '1980-01-01', documentNumber: 'X1234567' },
      });
      expect(first.outcome.riskFlags).toEqual([]);
      expect(outcome).toMatchObject({ decision: 'approved', riskFlags: ['DUPLICATE_FACE_DIFFERENT_IDENTITY'] });
      expect(index.faces.map((f) => f.verificationId)).toEqual([first.id, id]);
      expect((await h.store.steps.get(id, 1, 'riskSignals'))?.result).toMatchObject({
        signals: { faceVector: false, faceIndexed: true },
      });
    });

    it('does not flag the same face with the same identity, or a different face', async () => {
      await verify(h, { selfie: 'face-a#1' });
      expect(
        (await verify(h, { selfie: 'face-a#2', fields: { documentNumber: 'NEW00001' } })).outcome.riskFlags,
      ).toEqual([]);
      expect(
        (await verify(h, { selfie: 'face-b#1', fields: { surname: 'OTHER', documentNumber: 'NEW00002' } })).outcome
          .riskFlags,
      ).toEqual([]);
    });
  });

  it('flags a document number used by a different person', async () => {
    await verify(h);
    const { outcome } = await verify(h, { fields: { surname: 'IMPOSTOR', givenNames: 'IVAN' } });
    expect(outcome).toMatchObject({ decision: 'approved', riskFlags: ['DOCUMENT_NUMBER_REUSED'] });
  });

  it('does not flag the same document used again by the same person (until the velocity limit)', async () => {
    await verify(h);
    expect((await verify(h)).outcome.riskFlags).toEqual([]);
  });

  it('flags the third verification of the same document within 24 hours, not one after the window', async () => {
    await verify(h);
    h.clock.advanceMinutes(60);
    expect((await verify(h)).outcome.riskFlags).toEqual([]);
    h.clock.advanceMinutes(60);
    expect((await verify(h)).outcome.riskFlags).toEqual(['HIGH_ATTEMPT_VELOCITY']);
    h.clock.advanceMinutes(25 * 60);
    expect((await verify(h)).outcome.riskFlags).toEqual([]);
  });

  it('flags the same person (new document numbers) verified three times within 24 hours', async () => {
    await verify(h, { fields: { documentNumber: 'AA0000001' } });
    await verify(h, { fields: { documentNumber: 'AA0000002' } });
    expect((await verify(h, { fields: { documentNumber: 'AA0000003' } })).outcome.riskFlags).toEqual([
      'HIGH_ATTEMPT_VELOCITY',
    ]);
  });

  it('flags a third attempt of one verification made within 10 minutes of the first', async () => {
    const { outcome } = await verify(h, { attempts: 3 });
    expect(outcome.riskFlags).toEqual(['HIGH_ATTEMPT_VELOCITY']);
  });

  it('passes through the flags the checks raised', async () => {
    const { verification } = await seedVerification(h);
    h.provider.document = documentResult({ riskFlags: ['SPECIMEN_DOCUMENT'] });
    h.provider.liveness = checkResult('liveness', { riskFlags: ['REPLAYED_FRAMES'] });
    await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 }, { recordOutcome: h.recordingOutcome });
    const risk = await h.store.steps.get(verification.id, 1, 'riskSignals');
    expect(risk?.result).toMatchObject({
      kind: 'risk',
      riskFlags: expect.arrayContaining(['SPECIMEN_DOCUMENT', 'REPLAYED_FRAMES']),
    });
    expect(h.outcomes[0]).toMatchObject({ decision: 'approved', riskFlags: ['REPLAYED_FRAMES', 'SPECIMEN_DOCUMENT'] });
  });

  it('stores hashes and a face vector, and keeps names and document numbers out of step results', async () => {
    const { id } = await verify(h, { selfie: 'selfie-a1' });
    const signal = (await h.store.signals.listFaceVectors('org_test1', 10)).find((s) => s.verificationId === id);
    expect(signal?.documentKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(signal?.personKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(signal?.faceVector).toEqual(FACE_A);
    const stored = JSON.stringify(await h.store.steps.listByAttempt(id, 1));
    for (const pii of ['ERIKSSON', 'ANNA', 'L898902C3', '1974-08-12', 'P<UTO']) expect(stored).not.toContain(pii);
    expect(stored).toContain('"issuingCountry":"UTO"');
  });
});
