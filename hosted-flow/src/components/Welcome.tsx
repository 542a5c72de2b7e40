import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useFlow } from '../context';
import { lacksCamera } from '../media/camera';
import { Actions, Button, Screen, Status } from './ui';

/** First screen: what the applicant needs; start here, or move to a phone (suggested when there is no camera). */
export function Welcome({ onStart, onHandoff }: { onStart: () => void; onHandoff: () => void }): JSX.Element {
  const { i18n } = useFlow();
  const [noCamera, setNoCamera] = useState(false);
  useEffect(() => {
    void lacksCamera().then(setNoCamera);
  }, []);
  return (
    <Screen id="welcome" title={i18n.t('welcome.title')}>
      <p>{i18n.t('welcome.intro')}</p>
      <ul class="checklist">
        <li>{i18n.t('welcome.needDocument')}</li>
        <li>{i18n.t('welcome.needCamera')}</li>
        <li>{i18n.t('welcome.needLight')}</li>
      </ul>
      {noCamera ? <Status>{i18n.t('welcome.noCamera')}</Status> : null}
      <Actions>
        <Button kind={noCamera ? 'secondary' : 'primary'} onClick={onStart} name="start">
          {i18n.t('welcome.start')}
        </Button>
        <Button kind={noCamera ? 'primary' : 'secondary'} onClick={onHandoff} name="handoff">
          {i18n.t('welcome.otherDevice')}
        </Button>
      </Actions>
    </Screen>
  );
}
