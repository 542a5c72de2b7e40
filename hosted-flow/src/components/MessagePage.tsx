import type { JSX } from 'preact';
import { useFlow } from '../context';
import { isRetryable, type PageError } from '../flow/page-error';
import type { MessageKey } from '../i18n';
import { Actions, Button, Screen } from './ui';

/** Dead-end pages (expired, invalid or finished link; network trouble) with one clear sentence each. */
export function ErrorPage({ error, onRetry }: { error: PageError; onRetry?: (() => void) | undefined }): JSX.Element {
  const { i18n } = useFlow();
  return (
    <Screen id={`error-${error}`} title={i18n.t(`error.${error}.title` as MessageKey)}>
      <p>{i18n.t(`error.${error}.body` as MessageKey)}</p>
      {isRetryable(error) && onRetry ? (
        <Actions>
          <Button onClick={onRetry} name="error-retry">
            {i18n.t('common.tryAgain')}
          </Button>
        </Actions>
      ) : null}
    </Screen>
  );
}

export function ConsentDeclined(): JSX.Element {
  const { i18n } = useFlow();
  return (
    <Screen id="consent-declined" title={i18n.t('consentDeclined.title')}>
      <p>{i18n.t('consentDeclined.body')}</p>
    </Screen>
  );
}
