import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { DocumentType } from '../api';
import { useFlow } from '../context';
import { Actions, Button, Screen } from './ui';

/** Document type choice, shown only when the flow accepts more than one type. */
export function DocumentTypeChoice({
  types,
  step,
  onChoose,
}: {
  types: DocumentType[];
  step?: string | undefined;
  onChoose: (type: DocumentType) => void;
}): JSX.Element {
  const { i18n } = useFlow();
  const [choice, setChoice] = useState<DocumentType | undefined>(types[0]);
  return (
    <Screen id="document-type" title={i18n.t('document.chooseTitle')} step={step}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (choice) onChoose(choice);
        }}
      >
        <fieldset class="choices">
          <legend>{i18n.t('document.chooseLegend')}</legend>
          {types.map((type) => (
            <div class="choice" key={type}>
              <input
                id={`doc-${type}`}
                type="radio"
                name="documentType"
                value={type}
                checked={choice === type}
                onChange={() => setChoice(type)}
              />
              <label for={`doc-${type}`}>{i18n.t(`document.type.${type}`)}</label>
            </div>
          ))}
        </fieldset>
        <Actions>
          <Button type="submit" name="document-type-continue">
            {i18n.t('common.continue')}
          </Button>
        </Actions>
      </form>
    </Screen>
  );
}
