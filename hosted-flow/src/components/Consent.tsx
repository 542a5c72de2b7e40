import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useFlow } from '../context';
import { Actions, Button, Screen, Status } from './ui';

export interface ConsentProps {
  textVersion: string;
  busy: boolean;
  step?: string | undefined;
  onAnswer: (accepted: boolean) => void;
}

/** Explicit consent: an unticked checkbox, agree or decline. Declining ends the verification. */
export function Consent({ textVersion, busy, step, onAnswer }: ConsentProps): JSX.Element {
  const { i18n } = useFlow();
  const [checked, setChecked] = useState(false);
  const [nudge, setNudge] = useState(false);
  return (
    <Screen id="consent" title={i18n.t('consent.title')} step={step}>
      <p>{i18n.t('consent.body')}</p>
      <p class="muted">{i18n.t('consent.version', { version: textVersion })}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!checked) return setNudge(true);
          onAnswer(true);
        }}
      >
        <div class="checkbox">
          <input
            id="consent-check"
            type="checkbox"
            checked={checked}
            aria-describedby={nudge ? 'consent-nudge' : undefined}
            onChange={(event) => {
              setChecked(event.currentTarget.checked);
              setNudge(false);
            }}
          />
          <label for="consent-check">{i18n.t('consent.checkbox')}</label>
        </div>
        {nudge ? (
          <div id="consent-nudge">
            <Status tone="error">{i18n.t('consent.mustCheck')}</Status>
          </div>
        ) : null}
        <Actions>
          <Button type="submit" disabled={busy} name="consent-accept">
            {i18n.t('consent.accept')}
          </Button>
          <Button kind="secondary" disabled={busy} onClick={() => onAnswer(false)} name="consent-decline">
            {i18n.t('consent.decline')}
          </Button>
        </Actions>
      </form>
    </Screen>
  );
}
