import type { Verification } from '../../domain/model';
import { PipelineRunEndedError } from '../../ports/queue';
import type { AppDeps } from '../deps';
import { recordAttemptOutcome } from '../outcomes';
import { createRecordTaskFailure } from './failures';

/**
 * How long a submitted attempt may stay undecided before a reader presumes its pipeline run was lost.
 * Far above a normal run (seconds) and its retries, so a re-queue is only a safety net.
 */
export const STALLED_ATTEMPT_AFTER_MS = 2 * 60_000;

const recordDeadRun = createRecordTaskFailure(recordAttemptOutcome);

/**
 * Queues the checks of one attempt. Deduplicated per attempt (the local queue's dedupe key; on AWS the
 * Step Functions execution name), so a run that is queued, running or finished is not started twice, and
 * the pipeline's steps are idempotent besides.
 *
 * A run that already ended without deciding (an execution that timed out or was aborted skips the state
 * machine's failure states) can never run again under its name: the attempt is decided review/CHECK_ERROR
 * here, so the applicant gets an answer and the verification leaves the sweep's list. A decision the run
 * stored before it ended wins (the failure recorder writes the decision first-write-wins).
 */
export async function enqueuePipelineRun(deps: AppDeps, verificationId: string, attempt: number): Promise<void> {
  try {
    await deps.queue.enqueue(
      'pipeline.run',
      { verificationId, attempt },
      { dedupeKey: `pipeline:${verificationId}:${attempt}` },
    );
  } catch (err) {
    if (!(err instanceof PipelineRunEndedError)) throw err;
    await recordDeadRun(
      deps,
      { verificationId, attempt },
      'decide',
      `pipeline run ended (${err.runStatus}) without a decision`,
    );
  }
}

/**
 * Re-queues the run of a submitted attempt still undecided {@link STALLED_ATTEMPT_AFTER_MS} after its submit:
 * a crash between submit's write and its enqueue would otherwise leave the applicant waiting until the link
 * expires. Cheap to call on every session read (one comparison unless the attempt is stalled).
 * Resolves true when it re-queued.
 */
export async function requeueIfStalled(deps: AppDeps, v: Verification): Promise<boolean> {
  const last = v.attempts[v.attempts.length - 1];
  if (v.status !== 'in_progress' || !last || last.completedAt) return false;
  if (deps.clock.now().getTime() - Date.parse(last.submittedAt) < STALLED_ATTEMPT_AFTER_MS) return false;
  await enqueuePipelineRun(deps, v.id, last.number);
  return true;
}
