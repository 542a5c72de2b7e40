import type { JSX } from 'preact';
import { useFlow } from '../context';
import { Actions, Button, Screen } from './ui';

/** First screen: what the applicant needs, start here or move to a phone. */
export function Welcome({ onStart, onHandoff, step }: { onStart: () => void; onHandoff: () => void; step?: string }): JSX.Element {
  const { i18n } = useFlow();
  return (
    <Screen id="welcome" title={i18n.t('welcome.title')} step={step}>
      <p>{i18n.t('welcome.intro')}</p>
      <ul class="checklist">
        <li>{i18n.t('welcome.needDocument')}</li>
        <li>{i18n.t('welcome.needCamera')}</li>
        <li>{i18n.t('welcome.needLight')}</li>
      </ul>
      <Actions>
        <Button onClick={onStart} name="start">
          {i18n.t('welcome.start')}
        </Button>
        <Button kind="secondary" onClick={onHandoff} name="handoff">
          {i18n.t('welcome.otherDevice')}
        </Button>
      </Actions>
    </Screen>
  );
}
