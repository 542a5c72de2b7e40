import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  ApplicantApi,
  TERMINAL_STATUSES,
  type DocumentType,
  type Session,
  type SimulatedOutcome,
} from './api';
import { requiredCaptures } from '../../functions/http/applicant-contract';
import { ConsentDeclined, ErrorPage, type PageError } from './components/MessagePage';
import { Consent } from './components/Consent';
import { DocumentTypeChoice } from './components/DocumentTypeChoice';
import { FaceLivenessStep } from './components/FaceLivenessStep';
import { Handoff } from './components/Handoff';
import { LivenessChallenge } from './components/LivenessChallenge';
import { Processing } from './components/Processing';
import { Result, outcomeOf } from './components/Result';
import { StillCapture } from './components/StillCapture';
import { TestMode } from './components/TestMode';
import { Welcome } from './components/Welcome';
import { Screen, Spinner, Status } from './components/ui';
import { Flow, type FlowContext } from './context';
import { chooseLocale, translator, type Locale } from './i18n';
import { handoffUrl, type VerifyLink } from './link';

/** One capture step of the current attempt, in order. */
type CaptureStep = 'documentType' | 'document_front' | 'document_back' | 'selfie' | 'liveness' | 'face_liveness';

type View =
  | { kind: 'loading' }
  | { kind: 'error'; error: PageError }
  | { kind: 'welcome' }
  | { kind: 'consent' }
  | { kind: 'consentDeclined' }
  | { kind: 'testMode' }
  | { kind: 'capture'; step: CaptureStep }
  | { kind: 'submitting'; message?: string }
  | { kind: 'processing' }
  | { kind: 'result' }
  | { kind: 'handoff' };

/** The captures this attempt needs (the server's rule, requiredCaptures), with the document type choice first. */
export function capturePlan(session: Session, documentType: DocumentType | null): CaptureStep[] {
  const doc = session.document;
  const plan: CaptureStep[] = doc && doc.types.length > 1 ? ['documentType'] : [];
  const required = requiredCaptures({
    steps: doc ? session.steps : session.steps.filter((step) => step !== 'document'),
    acceptedDocumentTypes: doc?.types ?? [],
    documentType: documentType ?? doc?.types[0] ?? null,
    challenge: session.challenge?.prompts ?? null,
    faceLiveness: session.liveness?.mode === 'face_liveness',
  });
  for (const capture of required) {
    // One liveness step takes every head-turn frame; face_liveness is a Rekognition Face Liveness video.
    if (capture.kind === 'face_liveness_session') plan.push('face_liveness');
    else if (capture.kind === 'liveness_frame') {
      if (capture.index === 0) plan.push('liveness');
    } else plan.push(capture.kind);
  }
  return plan;
}

/** Maps an API failure to the page that explains it. */
export function pageErrorOf(error: unknown): PageError {
  if (error instanceof ApiError) {
    if (error.code === 'session_expired') return 'expired';
    if (error.code === 'invalid_token' || error.status === 401 || error.status === 403) return 'invalid';
    if (error.code === 'session_finished') return 'finished';
    if (error.code === 'network_error') return 'network';
  }
  return 'generic';
}

export function App({ link }: { link: VerifyLink }): JSX.Element {
  const api = useMemo(() => (link.token ? new ApplicantApi(link.token) : null), [link.token]);
  const [session, setSession] = useState<Session | null>(null);
  const [locale, setLocale] = useState<Locale>(() => chooseLocale(null, navigator.languages ?? []));
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [documentType, setDocumentType] = useState<DocumentType | null>(null);
  /** The applicant switched to file upload for one document side: offer it straight away for the other. */
  const [documentByUpload, setDocumentByUpload] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const i18n = useMemo(() => translator(locale), [locale]);
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

  const fail = useCallback((error: unknown) => setView({ kind: 'error', error: pageErrorOf(error) }), []);

  /** Chooses the view for a freshly read session. */
  const route = useCallback(
    (next: Session, opts: { fromStart: boolean }) => {
      setSession(next);
      setLocale(chooseLocale(next.locale, navigator.languages ?? []));
      if (next.status === 'expired') return setView({ kind: 'error', error: 'expired' });
      if (next.status === 'in_progress') return setView({ kind: 'processing' });
      // Opening a link whose verification already ended: say so plainly (the integrator has the outcome).
      if (opts.fromStart && TERMINAL_STATUSES.has(next.status)) return setView({ kind: 'error', error: 'finished' });
      if (next.status === 'declined' && next.reasonCodes.includes('CONSENT_DECLINED'))
        return setView({ kind: 'consentDeclined' });
      if (outcomeOf(next)) return setView({ kind: 'result' });
      if (!next.consent.given) return setView({ kind: opts.fromStart ? 'welcome' : 'consent' });
      if (next.mode === 'test') return setView({ kind: 'testMode' });
      const first = capturePlan(next, documentType)[0];
      return setView(first ? { kind: 'capture', step: first } : { kind: 'submitting' });
    },
    [documentType],
  );

  const load = useCallback(async () => {
    if (!api) return setView({ kind: 'error', error: 'invalid' });
    setView({ kind: 'loading' });
    try {
      route(await api.getSession(), { fromStart: true });
    } catch (error) {
      fail(error);
    }
  }, [api, route, fail]);

  useEffect(() => {
    void load();
  }, []);

  async function answerConsent(accepted: boolean): Promise<void> {
    if (!api || !session) return;
    setBusy(true);
    try {
      const next = await api.consent(accepted, session.consent.textVersion, i18n.locale);
      if (!accepted) {
        setSession(next);
        setView({ kind: 'consentDeclined' });
      } else route(next, { fromStart: false });
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function simulate(outcome: SimulatedOutcome): Promise<void> {
    if (!api) return;
    setBusy(true);
    try {
      route(await api.simulate(outcome), { fromStart: false });
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  function nextCapture(after: CaptureStep, type: DocumentType | null = documentType): void {
    if (!session) return;
    const plan = capturePlan(session, type);
    const next = plan[plan.indexOf(after) + 1];
    if (next) setView({ kind: 'capture', step: next });
    else void submit(type);
  }

  async function submit(type: DocumentType | null): Promise<void> {
    if (!api || !session) return;
    setView({ kind: 'submitting' });
    try {
      const chosen = type ?? session.document?.types[0] ?? null;
      const next = await api.submit(session.steps.includes('document') ? chosen : null);
      setSession(next);
      setView({ kind: 'processing' });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'captures_missing') {
        const first = capturePlan(session, type)[0];
        announce(i18n.t('capture.missing'));
        return setView(first ? { kind: 'capture', step: first } : { kind: 'error', error: 'generic' });
      }
      fail(error);
    }
  }

  async function retry(): Promise<void> {
    // A new attempt has a new challenge: re-read the session before capturing again.
    if (!api) return;
    setView({ kind: 'loading' });
    try {
      const next = await api.getSession();
      setSession(next);
      if (next.status !== 'pending') return route(next, { fromStart: false });
      if (next.mode === 'test') return setView({ kind: 'testMode' });
      const first = capturePlan(next, documentType)[0];
      setView(first ? { kind: 'capture', step: first } : { kind: 'submitting' });
    } catch (error) {
      fail(error);
    }
  }

  const stepLabel = (step: Session['steps'][number]): string | undefined => {
    const steps = session?.steps ?? [];
    const index = steps.indexOf(step);
    return index < 0 ? undefined : i18n.t('app.stepOf', { current: index + 1, total: steps.length });
  };
  const toHandoff = (): void => setView({ kind: 'handoff' });

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
        return <ErrorPage error={view.error} onRetry={() => void load()} />;
      case 'welcome':
        return <Welcome onStart={() => setView({ kind: 'consent' })} onHandoff={toHandoff} />;
      case 'consent':
        return (
          <Consent
            textVersion={session?.consent.textVersion ?? ''}
            busy={busy}
            step={stepLabel('consent')}
            onAnswer={(a) => void answerConsent(a)}
          />
        );
      case 'consentDeclined':
        return <ConsentDeclined />;
      case 'testMode':
        return <TestMode busy={busy} onChoose={(o) => void simulate(o)} />;
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
        return <Processing onSettled={(s) => route(s, { fromStart: false })} onError={fail} />;
      case 'result':
        return session ? <Result session={session} onRetry={() => void retry()} /> : <ErrorPage error="generic" />;
      case 'handoff':
        return (
          <Handoff
            url={handoffUrl(window.location.origin, link)}
            onSettled={(s) => route(s, { fromStart: false })}
            onBack={() => void load()}
          />
        );
    }
  }

  function renderCapture(step: CaptureStep): JSX.Element {
    if (!session) return <ErrorPage error="generic" />;
    const type = documentType ?? session.document?.types[0] ?? 'passport';
    const typeName = i18n.t(`document.type.${type}`);
    switch (step) {
      case 'documentType':
        return (
          <DocumentTypeChoice
            types={session.document?.types ?? []}
            step={stepLabel('document')}
            onChoose={(chosen) => {
              setDocumentType(chosen);
              nextCapture('documentType', chosen);
            }}
          />
        );
      case 'document_front':
      case 'document_back':
        return (
          <StillCapture
            key={step}
            kind={step}
            title={
              step === 'document_front'
                ? type === 'passport'
                  ? i18n.t('document.passportTitle')
                  : i18n.t('document.frontTitle', { documentType: typeName })
                : i18n.t('document.backTitle', { documentType: typeName })
            }
            hint={i18n.t('document.hint')}
            step={stepLabel('document')}
            onDone={() => nextCapture(step)}
            onHandoff={toHandoff}
            preferUpload={documentByUpload}
            onPreferUpload={() => setDocumentByUpload(true)}
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
            onDone={() => nextCapture('selfie')}
            onHandoff={toHandoff}
          />
        );
      case 'liveness':
        return (
          <LivenessChallenge
            key={`liveness-${session.attempts.used}`}
            prompts={session.challenge?.prompts ?? []}
            step={stepLabel('liveness')}
            onDone={() => nextCapture('liveness')}
            onHandoff={toHandoff}
          />
        );
      case 'face_liveness':
        return (
          <FaceLivenessStep
            key={`face-liveness-${session.attempts.used}`}
            step={stepLabel('liveness')}
            onDone={() => nextCapture('face_liveness')}
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
