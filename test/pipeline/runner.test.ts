import { createPipelineTasks, PipelineAbortedError, runPipeline } from '../../functions/app/pipeline';
import type { PipelineTask } from '../../functions/app/pipeline';
import { documentCheck } from '../../functions/app/pipeline/document-check';
import { PermanentTaskError } from '../../functions/app/pipeline/errors';
import { faceMatch } from '../../functions/app/pipeline/face-match';
import { at, makeCapture, makeWebhookEndpoint } from '../support/builders';
import { captureText, createPipelineHarness, recordingSleep, seedVerification, type PipelineHarness } from './harness';
import { checkResult, documentResult, PORTRAIT_BYTES } from './scripted-provider';

describe('runPipeline on SQLite + file blobs', () => {
  let h: PipelineHarness;

  beforeEach(async () => {
    h = await createPipelineHarness();
    await h.store.webhooks.create(
      makeWebhookEndpoint({
        events: [
          'verification.completed',
          'verification.approved',
          'verification.manual_review',
          'verification.rejected',
        ],
      }),
    );
  });
  afterEach(async () => h.close());

  it('approves an attempt whose checks all pass', async () => {
    const { verification } = await seedVerification(h);
    const { sleep, waits } = recordingSleep();

    const report = await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 }, { sleep });

    expect(report.status).toBe('completed');
    expect(report.tasks).toEqual({
      prepare: { status: 'done', tries: 1 },
      documentCheck: { status: 'done', tries: 1 },
      livenessCheck: { status: 'done', tries: 1 },
      faceMatch: { status: 'done', tries: 1 },
      riskSignals: { status: 'done', tries: 1 },
      decide: { status: 'done', tries: 1 },
    });
    expect(waits).toEqual([]);
    const after = await h.store.verifications.get(verification.id);
    expect(after).toMatchObject({
      status: 'approved',
      decision: 'approved',
      declineType: null,
      reasonCodes: [],
      riskFlags: [],
    });
    expect(after?.attempts[0]).toMatchObject({ number: 1, decision: 'approved' });
    const decideStep = await h.store.steps.get(verification.id, 1, 'decide');
    expect(decideStep?.result).toEqual({
      kind: 'decision',
      decision: 'approved',
      declineType: null,
      reasonCodes: [],
      riskFlags: [],
    });
  });

  it('feeds the checks the right captures: prompts and frames in order, portrait as face reference', async () => {
    const { verification } = await seedVerification(h, { verification: { challenge: ['left', 'right'] } });
    await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 });

    const liveness = h.provider.seen.liveness[0]!;
    expect(liveness.prompts).toEqual(['left', 'right']);
    expect(liveness.frames.map((f) => f.bytes.toString())).toEqual([
      captureText(verification.id, 'liveness_frame', 0),
      captureText(verification.id, 'liveness_frame', 1),
    ]);
    expect(liveness.selfie?.bytes.toString()).toBe(captureText(verification.id, 'selfie', 0));

    const match = h.provider.seen.faceMatch[0]!;
    expect(match.reference.bytes.equals(PORTRAIT_BYTES)).toBe(true);
    expect(match.probe.bytes.toString()).toBe(captureText(verification.id, 'selfie', 0));
    expect(await h.deps.blobs.get(`captures/${verification.id}/1/portrait`)).toEqual(PORTRAIT_BYTES);
  });

  it('face match refuses a portrait that changed after the document check stored it', async () => {
    const { verification } = await seedVerification(h);
    const input = { verificationId: verification.id, attempt: 1 };
    await documentCheck(h.deps, input);
    await h.deps.blobs.put(`captures/${verification.id}/1/portrait`, Buffer.from('another face'), 'image/png');
    await expect(faceMatch(h.deps, input)).rejects.toThrow(PermanentTaskError);
    await expect(faceMatch(h.deps, input)).rejects.toThrow(/portrait changed/);
    expect(h.provider.seen.faceMatch).toHaveLength(0);
  });

  it('matches the selfie against the document front when the document check found no portrait', async () => {
    const { verification } = await seedVerification(h);
    h.provider.document = documentResult({ portrait: null });
    await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 });
    expect(h.provider.seen.faceMatch[0]!.reference.bytes.toString()).toBe(
      captureText(verification.id, 'document_front', 0),
    );
  });

  it('uses the latest upload when a photo was re-taken', async () => {
    const { verification } = await seedVerification(h);
    const blobKey = `captures/${verification.id}/1/cap_retake`;
    await h.deps.blobs.put(blobKey, Buffer.from('retaken selfie'), 'image/jpeg');
    await h.store.captures.create(
      makeCapture({
        id: 'cap_retake',
        verificationId: verification.id,
        attempt: 1,
        kind: 'selfie',
        index: 0,
        blobKey,
        status: 'uploaded',
        sha256: h.deps.crypto.sha256Hex(Buffer.from('retaken selfie')),
        createdAt: at(5),
      }),
    );
    await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 });
    expect(h.provider.seen.faceMatch[0]!.probe.bytes.toString()).toBe('retaken selfie');
    expect(h.provider.seen.liveness[0]!.selfie?.bytes.toString()).toBe('retaken selfie');
  });

  it('resumes after a crash mid-pipeline without re-running finished steps or deciding twice', async () => {
    const { verification } = await seedVerification(h);
    const input = { verificationId: verification.id, attempt: 1 };
    const real = createPipelineTasks();
    const crash = new AbortController();
    let crashed = false;
    // The process "dies" while faceMatch runs: documentCheck and livenessCheck have stored their results.
    const faceMatchThatCrashesOnce: PipelineTask = async (deps, i) => {
      if (!crashed) {
        crashed = true;
        crash.abort();
        throw new Error('process killed');
      }
      return real.faceMatch(deps, i);
    };
    const tasks = { ...real, faceMatch: faceMatchThatCrashesOnce };

    await expect(runPipeline(h.deps, input, { tasks, signal: crash.signal })).rejects.toBeInstanceOf(
      PipelineAbortedError,
    );
    expect(await h.store.steps.get(verification.id, 1, 'documentCheck')).not.toBeNull();
    expect(await h.store.steps.get(verification.id, 1, 'faceMatch')).toBeNull();
    expect(await h.store.steps.get(verification.id, 1, 'decide')).toBeNull();
    expect((await h.store.verifications.get(verification.id))?.status).toBe('in_progress');

    // The job is delivered again.
    const report = await runPipeline(h.deps, input, { tasks });
    expect(report.status).toBe('completed');
    expect(h.provider.calls).toMatchObject({ document: 1, liveness: 1, faceMatch: 1 });
    const after = await h.store.verifications.get(verification.id);
    expect(after).toMatchObject({ status: 'approved', decision: 'approved' });

    const deliveries = await h.store.deliveries.listByVerification(verification.id);
    const finalized = (await h.store.audit.listByVerification(verification.id)).filter(
      (e) => e.type === 'verification.finalized',
    );
    expect(finalized).toHaveLength(1);
    expect(deliveries.map((d) => d.event).sort()).toEqual(['verification.approved', 'verification.completed']);

    // A duplicate delivery of the finished job changes nothing.
    expect((await runPipeline(h.deps, input, { tasks })).status).toBe('already_decided');
    // So does re-running every task directly (the AWS task Lambda has no such early exit).
    for (const task of Object.values(real)) await task(h.deps, input);
    expect(h.provider.calls).toMatchObject({ document: 1, liveness: 1, faceMatch: 1 });
    expect(await h.store.deliveries.listByVerification(verification.id)).toHaveLength(deliveries.length);
    expect(
      (await h.store.audit.listByVerification(verification.id)).filter((e) => e.type === 'verification.finalized'),
    ).toHaveLength(1);
    expect(await h.store.verifications.get(verification.id)).toEqual(after);
  });

  it('retries a flaky check with the plan backoff and still approves', async () => {
    const { verification } = await seedVerification(h);
    h.provider.failures.document = 2;
    const { sleep, waits } = recordingSleep();
    const report = await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 }, { sleep });
    expect(report.tasks.documentCheck).toEqual({ status: 'done', tries: 3 });
    expect(waits).toEqual([2000, 4000]); // checkRetry: 2 s, backoff x2
    expect((await h.store.verifications.get(verification.id))?.decision).toBe('approved');
  });

  it('sends the attempt to review with CHECK_ERROR when a check fails permanently', async () => {
    const { verification } = await seedVerification(h);
    h.provider.failures.liveness = Infinity;
    const { sleep, waits } = recordingSleep();
    const report = await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 }, { sleep });

    expect(report.status).toBe('completed');
    expect(report.tasks.livenessCheck).toMatchObject({ status: 'failed', tries: 3 });
    expect(report.tasks.faceMatch).toEqual({ status: 'done', tries: 1 }); // other checks go on
    expect(waits).toEqual([2000, 4000]);
    expect(h.provider.calls.liveness).toBe(3);
    const step = await h.store.steps.get(verification.id, 1, 'livenessCheck');
    expect(step?.result).toMatchObject({
      kind: 'check',
      result: { check: 'liveness', outcome: 'inconclusive', reasonCodes: ['CHECK_ERROR'] },
    });
    expect(await h.store.verifications.get(verification.id)).toMatchObject({
      status: 'review',
      decision: 'review',
      reasonCodes: ['CHECK_ERROR'],
    });
  });

  it('goes straight to decide (review) when prepare fails: captures missing', async () => {
    const { verification } = await seedVerification(h, { captures: ['document_front', 'liveness_frame'] });
    const report = await runPipeline(
      h.deps,
      { verificationId: verification.id, attempt: 1 },
      { sleep: recordingSleep().sleep },
    );

    expect(report.tasks.prepare).toMatchObject({ status: 'failed', tries: 1 }); // permanent: not retried
    expect(report.tasks.prepare?.error).toContain('selfie');
    expect(Object.keys(report.tasks)).toEqual(['prepare', 'decide']);
    expect(h.provider.calls).toEqual({ document: 0, liveness: 0, faceMatch: 0, faceTemplate: 0 });
    expect(await h.store.verifications.get(verification.id)).toMatchObject({
      status: 'review',
      reasonCodes: ['CHECK_ERROR'],
    });
  });

  it('skips the checks a flow does not include', async () => {
    const { verification } = await seedVerification(h, { flow: { id: 'flow_doc', checks: ['document'] } });
    const report = await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 });
    expect(report.tasks.livenessCheck).toEqual({ status: 'skipped', tries: 0 });
    expect(report.tasks.faceMatch).toEqual({ status: 'skipped', tries: 0 });
    expect(h.provider.calls).toMatchObject({ liveness: 0, faceMatch: 0, document: 1 });
    expect((await h.store.verifications.get(verification.id))?.decision).toBe('approved');
  });

  it('declines with retry and reopens the session when a check fails with attempts left', async () => {
    const { verification } = await seedVerification(h);
    h.provider.faceMatch = checkResult('faceMatch', {
      outcome: 'fail',
      reasonCodes: ['BAD_FACE_MATCHING'],
      scores: { distance: 0.8, threshold: 0.6 },
    });
    await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 });
    const after = await h.store.verifications.get(verification.id);
    expect(after?.status).toBe('pending');
    expect(after?.attempts[0]).toMatchObject({
      decision: 'declined',
      declineType: 'retry',
      reasonCodes: ['BAD_FACE_MATCHING'],
    });
  });

  it('declines final with ATTEMPTS_EXHAUSTED on the last attempt', async () => {
    const { verification } = await seedVerification(h, { attempts: 3 });
    h.provider.faceMatch = checkResult('faceMatch', { outcome: 'fail', reasonCodes: ['BAD_FACE_MATCHING'] });
    await runPipeline(h.deps, { verificationId: verification.id, attempt: 3 });
    expect(await h.store.verifications.get(verification.id)).toMatchObject({
      status: 'declined',
      decision: 'declined',
      declineType: 'final',
      reasonCodes: ['BAD_FACE_MATCHING', 'ATTEMPTS_EXHAUSTED'],
    });
  });

  it('records review/CHECK_ERROR when decide itself keeps failing, and reports the run failed', async () => {
    const { verification } = await seedVerification(h);
    const real = createPipelineTasks();
    const broken: PipelineTask = async () => {
      throw new Error('decide broke');
    };
    const { sleep } = recordingSleep();
    const report = await runPipeline(
      h.deps,
      { verificationId: verification.id, attempt: 1 },
      { tasks: { ...real, decide: broken }, sleep },
    );
    expect(report.status).toBe('failed');
    expect(report.tasks.decide).toMatchObject({ status: 'failed', tries: 3 });
    expect(await h.store.verifications.get(verification.id)).toMatchObject({
      status: 'review',
      reasonCodes: ['CHECK_ERROR'],
    });
  });

  it('keeps a computed decision when only recording it failed', async () => {
    const { verification } = await seedVerification(h);
    let failures = 3;
    const { recordAttemptOutcome } = await import('../../functions/app/outcomes');
    const flakyRecorder: typeof recordAttemptOutcome = async (deps, outcome) => {
      if (failures-- > 0) throw new Error('store busy');
      return recordAttemptOutcome(deps, outcome);
    };
    const report = await runPipeline(
      h.deps,
      { verificationId: verification.id, attempt: 1 },
      { recordOutcome: flakyRecorder, sleep: recordingSleep().sleep },
    );
    expect(report.status).toBe('failed');
    // The failure recorder re-recorded the stored decision instead of replacing it with review.
    expect(await h.store.verifications.get(verification.id)).toMatchObject({
      status: 'approved',
      decision: 'approved',
    });
  });

  it('reports not_found for a verification or attempt that does not exist', async () => {
    const report = await runPipeline(h.deps, { verificationId: 'vrf_missing', attempt: 1 });
    expect(report).toEqual({ input: { verificationId: 'vrf_missing', attempt: 1 }, status: 'not_found', tasks: {} });
    const { verification } = await seedVerification(h);
    expect((await runPipeline(h.deps, { verificationId: verification.id, attempt: 2 })).status).toBe('not_found');
    expect(h.provider.calls.document).toBe(0);
  });

  it('runs nothing for a verification that became terminal before its checks ran', async () => {
    const { verification } = await seedVerification(h, {
      verification: { status: 'expired', reasonCodes: ['SESSION_EXPIRED'], completedAt: at(30) },
    });
    const report = await runPipeline(h.deps, { verificationId: verification.id, attempt: 1 });
    expect(report).toMatchObject({ status: 'already_decided', tasks: {} });
    expect(h.provider.calls).toEqual({ document: 0, liveness: 0, faceMatch: 0, faceTemplate: 0 });
    expect(await h.store.steps.listByAttempt(verification.id, 1)).toEqual([]);
  });
});
