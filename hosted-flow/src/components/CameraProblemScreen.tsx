import type { JSX } from 'preact';
import { useFlow } from '../context';
import { type CameraProblem, isRetryableCameraProblem } from '../media/camera';
import { Actions, Button, Screen } from './ui';

export interface CameraProblemProps {
  problem: CameraProblem;
  onRetry: () => void;
  onHandoff: () => void;
  /** Offered only where a still photo is acceptable (document, selfie). */
  onUpload?: (() => void) | undefined;
}

/** One clear screen per camera failure, each with a way forward. */
export function CameraProblemScreen({ problem, onRetry, onHandoff, onUpload }: CameraProblemProps): JSX.Element {
  const { i18n } = useFlow();
  const canRetry = isRetryableCameraProblem(problem);
  return (
    <Screen id={`camera-${problem}`} title={i18n.t(`camera.${problem}.title`)}>
      <p>{i18n.t(`camera.${problem}.body`)}</p>
      <Actions>
        {canRetry ? (
          <Button onClick={onRetry} name="camera-retry">
            {i18n.t('common.tryAgain')}
          </Button>
        ) : null}
        <Button kind={canRetry ? 'secondary' : 'primary'} onClick={onHandoff} name="handoff">
          {i18n.t('welcome.otherDevice')}
        </Button>
        {onUpload ? (
          <Button kind="secondary" onClick={onUpload} name="upload-instead">
            {i18n.t('camera.uploadInstead')}
          </Button>
        ) : null}
      </Actions>
    </Screen>
  );
}
