import type { Session } from '../api';
import { returnUrlWithResult } from '../link';

/** What the applicant is told about a decided attempt. */
export type Outcome = 'approved' | 'review' | 'declinedRetry' | 'declinedFinal';

/** What the applicant sees for a session that left processing; null if there is no decision to show. */
export function outcomeOf(session: Session): { outcome: Outcome; reasonCodes: string[] } | null {
  const last = session.lastAttempt;
  if (session.status === 'pending' && last?.decision === 'declined' && session.attempts.left > 0) {
    return { outcome: 'declinedRetry', reasonCodes: unique(last.reasonCodes) };
  }
  switch (session.status) {
    case 'approved':
      return { outcome: 'approved', reasonCodes: [] };
    case 'review':
      return { outcome: 'review', reasonCodes: unique(session.reasonCodes) };
    case 'declined':
      return { outcome: 'declinedFinal', reasonCodes: unique(session.reasonCodes) };
    default:
      return null;
  }
}

/** Everything the result page shows, decided from the session alone. */
export interface ResultPage {
  outcome: Outcome;
  /** Reason codes to explain (none for an approval). */
  reasonCodes: string[];
  /** Message key of the explanation. */
  bodyKey: `result.${Outcome}.body` | 'result.declinedClosed.body';
  /** The integrator's return URL with the result, once the verification is over; null otherwise. */
  returnUrl: string | null;
}

/** The result page of a session (a session with no decision shows as "in review"). */
export function resultPageOf(session: Session): ResultPage {
  const shown = outcomeOf(session);
  const outcome = shown?.outcome ?? 'review';
  const terminal = outcome !== 'declinedRetry';
  return {
    outcome,
    reasonCodes: outcome === 'approved' ? [] : (shown?.reasonCodes ?? []),
    // A retry-type decline that still ended the verification (no attempts left, or set by the integrator):
    // the applicant cannot retry on this link, but can fix the issues with a new one.
    bodyKey:
      outcome === 'declinedFinal' && session.declineType === 'retry'
        ? 'result.declinedClosed.body'
        : `result.${outcome}.body`,
    returnUrl:
      terminal && session.returnUrl
        ? returnUrlWithResult(session.returnUrl, session.verificationId, session.status)
        : null,
  };
}

function unique(codes: string[]): string[] {
  return [...new Set(codes)];
}
