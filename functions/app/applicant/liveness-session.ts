import { errors } from '../../domain/errors';
import type { Flow } from '../../domain/model';
import type { AppConfig, AppDeps } from '../deps';
import { recordAudit } from '../audit';
import { livenessModeOf } from './liveness-mode';
import { currentAttempt, requireConsent, requirePending, updateSession, type OpenSession } from './session';

/**
 * Face Liveness sessions one attempt may open. Each session is a paid Rekognition call, so a leaked link must
 * not open them without bound; a few retakes (camera trouble, a timed-out session) stay possible.
 */
export const MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT = 5;

/** What the hosted page needs to stream the session (`POST /liveness-session`). */
export interface LivenessSessionView {
  sessionId: string;
  region: string;
  identityPoolId: string;
}

/**
 * Opens a Face Liveness session for the attempt being collected. Primary course: face_liveness mode, live
 * session, consent given, no checks running -> the provider creates a session -> its id is stored on the
 * verification (moved onto the Attempt at submit) -> the page gets the id, region and identity pool.
 * Calling again replaces the stored id (a session lasts minutes; a retake needs a fresh one), up to
 * {@link MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT} sessions per attempt (409 `liveness_session_limit` after): the
 * slot is reserved with the optimistic update before the provider is called, so concurrent calls cannot
 * exceed the cap.
 */
export async function createLivenessSession(deps: AppDeps, session: OpenSession): Promise<LivenessSessionView> {
  const { verification, flow } = session;
  const settings = deps.config.faceLiveness;
  if (livenessModeOf(flow, deps.config) !== 'face_liveness' || !settings) throw unavailable(flow, deps.config);
  requireConsent(verification);
  if (verification.mode === 'test')
    throw errors.conflict(
      'test_mode_use_simulate',
      'Test-mode sessions never run checks; choose an outcome with POST /simulate.',
    );
  requirePending(verification);

  const provider = deps.faceLivenessSessions
    ? await deps.faceLivenessSessions()
    : (await deps.checks()).faceLivenessSessions;
  if (!provider)
    throw errors.conflict(
      'liveness_session_unavailable',
      'The configured check provider has no Face Liveness sessions.',
    );
  const reservedAt = deps.clock.now().toISOString();
  const reserved = await updateSession(deps, verification.id, (v) => {
    requireOpenForSessions(v);
    const opened = v.faceLivenessSessionsOpened ?? 0;
    if (opened >= MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT) throw sessionLimitReached();
    return { ...v, faceLivenessSessionsOpened: opened + 1, updatedAt: reservedAt, version: v.version + 1 };
  });
  const attempt = currentAttempt(reserved);
  const { sessionId } = await provider.createFaceLivenessSession({});
  const now = deps.clock.now().toISOString();
  const updated = await updateSession(deps, verification.id, (v) => {
    requireOpenForSessions(v);
    if (currentAttempt(v) !== attempt)
      throw errors.conflict('attempt_in_progress', 'The attempt was submitted while the session was opened.');
    return { ...v, faceLivenessSessionId: sessionId, updatedAt: now, version: v.version + 1 };
  });
  await recordAudit(deps, {
    orgId: updated.orgId,
    verificationId: updated.id,
    type: 'liveness_session.created',
    at: now,
    data: { attempt: currentAttempt(updated), sessionId },
  });
  return { sessionId, region: settings.region, identityPoolId: settings.identityPoolId };
}

function requireOpenForSessions(v: Parameters<typeof requirePending>[0]): void {
  requirePending(v);
  if (v.status !== 'pending')
    throw errors.conflict('session_finished', `This verification is already finished (${v.status}).`);
}

const sessionLimitReached = () =>
  errors.conflict(
    'liveness_session_limit',
    `This attempt already opened ${MAX_FACE_LIVENESS_SESSIONS_PER_ATTEMPT} liveness sessions, the most allowed; submit with the last one.`,
  );

function unavailable(
  flow: Pick<Flow, 'checks' | 'useFaceLivenessSession'>,
  config: Pick<AppConfig, 'runtime' | 'faceLiveness'>,
) {
  const why =
    !flow.checks.includes('liveness') || !flow.useFaceLivenessSession
      ? 'This verification flow uses the head-turn challenge, not Face Liveness sessions.'
      : config.runtime !== 'aws'
        ? 'Face Liveness sessions exist only on the AWS runtime; the local runtime always uses the head-turn challenge.'
        : 'Face Liveness sessions are not configured on this deployment (no identity pool).';
  return errors.conflict('liveness_session_unavailable', why);
}
