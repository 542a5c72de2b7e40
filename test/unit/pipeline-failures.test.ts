import { createRecordTaskFailure } from '../../functions/app/pipeline';
import { createPipelineHarness, seedVerification, type PipelineHarness } from '../pipeline/harness';

/** The recorder behind the state machine's `<task>Failed` states (functions/aws/entries/pipeline-task.ts). */
describe('recordTaskFailure', () => {
  let h: PipelineHarness;
  let input: { verificationId: string; attempt: number };
  let recordFailure: ReturnType<typeof createRecordTaskFailure>;
  beforeEach(async () => {
    h = await createPipelineHarness();
    const { verification } = await seedVerification(h);
    input = { verificationId: verification.id, attempt: 1 };
    recordFailure = createRecordTaskFailure(h.recordingOutcome);
  });
  afterEach(async () => h.close());

  it('stores a CHECK_ERROR check result for a failed check', async () => {
    await recordFailure(h.deps, input, 'faceMatch', 'States.Timeout');
    expect((await h.store.steps.get(input.verificationId, 1, 'faceMatch'))?.result).toEqual({
      kind: 'check',
      result: {
        check: 'faceMatch',
        outcome: 'inconclusive',
        scores: {},
        reasonCodes: ['CHECK_ERROR'],
        riskFlags: [],
        extracted: { error: 'States.Timeout' },
        timings: [],
        provider: 'pipeline',
      },
      portraitKey: null,
      documentKeyHash: null,
      personKeyHash: null,
      error: 'States.Timeout',
    });
    expect(h.outcomes).toEqual([]);
  });

  it('stores a failed record for a failed non-check step', async () => {
    await recordFailure(h.deps, input, 'riskSignals', null);
    expect((await h.store.steps.get(input.verificationId, 1, 'riskSignals'))?.result).toEqual({
      kind: 'failed',
      reasonCodes: ['CHECK_ERROR'],
      error: 'unknown error',
    });
  });

  it('keeps a result the task stored before it was reported failed', async () => {
    await h.store.steps.putIfAbsent({
      verificationId: input.verificationId,
      attempt: 1,
      step: 'riskSignals',
      result: {
        kind: 'risk',
        riskFlags: ['REPLAYED_FRAMES'],
        signals: { documentKey: true, personKey: true, faceVector: false },
      },
      createdAt: h.clock.now().toISOString(),
    });
    await recordFailure(h.deps, input, 'riskSignals', 'Lambda.ServiceException');
    expect((await h.store.steps.get(input.verificationId, 1, 'riskSignals'))?.result).toMatchObject({ kind: 'risk' });
  });

  it('records review/CHECK_ERROR, with the risk flags found, when decide failed before storing a decision', async () => {
    await h.store.steps.putIfAbsent({
      verificationId: input.verificationId,
      attempt: 1,
      step: 'riskSignals',
      result: {
        kind: 'risk',
        riskFlags: ['REPLAYED_FRAMES'],
        signals: { documentKey: true, personKey: true, faceVector: false },
      },
      createdAt: h.clock.now().toISOString(),
    });
    await recordFailure(h.deps, input, 'decide', 'Error');
    expect(h.outcomes).toEqual([
      { ...input, decision: 'review', declineType: null, reasonCodes: ['CHECK_ERROR'], riskFlags: ['REPLAYED_FRAMES'] },
    ]);
  });

  it('re-records a stored decision instead of replacing it', async () => {
    await h.store.steps.putIfAbsent({
      verificationId: input.verificationId,
      attempt: 1,
      step: 'decide',
      result: { kind: 'decision', decision: 'approved', declineType: null, reasonCodes: [], riskFlags: [] },
      createdAt: h.clock.now().toISOString(),
    });
    await recordFailure(h.deps, input, 'decide', 'Error');
    expect(h.outcomes).toEqual([{ ...input, decision: 'approved', declineType: null, reasonCodes: [], riskFlags: [] }]);
  });

  it('rejects a task name that is not in the plan', async () => {
    await expect(recordFailure(h.deps, input, 'dropTables', 'x')).rejects.toThrow('unknown pipeline task');
    expect(await h.store.steps.listByAttempt(input.verificationId, 1)).toEqual([]);
  });
});
