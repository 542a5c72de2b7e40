import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LivenessSession } from '../api';
import { useFlow } from '../context';
import type { FaceLivenessFailure } from '../face-liveness/failures';
import { guestCredentialProvider } from '../face-liveness/guest-credentials';
import { Actions, Button, Screen, Spinner, Status } from './ui';
import { useLatest } from './use-latest';

export interface FaceLivenessStepProps {
  step?: string | undefined;
  /** Rekognition has the video and closed the session: submit the attempt. */
  onDone: () => void;
  onHandoff: () => void;
  /** The applicant API refused (expired, finished, ...): the page's error screens take over. */
  onError: (error: unknown) => void;
}

type Phase =
  | { kind: 'opening' }
  | { kind: 'running'; session: LivenessSession }
  | { kind: 'complete' }
  | { kind: 'failed'; failure: FaceLivenessFailure }
  | { kind: 'cancelled' };

/**
 * Rekognition Face Liveness step (flows with `useFaceLivenessSession`, AWS runtime). Primary course: open a
 * session with the applicant API -> load AWS's video check component (a lazy chunk) -> the applicant fits
 * their face in the oval while the video streams to Rekognition, signed with Cognito guest credentials ->
 * Rekognition closes the session -> the attempt is submitted and the pipeline reads the verdict. A session
 * streams once: every retry opens a new one.
 */
export function FaceLivenessStep({ step, onDone, onHandoff, onError }: FaceLivenessStepProps): JSX.Element {
  const { i18n, api, announce } = useFlow();
  const [phase, setPhase] = useState<Phase>({ kind: 'opening' });
  const host = useRef<HTMLDivElement>(null);
  // Read when the island ends or fails, never a reason to re-open a session or re-mount the island.
  const latest = useLatest({ i18n, announce, onDone, onError });

  // Opens a session for this run (on mount, and again on "try again").
  const opening = phase.kind === 'opening';
  useEffect(() => {
    if (!api || !opening) return;
    let stale = false;
    api.createLivenessSession().then(
      (session) => !stale && setPhase({ kind: 'running', session }),
      (error: unknown) => !stale && latest.current.onError(error),
    );
    return () => {
      stale = true;
    };
  }, [api, opening, latest]);

  // Mounts the component once its host element is on screen; unmounts it when the run ends.
  const session = phase.kind === 'running' ? phase.session : null;
  useEffect(() => {
    const element = host.current;
    if (!session || !element) return;
    let unmount: (() => void) | null = null;
    let ended = false;
    const end = (next: Exclude<Phase, { kind: 'opening' | 'running' }>): void => {
      if (ended) return;
      ended = true;
      setPhase(next);
      const { i18n, announce, onDone } = latest.current;
      if (next.kind === 'complete') {
        announce(i18n.t('faceLiveness.complete'));
        onDone();
      } else if (next.kind === 'failed') announce(i18n.t(`faceLiveness.failure.${next.failure}.title`));
    };
    import('../face-liveness/detector').then(
      ({ mountFaceLiveness }) => {
        if (ended) return;
        unmount = mountFaceLiveness(element, {
          sessionId: session.sessionId,
          region: session.region,
          clockOffsetMs: session.clockOffsetMs,
          locale: latest.current.i18n.locale,
          credentials: guestCredentialProvider(session.region, session.identityPoolId),
          onComplete: () => end({ kind: 'complete' }),
          onFailure: (failure) => end({ kind: 'failed', failure }),
          onCancel: () => end({ kind: 'cancelled' }),
        });
      },
      () => end({ kind: 'failed', failure: 'connection' }),
    );
    return () => {
      ended = true;
      // React may not unmount a root synchronously while it is rendering: defer to the next task.
      if (unmount) setTimeout(unmount, 0);
    };
  }, [session, latest]);

  const again = (): void => setPhase({ kind: 'opening' });

  switch (phase.kind) {
    case 'opening':
    case 'complete':
      return (
        <Screen id="face-liveness" title={i18n.t('faceLiveness.title')} step={step}>
          <Status>
            <Spinner /> {phase.kind === 'opening' ? i18n.t('faceLiveness.preparing') : i18n.t('faceLiveness.complete')}
          </Status>
        </Screen>
      );
    case 'running':
      return (
        <Screen id="face-liveness" title={i18n.t('faceLiveness.title')} step={step}>
          <p>{i18n.t('faceLiveness.intro')}</p>
          <div class="face-liveness-host" ref={host} data-face-liveness="true" />
        </Screen>
      );
    case 'cancelled':
      return (
        <Stopped
          id="face-liveness-cancelled"
          title={i18n.t('faceLiveness.cancelled.title')}
          body={i18n.t('faceLiveness.cancelled.body')}
          retry={i18n.t('faceLiveness.startAgain')}
          step={step}
          onRetry={again}
          onHandoff={onHandoff}
        />
      );
    case 'failed':
      return (
        <Stopped
          id={`face-liveness-failed-${phase.failure}`}
          title={i18n.t(`faceLiveness.failure.${phase.failure}.title`)}
          body={i18n.t(`faceLiveness.failure.${phase.failure}.body`)}
          retry={i18n.t('common.tryAgain')}
          step={step}
          onRetry={again}
          onHandoff={onHandoff}
        />
      );
  }
}

interface StoppedProps {
  id: string;
  title: string;
  body: string;
  retry: string;
  step?: string | undefined;
  onRetry: () => void;
  onHandoff: () => void;
}

/** The check ended without a result: why, then a fresh session or another device. */
function Stopped({ id, title, body, retry, step, onRetry, onHandoff }: StoppedProps): JSX.Element {
  const { i18n } = useFlow();
  return (
    <Screen id={id} title={title} step={step}>
      <p>{body}</p>
      <Actions>
        <Button onClick={onRetry} name="face-liveness-retry">
          {retry}
        </Button>
        <Button kind="secondary" onClick={onHandoff} name="handoff">
          {i18n.t('welcome.otherDevice')}
        </Button>
      </Actions>
    </Screen>
  );
}
