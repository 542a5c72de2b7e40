import { errors } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit';
import { finalizeVerification } from '../outcomes';
import type { ApplicantSimulateBody } from '../schemas';
import { simulatedOutcome } from '../simulated-outcome';
import { reloadSession, requireConsent, type OpenSession, type SessionView } from './session';

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
  const outcome = simulatedOutcome(body);
  const { declineType, reasonCodes } = outcome;
  const ok = await finalizeVerification(deps, v.id, outcome);
  if (!ok) throw errors.conflict('session_finished', 'This verification already reached a decision.');
  await recordAudit(deps, {
    orgId: v.orgId,
    verificationId: v.id,
    type: 'attempt.simulated',
    data: { decision: body.decision, declineType, reasonCodes },
  });
  return reloadSession(deps, v.id, flow);
}
