import { useEffect, useRef, useState } from 'preact/hooks';
import type { DashboardConfig } from '../../../functions/http/dashboard-policy';
import { ApiError } from '../api';
import { LocalePicker } from '../components/LocalePicker';
import type { Locale, Translator } from '../i18n';

/**
 * Sign-in. Locally: email and password (the server answers the same for an unknown email and a wrong
 * password, and slows down repeated failures). On AWS: the Cognito hosted login.
 */
export function SignIn(props: {
  i18n: Translator;
  config: DashboardConfig;
  notice: 'expired' | 'signedOut' | null;
  locale: Locale;
  onLocale(locale: Locale): void;
  onPassword(email: string, password: string): Promise<void>;
  onCognito(): Promise<void>;
}) {
  const { i18n } = props;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${i18n.t('signIn.title')} · ${i18n.t('app.product')}`;
  }, [i18n]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onPassword(email.trim(), password);
    } catch (failure) {
      setPassword('');
      if (failure instanceof ApiError && failure.status === 401) setError(i18n.t('signIn.wrong'));
      else if (failure instanceof ApiError && failure.status === 429) setError(i18n.t('signIn.tooMany'));
      else if (failure instanceof ApiError && failure.status === 0) setError(i18n.t('error.network'));
      else setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <div class="sign-in-page">
      <header class="topbar">
        <p class="brand">
          <span>{i18n.t('app.dashboard')}</span> <span aria-hidden="true">→</span> <span>{i18n.t('app.product')}</span>
        </p>
        <div class="topbar-tools">
          <LocalePicker i18n={i18n} locale={props.locale} onLocale={props.onLocale} />
        </div>
      </header>
      <main class="sign-in" data-screen="sign-in">
        <h1 ref={heading}>{i18n.t('signIn.title')}</h1>
        {props.notice ? (
          <p class="notice" role="status">
            {i18n.t(props.notice === 'expired' ? 'signIn.expired' : 'signIn.signedOut')}
          </p>
        ) : null}
        {props.config.signIn === 'cognito' ? (
          <div class="card">
            <p>{i18n.t('signIn.cognitoIntro')}</p>
            <button type="button" class="button button-primary" onClick={() => void props.onCognito()}>
              {i18n.t('signIn.cognito')}
            </button>
          </div>
        ) : (
          <form class="card form" onSubmit={(event) => void submit(event)} noValidate={false}>
            <label class="field">
              <span>{i18n.t('signIn.email')}</span>
              <input
                type="email"
                name="email"
                autoComplete="username"
                required
                value={email}
                onInput={(event) => setEmail((event.currentTarget as HTMLInputElement).value)}
              />
            </label>
            <label class="field">
              <span>{i18n.t('signIn.password')}</span>
              <input
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onInput={(event) => setPassword((event.currentTarget as HTMLInputElement).value)}
              />
            </label>
            {error ? (
              <p class="notice notice-error" role="alert">
                {error}
              </p>
            ) : null}
            <button type="submit" class="button button-primary" data-action="sign-in" disabled={busy}>
              {busy ? i18n.t('signIn.signingIn') : i18n.t('signIn.submit')}
            </button>
          </form>
        )}
      </main>
    </div>
  );
}
