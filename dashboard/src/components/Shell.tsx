import type { ComponentChildren } from 'preact';
import { useDashboard } from '../context';
import type { Locale } from '../i18n';
import { mayOpen, NAV_PAGES, navOf, type Route } from '../navigation';
import { LocalePicker } from './LocalePicker';
import { Link } from './ui';

/** The frame of every signed-in page: skip link, product header, navigation by role, language, sign out. */
export function Shell(props: {
  route: Route;
  locale: Locale;
  onLocale(locale: Locale): void;
  onSignOut(): void;
  children: ComponentChildren;
}) {
  const { i18n, session } = useDashboard();
  const current = navOf(props.route);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {i18n.t('app.skipToContent')}
      </a>
      <header class="topbar">
        <p class="brand">
          <span>{i18n.t('app.dashboard')}</span> <span aria-hidden="true">→</span> <span>{i18n.t('app.product')}</span>
        </p>
        <div class="topbar-tools">
          <LocalePicker i18n={i18n} locale={props.locale} onLocale={props.onLocale} />
          <p class="operator" data-operator={session.email}>
            {session.email} · {i18n.t(session.role === 'admin' ? 'role.admin' : 'role.reviewer')}
          </p>
          <button type="button" class="button" data-action="sign-out" onClick={props.onSignOut}>
            {i18n.t('app.signOut')}
          </button>
        </div>
      </header>
      <nav class="nav" aria-label={i18n.t('app.navigation')}>
        <ul>
          {NAV_PAGES.filter((page) => mayOpen(page, session.role)).map((page) => (
            <li key={page}>
              <Link
                to={page === 'verifications' ? { page, search: '' } : { page }}
                current={current === page}
                class="nav-link"
              >
                {i18n.t(`nav.${page}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
