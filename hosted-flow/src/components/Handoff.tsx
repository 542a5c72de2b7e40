import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import qrcode from 'qrcode-generator';
import { TERMINAL_STATUSES, type Session } from '../api';
import { useFlow } from '../context';
import { Actions, Button, Screen, Spinner, Status } from './ui';

const POLL_MS = 2000;

/** Renders a link as a QR code image (GIF data URL: no inline SVG styles, no external service). */
export function qrDataUrl(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createDataURL(6, 4);
}

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
  const { i18n, api } = useFlow();
  const image = useMemo(() => qrDataUrl(url), [url]);
  const [inProgress, setInProgress] = useState(false);

  useEffect(() => {
    let stopped = false;
    const poll = async (): Promise<void> => {
      while (!stopped && api) {
        try {
          const session = await api.getSession();
          if (stopped) return;
          setInProgress(session.status === 'in_progress');
          if (TERMINAL_STATUSES.has(session.status)) return onSettled(session);
        } catch {
          // transient: keep waiting
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, []);

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
