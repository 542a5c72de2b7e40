import { errors } from '../../domain/errors';
import { REASON_CODES, type ReasonCode } from '../../domain/reason-codes';
import type { AppDeps } from '../deps';
import { finalizeVerification } from '../outcomes';
import type { ApplicantSimulateBody } from './schemas';
import { reloadSession, requireConsent, type OpenSession, type SessionView } from './session';

/** Reason code a simulated outcome carries when none is chosen, so it still explains itself. */
const DEFAULT_CODES: Record<'declined' | 'review', ReasonCode> = {
  declined: 'BAD_FACE_MATCHING',
  review: 'FACE_MATCH_INCONCLUSIVE',
};

/**
 * Test mode: the applicant picks the outcome instead of running checks. Primary course: test-mode session,
 * consent given -> the verification is finalized with that outcome through the normal path (webhooks fire).
 * Live sessions get 403 test_mode_only.
 */
export async function simulateAttempt(
  deps: AppDeps,
  session: OpenSession,
  body: ApplicantSimulateBody,
): Promise<SessionView> {
  const { verification: v, flow } = session;
  if (v.mode !== 'test') throw errors.forbidden('test_mode_only', 'Only test-mode sessions can choose their outcome.');
  requireConsent(v);
  const reasonCodes = body.reasonCodes ?? (body.decision === 'approved' ? [] : [DEFAULT_CODES[body.decision]]);
  const declineType =
    body.decision !== 'declined'
      ? null
      : (body.declineType ??
        (reasonCodes.some((c) => REASON_CODES[c as ReasonCode].effect === 'final') ? 'final' : 'retry'));
  const ok = await finalizeVerification(deps, v.id, {
    decision: body.decision,
    declineType,
    reasonCodes,
    riskFlags: [],
  });
  if (!ok) throw errors.conflict('session_finished', 'This verification already reached a decision.');
  await deps.store.audit.append({
    id: deps.ids.next('evt'),
    verificationId: v.id,
    orgId: v.orgId,
    type: 'attempt.simulated',
    at: deps.clock.now().toISOString(),
    data: { decision: body.decision, declineType, reasonCodes },
  });
  return reloadSession(deps, v.id, flow);
}
