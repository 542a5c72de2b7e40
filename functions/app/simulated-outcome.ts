import { REASON_CODES, type ReasonCode } from '../domain/reason-codes';
import type { TerminalOutcome } from '../domain/verification';
import type { SimulateBody } from './schemas';

/** Reason code a simulated outcome carries when none is chosen, so a simulated decline still explains itself. */
const DEFAULT_SIMULATED_CODES: Record<'declined' | 'review', ReasonCode> = {
  declined: 'BAD_FACE_MATCHING',
  review: 'FACE_MATCH_INCONCLUSIVE',
};

/**
 * The terminal outcome a test-mode simulate request asks for (integrator and applicant API alike): the
 * default reason code when none is given, and a decline type following the codes' effect when not named.
 */
export function simulatedOutcome(body: SimulateBody): TerminalOutcome {
  const reasonCodes =
    body.reasonCodes ?? (body.decision === 'approved' ? [] : [DEFAULT_SIMULATED_CODES[body.decision]]);
  const declineType =
    body.decision !== 'declined'
      ? null
      : (body.declineType ??
        (reasonCodes.some((c) => REASON_CODES[c as ReasonCode].effect === 'final') ? 'final' : 'retry'));
  return { decision: body.decision, declineType, reasonCodes, riskFlags: body.riskFlags ?? [] };
}
