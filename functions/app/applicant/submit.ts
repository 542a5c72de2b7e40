import { errors, type ErrorDetail } from '../../domain/errors';
import { acceptedDocumentTypes, requiredCaptures, stepsOfFlow, type RequiredCapture } from '../../domain/captures';
import type { Attempt, Capture, DocumentType, Flow, Verification } from '../../domain/model';
import { isTerminal } from '../../domain/verification';
import type { AppDeps } from '../deps';
import { recordSubmittedAudit } from '../outcomes';
import type { SubmitBody } from './schemas';
import { livenessModeOf } from './liveness-mode';
import {
  currentAttempt,
  reloadSession,
  requireConsent,
  requirePending,
  updateSession,
  type OpenSession,
  type SessionView,
} from './session';
import { enqueuePipelineRun } from '../pipeline/enqueue';

/**
 * Submits the current attempt's captures for checking. Primary course: consent given, live mode, no checks
 * running, attempts left, every required capture uploaded -> an Attempt is appended and the verification
 * goes `in_progress` (optimistic version check) -> one `pipeline.run` job (deduplicated per attempt).
 * Test-mode sessions never run checks: they get 409 test_mode_use_simulate.
 */
export async function submitAttempt(deps: AppDeps, session: OpenSession, body: SubmitBody): Promise<SessionView> {
  const { verification, flow } = session;
  const documentType = chosenDocumentType(flow, body.documentType);
  const now = deps.clock.now().toISOString();
  await requeueIfResubmitted(deps, verification);
  checkSubmittable(verification, flow);

  // Captures are read before the conditional write; the write's version check makes the pair consistent
  // with any concurrent submit (the loser re-reads and sees in_progress).
  const attemptNumber = currentAttempt(verification);
  const captures = (await deps.store.captures.listByVerification(verification.id)).filter(
    (c) => c.attempt === attemptNumber && c.status === 'uploaded',
  );
  const faceLiveness = livenessModeOf(flow, deps.config) === 'face_liveness';
  const missing = missingCaptures(flow, verification, captures, documentType, faceLiveness);
  if (missing.length > 0)
    throw errors.conflict('captures_missing', 'Some required captures are missing for this attempt.', missing);
  const captureIds = captures.map((c) => c.id);

  const updated = await updateSession(deps, verification.id, (v) => {
    checkSubmittable(v, flow);
    if (currentAttempt(v) !== attemptNumber)
      throw errors.conflict('attempt_in_progress', 'Another submit of this session won the race; poll GET /session.');
    const attempt: Attempt = {
      number: attemptNumber,
      submittedAt: now,
      completedAt: null,
      decision: null,
      declineType: null,
      reasonCodes: [],
      riskFlags: [],
      captureIds,
      documentType,
    };
    if (!faceLiveness)
      return {
        ...v,
        status: 'in_progress',
        attempts: [...v.attempts, attempt],
        updatedAt: now,
        version: v.version + 1,
      };
    // The session belongs to this attempt; a retry opens a new one.
    if (!v.faceLivenessSessionId)
      throw errors.conflict('captures_missing', 'Some required captures are missing for this attempt.', [
        FACE_LIVENESS_MISSING,
      ]);
    return {
      ...v,
      status: 'in_progress',
      attempts: [...v.attempts, { ...attempt, faceLivenessSessionId: v.faceLivenessSessionId }],
      faceLivenessSessionId: null,
      faceLivenessSessionsOpened: 0,
      updatedAt: now,
      version: v.version + 1,
    };
  });
  const submitted = updated.attempts.find((a) => a.number === attemptNumber);
  if (submitted) await recordSubmittedAudit(deps, updated, submitted);
  await enqueuePipelineRun(deps, updated.id, attemptNumber);
  return reloadSession(deps, updated.id, flow);
}

/**
 * A submit of an attempt that is already in progress is most often the page retrying a submit that failed
 * after its write (a throttled audit write, a crash) and before its run was queued. Finish what that submit
 * began: its `attempt.submitted` audit entry (fixed id: a no-op when it was written) and its run (deduplicated
 * per attempt: a no-op when it is queued or running), so the applicant is not left waiting for the
 * stalled-attempt safety net; the caller still answers 409 attempt_in_progress.
 */
async function requeueIfResubmitted(deps: AppDeps, v: Verification): Promise<void> {
  const last = v.attempts.at(-1);
  if (v.status !== 'in_progress' || !last || last.completedAt) return;
  await recordSubmittedAudit(deps, v, last);
  await enqueuePipelineRun(deps, v.id, last.number);
}

/** Preconditions that hold on the latest record (re-checked inside the optimistic update). */
function checkSubmittable(v: Verification, flow: Flow): void {
  if (isTerminal(v.status))
    throw errors.conflict('session_finished', `This verification is already finished (${v.status}).`);
  requireConsent(v);
  if (v.mode === 'test')
    throw errors.conflict(
      'test_mode_use_simulate',
      'Test-mode sessions never run checks; choose an outcome with POST /simulate.',
    );
  requirePending(v);
  if (v.attempts.length >= flow.maxAttempts)
    throw errors.conflict('attempts_exhausted', `All ${flow.maxAttempts} attempts of this session are used.`);
}

/** The document type the applicant chose, checked against the flow; null when the flow has no document step. */
function chosenDocumentType(flow: Flow, requested: DocumentType | undefined): DocumentType | null {
  if (!stepsOfFlow(flow).includes('document')) return null;
  const accepted = acceptedDocumentTypes(flow);
  if (requested === undefined) return accepted.length === 1 ? accepted[0]! : null;
  if (!accepted.includes(requested))
    throw errors.validation([{ field: 'documentType', issue: `must be one of: ${accepted.join(', ')}` }]);
  return requested;
}

const FACE_LIVENESS_MISSING: ErrorDetail = {
  field: 'liveness_session',
  issue: 'missing (open one with POST /liveness-session and complete it)',
};

/** The captures the flow needs for this attempt (domain rule, see requiredCaptures) that were not uploaded. */
function missingCaptures(
  flow: Flow,
  v: Verification,
  captures: Capture[],
  documentType: DocumentType | null,
  faceLiveness: boolean,
): ErrorDetail[] {
  const has = (kind: Capture['kind'], index: number) => captures.some((c) => c.kind === kind && c.index === index);
  const required = requiredCaptures({
    steps: stepsOfFlow(flow),
    acceptedDocumentTypes: acceptedDocumentTypes(flow),
    documentType,
    challenge: v.challenge,
    faceLiveness,
  });
  const missing: ErrorDetail[] = [];
  for (const capture of required) {
    if (capture.kind === 'face_liveness_session') {
      if (!v.faceLivenessSessionId) missing.push(FACE_LIVENESS_MISSING);
    } else if (!has(capture.kind, capture.index)) {
      missing.push(missingDetail(capture));
    }
  }
  return missing;
}

/** The error detail naming one missing capture (the field is the kind, `.index` for a head-turn frame). */
function missingDetail(capture: Exclude<RequiredCapture, { kind: 'face_liveness_session' }>): ErrorDetail {
  if (capture.kind === 'liveness_frame')
    return { field: `liveness_frame.${capture.index}`, issue: `missing (prompt "${capture.prompt}")` };
  if (capture.kind === 'liveness_sequence')
    return { field: 'liveness_sequence', issue: 'missing (the whole head-turn challenge recorded continuously)' };
  return { field: capture.kind, issue: 'missing' };
}
