import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DashboardConfig } from '../../functions/http/dashboard-policy';
import { type ApiClient, ApiError, createApiClient, type Credentials } from './api';
import type { OperatorSession } from './api-types';
import { beginSignIn, type CognitoSettings, completeSignIn, logoutUrl } from './cognito';
import { Shell } from './components/Shell';
import { Dashboard, type DashboardContext, useDashboard } from './context';
import { chooseLocale, type Locale, translator } from './i18n';
import { BASE, hrefOf, mayOpen, parseRoute, type Route } from './navigation';
import { Audit } from './pages/Audit';
import { FlowEditor } from './pages/FlowEditor';
import { Flows } from './pages/Flows';
import { Keys } from './pages/Keys';
import { NotFound } from './pages/NotFound';
import { ReviewCase } from './pages/ReviewCase';
import { ReviewQueue } from './pages/ReviewQueue';
import { SignIn } from './pages/SignIn';
import { VerificationDetailPage } from './pages/VerificationDetail';
import { Verifications } from './pages/Verifications';
import { WebhookDetail } from './pages/WebhookDetail';
import { Webhooks } from './pages/Webhooks';

/**
 * The dashboard: reads its sign-in settings, restores the session (local cookie) or finishes a Cognito
 * sign-in, then routes between pages in the browser (`/dashboard/...`, history API).
 */

const LOCALE_KEY = 'kyc-dashboard-locale';

function storage(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch(`${BASE}/config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  return (await response.json()) as DashboardConfig;
}

/** Where the hosted login returns (`?code=&state=`) and where its logout lands: the dashboard's root. */
const redirectUri = () => `${window.location.origin}${BASE}/`;

/** Whether this page load is the hosted login coming back (code or error, with the state). */
function isCognitoReturn(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

type Phase =
  | { name: 'starting' }
  | { name: 'failed'; message: string }
  | { name: 'signedOut'; notice: 'expired' | 'signedOut' | null }
  | { name: 'signedIn'; session: OperatorSession };

export function App() {
  const [locale, setLocale] = useState<Locale>(() =>
    chooseLocale(storage('local')?.getItem(LOCALE_KEY) ?? null, navigator.languages ?? []),
  );
  const i18n = useMemo(() => translator(locale), [locale]);
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.pathname, window.location.search));
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const [phase, setPhase] = useState<Phase>({ name: 'starting' });
  const credentials = useRef<Credentials>({ csrfToken: null, bearerToken: null });
  const returnTo = useRef<string>(window.location.pathname + window.location.search);

  useEffect(() => {
    document.documentElement.lang = i18n.locale;
    document.documentElement.dir = i18n.dir;
  }, [i18n]);

  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname, window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = (target: Route | string, opts: { replace?: boolean } = {}) => {
    const href = typeof target === 'string' ? target : hrefOf(target);
    if (opts.replace) window.history.replaceState(null, '', href);
    else window.history.pushState(null, '', href);
    const url = new URL(href, window.location.origin);
    setRoute(parseRoute(url.pathname, url.search));
    window.scrollTo(0, 0);
  };

  const api: ApiClient = useMemo(
    () =>
      createApiClient({
        credentials: () => credentials.current,
        onUnauthorized: () => {
          credentials.current = { csrfToken: null, bearerToken: null };
          setPhase({ name: 'signedOut', notice: 'expired' });
        },
      }),
    [],
  );

  const signedIn = (session: OperatorSession, bearerToken: string | null) => {
    credentials.current = { csrfToken: session.csrfToken, bearerToken };
    setPhase({ name: 'signedIn', session });
  };

  // Start: sign-in settings, then the existing session (cookie) or the Cognito callback.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once at start.
  useEffect(() => {
    void (async () => {
      let loaded: DashboardConfig;
      try {
        loaded = await loadConfig();
      } catch (error) {
        setPhase({ name: 'failed', message: String(error) });
        return;
      }
      setConfig(loaded);
      try {
        if (loaded.signIn === 'cognito') {
          if (!isCognitoReturn(window.location.search)) return setPhase({ name: 'signedOut', notice: null });
          const session = storage('session');
          if (!session) throw new Error('sessionStorage unavailable');
          const done = await completeSignIn(loaded, redirectUri(), window.location.search, session);
          credentials.current = { csrfToken: null, bearerToken: done.tokens.idToken };
          const operator = (await api.get<{ data: OperatorSession }>('/session')).data;
          signedIn(operator, done.tokens.idToken);
          navigate(done.returnTo || BASE, { replace: true });
          return;
        }
        const operator = (await api.get<{ data: OperatorSession }>('/session')).data;
        signedIn(operator, null);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return setPhase({ name: 'signedOut', notice: null });
        setPhase({ name: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  }, []);

  const changeLocale = (next: Locale) => {
    storage('local')?.setItem(LOCALE_KEY, next);
    setLocale(next);
  };

  const signOut = async () => {
    if (config?.signIn === 'cognito') {
      credentials.current = { csrfToken: null, bearerToken: null };
      window.location.assign(logoutUrl(config as CognitoSettings, redirectUri()));
      return;
    }
    await api.send('DELETE', '/session').catch(() => undefined);
    credentials.current = { csrfToken: null, bearerToken: null };
    setPhase({ name: 'signedOut', notice: 'signedOut' });
    navigate({ page: 'signIn' }, { replace: true });
  };

  if (phase.name === 'starting') {
    return (
      <main class="centered">
        <p role="status">{i18n.t('common.loading')}</p>
      </main>
    );
  }
  if (phase.name === 'failed') {
    return (
      <main class="centered">
        <h1>{i18n.t('app.unavailable')}</h1>
        <p role="alert">{phase.message}</p>
      </main>
    );
  }
  if (phase.name === 'signedOut' || !config) {
    return (
      <SignIn
        i18n={i18n}
        config={config ?? { signIn: 'password' }}
        notice={phase.name === 'signedOut' ? phase.notice : null}
        locale={locale}
        onLocale={changeLocale}
        onPassword={async (email, password) => {
          const session = (await api.send<{ data: OperatorSession }>('POST', '/session', { email, password })).data;
          signedIn(session, null);
          const back = parseRoute(new URL(returnTo.current, window.location.origin).pathname);
          navigate(back.page === 'signIn' ? BASE : returnTo.current, { replace: true });
        }}
        onCognito={async () => {
          const session = storage('session');
          if (!session || config?.signIn !== 'cognito') return;
          const back = isCognitoReturn(window.location.search) ? BASE : returnTo.current;
          window.location.assign(await beginSignIn(config, redirectUri(), back, session));
        }}
      />
    );
  }

  const context: DashboardContext = { api, i18n, session: phase.session, navigate };
  return (
    <Dashboard.Provider value={context}>
      <Shell route={route} locale={locale} onLocale={changeLocale} onSignOut={() => void signOut()}>
        <Page route={route} key={hrefOf(route)} />
      </Shell>
    </Dashboard.Provider>
  );
}

/** The page of a route, remounted on every navigation (fresh state, heading focused). */
function Page(props: { route: Route }) {
  const { route } = props;
  const { session } = useDashboard();
  if (!mayOpen(route.page, session.role)) return <NotFound forbidden />;
  switch (route.page) {
    case 'signIn':
    case 'verifications':
      return <Verifications search={route.page === 'verifications' ? route.search : ''} />;
    case 'verification':
      return <VerificationDetailPage id={route.id} />;
    case 'review':
      return <ReviewQueue />;
    case 'reviewCase':
      return <ReviewCase id={route.id} />;
    case 'keys':
      return <Keys />;
    case 'flows':
      return <Flows />;
    case 'newFlow':
      return <FlowEditor id={null} />;
    case 'flow':
      return <FlowEditor id={route.id} />;
    case 'webhooks':
      return <Webhooks />;
    case 'webhook':
      return <WebhookDetail id={route.id} />;
    case 'audit':
      return <Audit />;
    case 'notFound':
      return <NotFound />;
  }
}
