import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { ApiError, ApplicantApi, type Session, type SimulatedOutcome } from './api';
import { documentSideTitle } from './capture/messages';
import { Consent } from './components/Consent';
import { DocumentTypeChoice } from './components/DocumentTypeChoice';
import { FaceLivenessStep } from './components/FaceLivenessStep';
import { Handoff } from './components/Handoff';
import { LivenessChallenge } from './components/LivenessChallenge';
import { ConsentDeclined, ErrorPage } from './components/MessagePage';
import { Processing } from './components/Processing';
import { Result } from './components/Result';
import { StillCapture } from './components/StillCapture';
import { TestMode } from './components/TestMode';
import { Screen, Spinner, Status } from './components/ui';
import { useLatest } from './components/use-latest';
import { Welcome } from './components/Welcome';
import { Flow, type FlowContext } from './context';
import type { ApplicantStep } from '../../functions/http/applicant-contract';
import { type CaptureStep, stepPosition } from './flow/capture-plan';
import { type FlowAction, flowReducer, initialFlowState, type SessionEntry } from './flow/flow-state';
import { pageErrorOf } from './flow/page-error';
import { chooseLocale, translator } from './i18n';
import { handoffUrl, type VerifyLink } from './link';

/**
 * The applicant page: reads the session, then walks the applicant through consent, captures and the result.
 * View transitions live in `flowReducer`; this component performs the requests and renders the view.
 */
export function App({ link }: { link: VerifyLink }): JSX.Element {
  const api = useMemo(() => (link.token ? new ApplicantApi(link.token) : null), [link.token]);
  const [state, dispatch] = useReducer(flowReducer, initialFlowState);
  const { session, view, documentType } = state;
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const sessionLocale = session?.locale ?? null;
  const i18n = useMemo(() => translator(chooseLocale(sessionLocale, navigator.languages ?? [])), [sessionLocale]);
  const announceSeq = useRef(0);

  const announce = useCallback((message: string) => {
    // Clearing first makes screen readers repeat an identical message.
    const seq = ++announceSeq.current;
    setAnnouncement('');
    setTimeout(() => seq === announceSeq.current && setAnnouncement(message), 50);
  }, []);
  const context = useMemo<FlowContext>(() => ({ i18n, api, announce }), [i18n, api, announce]);

  useEffect(() => {
    document.documentElement.lang = i18n.locale;
    document.documentElement.dir = i18n.dir;
    document.title = i18n.t('app.title');
  }, [i18n]);

  const fail = useCallback((error: unknown) => dispatch({ type: 'failed', error: pageErrorOf(error) }), []);
  const settled = useCallback((next: Session) => dispatch({ type: 'sessionRead', session: next, entry: 'update' }), []);
  const toHandoff = useCallback(() => dispatch({ type: 'handoffOpened' }), []);

  /** Reads the session afresh (opening the link, or a new attempt) and routes to its view. */
  const readSession = useCallback(
    async (entry: SessionEntry) => {
      if (!api) return dispatch({ type: 'failed', error: 'invalid' });
      dispatch({ type: 'loading' });
      try {
        dispatch({ type: 'sessionRead', session: await api.getSession(), entry });
      } catch (error) {
        fail(error);
      }
    },
    [api, fail],
  );
  const load = useCallback(() => void readSession('open'), [readSession]);
  // A new attempt has a new challenge: re-read the session before capturing again.
  const retry = useCallback(() => void readSession('retry'), [readSession]);

  useEffect(load, [load]);

  /** Runs one request that answers with the session, keeping buttons disabled meanwhile. */
  async function request(send: () => Promise<Session>, done: (next: Session) => FlowAction): Promise<void> {
    setBusy(true);
    try {
      dispatch(done(await send()));
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  function answerConsent(accepted: boolean): void {
    if (!api || !session) return;
    void request(
      () => api.consent(accepted, session.consent.textVersion, i18n.locale),
      (next) =>
        accepted ? { type: 'sessionRead', session: next, entry: 'update' } : { type: 'consentDeclined', session: next },
    );
  }

  function simulate(outcome: SimulatedOutcome): void {
    if (!api) return;
    void request(
      () => api.simulate(outcome),
      (next) => ({ type: 'sessionRead', session: next, entry: 'update' }),
    );
  }

  // The reducer moves to `submitting` once the last capture is in: submit the attempt, once per entry.
  const submitting = view.kind === 'submitting' ? view : null;
  const submitRejected = useLatest((error: unknown) => {
    if (error instanceof ApiError && error.code === 'captures_missing') {
      announce(i18n.t('capture.missing'));
      dispatch({ type: 'capturesMissing' });
    } else fail(error);
  });
  useEffect(() => {
    if (!submitting || !api) return;
    api.submit(submitting.documentType).then(
      (next) => dispatch({ type: 'submitted', session: next }),
      (error: unknown) => submitRejected.current(error),
    );
  }, [submitting, api, submitRejected]);

  const stepLabel = (step: ApplicantStep): string | undefined => {
    const position = stepPosition(session?.steps ?? [], step);
    return position ? i18n.t('app.stepOf', position) : undefined;
  };

  function renderView(): JSX.Element {
    switch (view.kind) {
      case 'loading':
        return (
          <Screen id="loading" title={i18n.t('app.title')}>
            <Status>
              <Spinner /> {i18n.t('common.loading')}
            </Status>
          </Screen>
        );
      case 'error':
        return <ErrorPage error={view.error} onRetry={load} />;
      case 'welcome':
        return <Welcome onStart={() => dispatch({ type: 'consentOpened' })} onHandoff={toHandoff} />;
      case 'consent':
        return (
          <Consent
            textVersion={session?.consent.textVersion ?? ''}
            busy={busy}
            step={stepLabel('consent')}
            onAnswer={answerConsent}
          />
        );
      case 'consentDeclined':
        return <ConsentDeclined />;
      case 'testMode':
        return <TestMode busy={busy} onChoose={simulate} />;
      case 'capture':
        return renderCapture(view.step);
      case 'submitting':
        return (
          <Screen id="submitting" title={i18n.t('liveness.sending')}>
            <Status>
              <Spinner /> {i18n.t('liveness.sending')}
            </Status>
          </Screen>
        );
      case 'processing':
        return <Processing onSettled={settled} onError={fail} />;
      case 'result':
        return session ? <Result session={session} onRetry={retry} /> : <ErrorPage error="generic" />;
      case 'handoff':
        return <Handoff url={handoffUrl(window.location.origin, link)} onSettled={settled} onBack={load} />;
    }
  }

  function renderCapture(step: CaptureStep): JSX.Element {
    if (!session) return <ErrorPage error="generic" />;
    const captured = (): void => dispatch({ type: 'captured', step });
    switch (step) {
      case 'documentType':
        return (
          <DocumentTypeChoice
            types={session.document?.types ?? []}
            step={stepLabel('document')}
            onChoose={(chosen) => dispatch({ type: 'documentTypeChosen', documentType: chosen })}
          />
        );
      case 'document_front':
      case 'document_back':
        return (
          <StillCapture
            key={step}
            kind={step}
            title={documentSideTitle(i18n, step, documentType ?? session.document?.types[0] ?? 'passport')}
            hint={i18n.t('document.hint')}
            step={stepLabel('document')}
            onDone={captured}
            onHandoff={toHandoff}
            preferUpload={state.documentByUpload}
            onPreferUpload={() => dispatch({ type: 'uploadPreferred' })}
          />
        );
      case 'selfie':
        return (
          <StillCapture
            key="selfie"
            kind="selfie"
            title={i18n.t('selfie.title')}
            hint={i18n.t('selfie.hint')}
            step={stepLabel('selfie')}
            onDone={captured}
            onHandoff={toHandoff}
          />
        );
      case 'liveness':
        return (
          <LivenessChallenge
            key={`liveness-${session.attempts.used}`}
            prompts={session.challenge?.prompts ?? []}
            minTurnDegrees={session.challenge?.minTurnDegrees}
            step={stepLabel('liveness')}
            onDone={captured}
            onHandoff={toHandoff}
          />
        );
      case 'face_liveness':
        return (
          <FaceLivenessStep
            key={`face-liveness-${session.attempts.used}`}
            step={stepLabel('liveness')}
            onDone={captured}
            onHandoff={toHandoff}
            onError={fail}
          />
        );
    }
  }

  return (
    <Flow.Provider value={context}>
      <header>
        <div class="topbar">
          <span class="brand">{i18n.t('app.title')}</span>
        </div>
        {session?.mode === 'test' ? (
          <p class="test-banner" data-test-banner="true">
            {i18n.t('app.testBanner')}
          </p>
        ) : null}
      </header>
      <main class="content" id="main">
        {renderView()}
      </main>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-live-region="true">
        {announcement}
      </div>
    </Flow.Provider>
  );
}
