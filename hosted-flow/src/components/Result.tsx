import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Session } from '../api';
import { useFlow } from '../context';
import { returnUrlWithResult } from '../link';
import { Actions, Button, Screen } from './ui';

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

function unique(codes: string[]): string[] {
  return [...new Set(codes)];
}

const REDIRECT_DELAY_MS = 5000;

/** Outcome page: approved / in review / declined with what to fix, a retry button, and the way back. */
export function Result({ session, onRetry }: { session: Session; onRetry: () => void }): JSX.Element {
  const { i18n } = useFlow();
  const shown = outcomeOf(session);
  const outcome = shown?.outcome ?? 'review';
  const reasons = shown?.reasonCodes ?? [];
  const terminal = outcome !== 'declinedRetry';
  // A retry-type decline that still ended the verification (no attempts left, or set by the integrator):
  // the applicant cannot retry on this link, but can fix the issues with a new one.
  const bodyKey =
    outcome === 'declinedFinal' && session.declineType === 'retry'
      ? 'result.declinedClosed.body'
      : (`result.${outcome}.body` as const);
  const back =
    terminal && session.returnUrl
      ? returnUrlWithResult(session.returnUrl, session.verificationId, session.status)
      : null;

  useEffect(() => {
    if (!back) return;
    const timer = setTimeout(() => window.location.assign(back), REDIRECT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [back]);

  return (
    <Screen id={`result-${outcome}`} title={i18n.t(`result.${outcome}.title`)}>
      <div class={`outcome ${outcome}`} data-outcome={outcome}>
        <span class="outcome-icon" aria-hidden="true" />
        <p>{i18n.t(bodyKey)}</p>
      </div>
      {reasons.length && outcome !== 'approved' ? (
        <section class="reasons" aria-labelledby="reasons-title">
          <h2 id="reasons-title">{i18n.t('result.reasonsTitle')}</h2>
          <ul>
            {reasons.map((code) => (
              <li key={code} data-reason={code}>
                {i18n.tryKey(`reason.${code}`) ?? i18n.t('reason.unknown', { code })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {outcome === 'declinedRetry' ? (
        <>
          <p>{i18n.plural('result.attemptsLeft', session.attempts.left)}</p>
          <Actions>
            <Button onClick={onRetry} name="retry">
              {i18n.t('result.retry')}
            </Button>
          </Actions>
        </>
      ) : null}
      {back ? (
        <>
          <p class="muted">{i18n.t('result.redirecting')}</p>
          <Actions>
            <a class="button primary" href={back} data-action="continue">
              {i18n.t('result.continue')}
            </a>
          </Actions>
        </>
      ) : null}
    </Screen>
  );
}
