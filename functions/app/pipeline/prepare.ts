import type { CaptureKind } from '../../domain/model';
import type { PipelineInput } from '../../domain/pipeline-plan';
import type { AppDeps } from '../deps';
import { capturesOf, loadAttemptContext, type AttemptContext } from './context';
import { PermanentTaskError } from './errors';
import { stepDone, writeStep } from './step-results';

const MAX_UPDATE_TRIES = 3;

/**
 * First task: checks the attempt exists and has the captures its flow needs, snapshots the liveness challenge,
 * and marks the verification in_progress if it is still pending. Missing captures are permanent errors
 * (the step then records CHECK_ERROR and the attempt goes to review).
 */
export async function prepare(deps: AppDeps, input: PipelineInput): Promise<void> {
  if (await stepDone(deps, input, 'prepare')) return;
  const ctx = await loadAttemptContext(deps, input);
  if (!ctx.verification.attempts.some((a) => a.number === input.attempt)) {
    throw new PermanentTaskError(`verification ${input.verificationId} has no attempt ${input.attempt}`);
  }
  const missing = missingCaptures(ctx, input.attempt);
  if (missing.length > 0)
    throw new PermanentTaskError(`attempt ${input.attempt} lacks captures: ${missing.join(', ')}`);

  await markInProgress(deps, input);
  await writeStep(deps, input, 'prepare', {
    kind: 'prepare',
    challenge: ctx.verification.challenge ? [...ctx.verification.challenge] : null,
    captureIds: ctx.captures.map((c) => c.id),
  });
}

/**
 * Capture kinds the flow's checks need that the attempt does not have. An attempt submitted with a Face
 * Liveness session needs no head-turn frames: the session is its liveness evidence.
 */
function missingCaptures(ctx: AttemptContext, attemptNumber: number): CaptureKind[] {
  const faceLivenessSession = ctx.verification.attempts.find((a) => a.number === attemptNumber)?.faceLivenessSessionId;
  const needed = new Set<CaptureKind>();
  for (const check of ctx.flow.checks) {
    if (check === 'document') needed.add('document_front');
    if (check === 'faceMatch') {
      needed.add('document_front');
      needed.add('selfie');
    }
    if (check === 'liveness' && !faceLivenessSession) needed.add('liveness_frame');
  }
  return [...needed].filter((kind) => capturesOf(ctx, kind).length === 0);
}

/** pending -> in_progress for the latest attempt, with the optimistic version check; other states are left alone. */
async function markInProgress(deps: AppDeps, input: PipelineInput): Promise<void> {
  for (let i = 0; i < MAX_UPDATE_TRIES; i++) {
    const v = await deps.store.verifications.get(input.verificationId);
    if (v?.status !== 'pending' || v.attempts.length !== input.attempt) return;
    const now = deps.clock.now().toISOString();
    if (
      await deps.store.verifications.update(
        { ...v, status: 'in_progress', updatedAt: now, version: v.version + 1 },
        v.version,
      )
    )
      return;
  }
  throw new Error(`could not mark ${input.verificationId} in_progress: concurrent updates`);
}
