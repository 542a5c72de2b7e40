import type { Decision, DeclineType } from '../domain/model';
import type { AppDeps } from './deps';

export interface AttemptOutcome {
  verificationId: string;
  attempt: number;
  decision: Decision;
  declineType: DeclineType | null;
  reasonCodes: string[];
  riskFlags: string[];
}

/**
 * Records the decision of one attempt. Primary course: a retry-type decline with attempts left sends the
 * session back to `pending` with a new challenge; any other outcome makes the verification terminal
 * (never overwriting an earlier terminal state) and writes the webhook deliveries to the outbox.
 * Idempotent: recording the same attempt twice changes nothing the second time.
 */
export async function recordAttemptOutcome(deps: AppDeps, outcome: AttemptOutcome): Promise<void> {
  void deps;
  void outcome;
  throw new Error('recordAttemptOutcome: implemented with the verification lifecycle');
}
