import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { TERMINAL_STATUSES, type Session } from '../api';
import { useFlow } from '../context';
import { qrDataUrl } from '../link';
import { Actions, Button, Screen, Spinner, Status } from './ui';
import { useSessionPolling } from './use-session-polling';

const POLL_MS = 2000;

/**
 * Cross-device handoff: a QR code of this same link for a phone; this page keeps polling and moves on to
 * the result as soon as the phone finishes.
 */
export function Handoff({
  url,
  onSettled,
  onBack,
}: {
  url: string;
  onSettled: (session: Session) => void;
  onBack: () => void;
}): JSX.Element {
  const { i18n } = useFlow();
  const image = useMemo(() => qrDataUrl(url), [url]);
  const [inProgress, setInProgress] = useState(false);

  useSessionPolling(POLL_MS, {
    onSession: (session) => {
      setInProgress(session.status === 'in_progress');
      if (!TERMINAL_STATUSES.has(session.status)) return false;
      onSettled(session);
      return true;
    },
    // transient: keep waiting
    onError: () => false,
  });

  return (
    <Screen id="handoff" title={i18n.t('handoff.title')}>
      <p>{i18n.t('handoff.body')}</p>
      <img class="qr" src={image} alt={i18n.t('handoff.qrAlt')} data-qr-text-length={url.length} />
      <Status>
        <Spinner /> {inProgress ? i18n.t('handoff.inProgress') : i18n.t('handoff.waiting')}
      </Status>
      <Actions>
        <Button kind="secondary" onClick={onBack} name="handoff-back">
          {i18n.t('handoff.back')}
        </Button>
      </Actions>
    </Screen>
  );
}
