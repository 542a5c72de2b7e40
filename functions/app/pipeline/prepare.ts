import { acceptedDocumentTypes, requiredCaptures, stepsOfFlow } from '../../domain/captures';
import type { PipelineInput } from '../../domain/pipeline-plan';
import type { AppDeps } from '../deps';
import { capturesOf, loadAttemptContext, type AttemptContext } from './context';
import { PermanentTaskError } from './errors';
import { stepDone, writeStep } from './step-results';
import { updateVerification } from '../optimistic-update';

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
 * The captures the attempt needs (the same rule submit enforced, see requiredCaptures) that it does not
 * have. The chosen document type is not recorded on the attempt, so a back side is required only when every
 * accepted type has one. An attempt submitted with a Face Liveness session needs no head-turn frames: the
 * session is its liveness evidence.
 */
function missingCaptures(ctx: AttemptContext, attemptNumber: number): string[] {
  const attempt = ctx.verification.attempts.find((a) => a.number === attemptNumber);
  const steps = stepsOfFlow(ctx.flow);
  const faceLiveness = Boolean(attempt?.faceLivenessSessionId);
  const required = requiredCaptures({
    steps,
    acceptedDocumentTypes: acceptedDocumentTypes(ctx.flow),
    documentType: null,
    challenge: ctx.verification.challenge,
    faceLiveness,
  });
  const missing = required
    .filter((c) => c.kind !== 'face_liveness_session')
    .filter((c) => !capturesOf(ctx, c.kind).some((have) => have.index === c.index))
    .map((c) => `${c.kind}#${c.index}`);
  // A head-turn attempt without prompts has no frames to check: the liveness check could not run.
  if (steps.includes('liveness') && !faceLiveness && !ctx.verification.challenge?.length)
    missing.push('liveness_frame (no challenge)');
  return missing;
}

/** pending -> in_progress for the latest attempt, with the optimistic version check; other states are left alone. */
async function markInProgress(deps: AppDeps, input: PipelineInput): Promise<void> {
  await updateVerification(deps, input.verificationId, (v) =>
    v.status === 'pending' && v.attempts.length === input.attempt
      ? { ...v, status: 'in_progress', updatedAt: deps.clock.now().toISOString(), version: v.version + 1 }
      : null,
  );
}
