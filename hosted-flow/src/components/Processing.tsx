import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session } from '../api';
import { useFlow } from '../context';
import { progressPercent } from '../flow/progress';
import { Screen, Status } from './ui';
import { useSessionPolling } from './use-session-polling';

const POLL_MS = 1000;
const TICK_MS = 250;

/** Waits for the checks: polls the session about once a second until it leaves `in_progress`. */
export function Processing({
  onSettled,
  onError,
}: {
  onSettled: (session: Session) => void;
  onError: (error: unknown) => void;
}): JSX.Element {
  const { i18n, announce } = useFlow();
  const [percent, setPercent] = useState(progressPercent(0));

  useEffect(() => {
    announce(i18n.t('processing.status'));
  }, [announce, i18n]);

  useEffect(() => {
    const started = Date.now();
    const ticker = setInterval(() => setPercent(progressPercent(Date.now() - started)), TICK_MS);
    return () => clearInterval(ticker);
  }, []);

  useSessionPolling(POLL_MS, {
    onSession: (session) => {
      if (session.status === 'in_progress') return false;
      setPercent(100);
      onSettled(session);
      return true;
    },
    // A dropped connection while waiting is not fatal: keep polling. Anything else ends here.
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'network_error') return false;
      onError(error);
      return true;
    },
  });

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
