import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { SimulatedOutcome } from '../api';
import { useFlow } from '../context';
import { Actions, Button, Screen } from './ui';

type Choice = 'approve' | 'declineRetry' | 'declineFinal' | 'review';

const OUTCOMES: Record<Choice, SimulatedOutcome> = {
  approve: { decision: 'approved' },
  declineRetry: { decision: 'declined', declineType: 'retry' },
  declineFinal: { decision: 'declined', declineType: 'final' },
  review: { decision: 'review' },
};

/** Test-mode sessions capture nothing: the applicant (a developer) picks the outcome to simulate. */
export function TestMode({
  busy,
  onChoose,
}: {
  busy: boolean;
  onChoose: (outcome: SimulatedOutcome) => void;
}): JSX.Element {
  const { i18n } = useFlow();
  const [choice, setChoice] = useState<Choice>('approve');
  const labels: Record<Choice, string> = {
    approve: i18n.t('test.approve'),
    declineRetry: i18n.t('test.declineRetry'),
    declineFinal: i18n.t('test.declineFinal'),
    review: i18n.t('test.review'),
  };
  return (
    <Screen id="test-mode" title={i18n.t('test.title')}>
      <p>{i18n.t('test.body')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onChoose(OUTCOMES[choice]);
        }}
      >
        <fieldset class="choices">
          <legend>{i18n.t('test.legend')}</legend>
          {(Object.keys(OUTCOMES) as Choice[]).map((key) => (
            <div class="choice" key={key}>
              <input
                id={`outcome-${key}`}
                type="radio"
                name="outcome"
                value={key}
                checked={choice === key}
                onChange={() => setChoice(key)}
              />
              <label for={`outcome-${key}`}>{labels[key]}</label>
            </div>
          ))}
        </fieldset>
        <Actions>
          <Button type="submit" disabled={busy} name="simulate">
            {i18n.t('common.continue')}
          </Button>
        </Actions>
      </form>
    </Screen>
  );
}
