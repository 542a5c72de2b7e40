import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Session } from '../api';
import { useFlow } from '../context';
import { resultPageOf } from '../flow/outcome';
import { Actions, Button, Screen } from './ui';

const REDIRECT_DELAY_MS = 5000;

/** Outcome page: approved / in review / declined with what to fix, a retry button, and the way back. */
export function Result({ session, onRetry }: { session: Session; onRetry: () => void }): JSX.Element {
  const { i18n } = useFlow();
  const { outcome, reasonCodes: reasons, bodyKey, returnUrl: back } = resultPageOf(session);

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
      {reasons.length ? (
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
