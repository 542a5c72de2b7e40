import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session } from '../api';
import { useFlow } from '../context';
import { Screen, Status } from './ui';

const POLL_MS = 1000;
/** The bar creeps toward 95 % on a time curve: the server reports no stages, but the applicant sees movement. */
const PROGRESS_TIME_CONSTANT_MS = 12000;

/** Waits for the checks: polls the session about once a second until it leaves `in_progress`. */
export function Processing({
  onSettled,
  onError,
}: {
  onSettled: (session: Session) => void;
  onError: (error: unknown) => void;
}): JSX.Element {
  const { i18n, api, announce } = useFlow();
  const [percent, setPercent] = useState(5);

  useEffect(() => {
    announce(i18n.t('processing.status'));
    const started = Date.now();
    let stopped = false;
    const ticker = setInterval(() => {
      const elapsed = Date.now() - started;
      setPercent(Math.round(5 + 90 * (1 - Math.exp(-elapsed / PROGRESS_TIME_CONSTANT_MS))));
    }, 250);
    const poll = async (): Promise<void> => {
      while (!stopped && api) {
        try {
          const session = await api.getSession();
          if (stopped) return;
          if (session.status !== 'in_progress') {
            setPercent(100);
            onSettled(session);
            return;
          }
        } catch (error) {
          // A dropped connection while waiting is not fatal: keep polling. Anything else ends here.
          if (!(error instanceof ApiError && error.code === 'network_error')) {
            if (!stopped) onError(error);
            return;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearInterval(ticker);
    };
  }, []);

  return (
    <Screen id="processing" title={i18n.t('processing.title')}>
      <p>{i18n.t('processing.body')}</p>
      <label class="progress-label" id="progress-label" for="progress">
        {i18n.t('processing.progressLabel')}
      </label>
      <progress id="progress" max={100} value={percent} aria-labelledby="progress-label" />
      <Status>{i18n.t('processing.status')}</Status>
    </Screen>
  );
}
