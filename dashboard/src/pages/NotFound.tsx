import { Link, PageTitle } from '../components/ui';
import { useDashboard } from '../context';

/** An unknown page, or one the operator's role may not open (the server refuses those calls too). */
export function NotFound(props: { forbidden?: boolean }) {
  const { i18n } = useDashboard();
  return (
    <section data-screen={props.forbidden ? 'forbidden' : 'not-found'}>
      <PageTitle>{i18n.t(props.forbidden ? 'error.forbiddenTitle' : 'error.notFoundTitle')}</PageTitle>
      <p>{i18n.t(props.forbidden ? 'error.forbidden' : 'error.notFound')}</p>
      <p>
        <Link to={{ page: 'verifications', search: '' }}>{i18n.t('nav.verifications')}</Link>
      </p>
    </section>
  );
}
