import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import type { Flow } from '../api-types';
import { asApiError, Copyable, ErrorNotice, Loaded, PageTitle, useLoad } from '../components/ui';
import { useDashboard } from '../context';
import {
  CHECKS,
  changedSettings,
  DOCUMENT_TYPES,
  type FlowForm,
  type FlowFormErrors,
  formOfFlow,
  previewSteps,
  settingsOfForm,
  THRESHOLD_NAMES,
} from '../flow-form';
import type { MessageKey } from '../i18n';

/** Create or edit a flow, with a live preview of the steps the applicant will go through. */
export function FlowEditor(props: { id: string | null }) {
  const { api } = useDashboard();
  const flow = useLoad(
    async () => (props.id ? (await api.get<{ data: Flow }>(`/flows/${encodeURIComponent(props.id)}`)).data : null),
    [props.id],
  );
  return (
    <section data-screen={props.id ? 'flow' : 'new-flow'}>
      <Loaded data={flow}>{(value, reload) => <Editor flow={value} onSaved={reload} />}</Loaded>
    </section>
  );
}

function Editor(props: { flow: Flow | null; onSaved(): void }) {
  const { api, i18n, navigate } = useDashboard();
  const { flow } = props;
  const [form, setForm] = useState<FlowForm>(() => formOfFlow(flow));
  const [errors, setErrors] = useState<FlowFormErrors>({});
  const [setDefault, setSetDefault] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    setError(null);
    const result = settingsOfForm(form);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      if (!flow) {
        const created = (await api.send<{ data: Flow }>('POST', '/flows', { ...result.settings, setDefault })).data;
        navigate({ page: 'flow', id: created.id }, { replace: true });
        return;
      }
      const changes = changedSettings(flow, result.settings);
      if (Object.keys(changes).length > 0) await api.send('PATCH', `/flows/${encodeURIComponent(flow.id)}`, changes);
      if (setDefault && !flow.isDefault) await api.send('POST', `/flows/${encodeURIComponent(flow.id)}/default`, {});
      setSaved(true);
      props.onSaved();
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };

  const toggle = <T extends string>(list: T[], value: T, on: boolean): T[] =>
    on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
  const text = (name: keyof FlowForm) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value });
  const fieldError = (name: string) =>
    errors[name] ? (
      <p id={`error-${name}`} class="field-error">
        {errors[name]}
      </p>
    ) : null;
  const described = (name: string) =>
    errors[name] ? { 'aria-describedby': `error-${name}`, 'aria-invalid': true } : {};
  const steps = previewSteps(form.checks);

  return (
    <>
      <PageTitle>{flow ? i18n.t('flows.editTitle', { name: flow.name }) : i18n.t('flows.newTitle')}</PageTitle>
      {flow ? (
        <p>
          {i18n.t('flows.id')}: <Copyable value={flow.id} label={i18n.t('flows.copyId')} testId="flow-id" />
          {flow.isDefault ? <span class="badge badge-default">{i18n.t('flows.default')}</span> : null}
        </p>
      ) : null}
      <div class="editor">
        <form
          class="card form"
          onSubmit={(event) => void submit(event)}
          aria-label={i18n.t('flows.settings')}
          noValidate
        >
          <label class="field">
            <span>{i18n.t('field.name')}</span>
            <input
              name="name"
              value={form.name}
              maxLength={100}
              required
              onInput={text('name')}
              {...described('name')}
            />
          </label>
          {fieldError('name')}
          <fieldset {...described('checks')}>
            <legend>{i18n.t('flows.checks')}</legend>
            {CHECKS.map((check) => (
              <label key={check} class="choice">
                <input
                  type="checkbox"
                  name="checks"
                  value={check}
                  checked={form.checks.includes(check)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      checks: toggle(form.checks, check, (e.currentTarget as HTMLInputElement).checked),
                    })
                  }
                />
                <span>{i18n.dynamic(`check.${check}`, check)}</span>
              </label>
            ))}
          </fieldset>
          {fieldError('checks')}
          <fieldset>
            <legend>{i18n.t('flows.documentTypes')}</legend>
            <p class="hint">{i18n.t('flows.documentTypesHint')}</p>
            {DOCUMENT_TYPES.map((type) => (
              <label key={type} class="choice">
                <input
                  type="checkbox"
                  name="documentTypes"
                  value={type}
                  checked={form.documentTypes.includes(type)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      documentTypes: toggle(form.documentTypes, type, (e.currentTarget as HTMLInputElement).checked),
                    })
                  }
                />
                <span>{i18n.dynamic(`documentType.${type}`, type)}</span>
              </label>
            ))}
          </fieldset>
          <label class="field">
            <span>{i18n.t('flows.issuingCountries')}</span>
            <input
              name="issuingCountries"
              value={form.issuingCountries}
              spellcheck={false}
              onInput={text('issuingCountries')}
              aria-describedby="countries-hint"
            />
          </label>
          <p id="countries-hint" class="hint">
            {i18n.t('flows.issuingCountriesHint')}
          </p>
          {Object.keys(errors)
            .filter((k) => k.startsWith('issuingCountries'))
            .slice(0, 1)
            .map((k) => fieldError(k))}
          <div class="form-row">
            {(
              [
                ['minimumAge', 'flows.minimumAge'],
                ['maxAttempts', 'flows.maxAttempts'],
                ['linkLifetimeMinutes', 'flows.linkLifetime'],
                ['retentionDays', 'flows.retentionDays'],
                ['livenessPrompts', 'flows.livenessPrompts'],
              ] as Array<[keyof FlowForm, MessageKey]>
            ).map(([name, label]) => (
              <div key={name}>
                <label class="field">
                  <span>{i18n.t(label)}</span>
                  <input
                    name={name}
                    inputMode="numeric"
                    value={form[name] as string}
                    onInput={text(name)}
                    {...described(name)}
                  />
                </label>
                {fieldError(name)}
              </div>
            ))}
          </div>
          <fieldset>
            <legend>{i18n.t('flows.thresholds')}</legend>
            <div class="form-row">
              {THRESHOLD_NAMES.map((name) => (
                <div key={name}>
                  <label class="field">
                    <span>{i18n.dynamic(`threshold.${name}`, name)}</span>
                    <input
                      name={`thresholds.${name}`}
                      inputMode="decimal"
                      value={form.thresholds[name]}
                      onInput={(e) =>
                        setForm({
                          ...form,
                          thresholds: { ...form.thresholds, [name]: (e.currentTarget as HTMLInputElement).value },
                        })
                      }
                      {...described(`thresholds.${name}`)}
                    />
                  </label>
                  {fieldError(`thresholds.${name}`)}
                </div>
              ))}
            </div>
          </fieldset>
          <label class="choice">
            <input
              type="checkbox"
              name="useFaceLivenessSession"
              checked={form.useFaceLivenessSession}
              onChange={(e) =>
                setForm({ ...form, useFaceLivenessSession: (e.currentTarget as HTMLInputElement).checked })
              }
            />
            <span>{i18n.t('flows.faceLiveness')}</span>
          </label>
          {flow?.isDefault ? null : (
            <label class="choice">
              <input
                type="checkbox"
                name="setDefault"
                checked={setDefault}
                onChange={(e) => setSetDefault((e.currentTarget as HTMLInputElement).checked)}
              />
              <span>{i18n.t('flows.makeDefault')}</span>
            </label>
          )}
          {Object.keys(errors).length > 0 ? (
            <p class="notice notice-error" role="alert">
              {i18n.t('flows.fixErrors')}
            </p>
          ) : null}
          <ErrorNotice error={error} />
          {saved ? (
            <p class="notice notice-ok" role="status">
              {i18n.t('flows.saved')}
            </p>
          ) : null}
          <button type="submit" class="button button-primary" data-action="save-flow" disabled={busy}>
            {flow ? i18n.t('flows.save') : i18n.t('flows.create')}
          </button>
        </form>
        <aside class="card preview" aria-labelledby="preview-title" data-preview>
          <h2 id="preview-title">{i18n.t('flows.preview')}</h2>
          <p class="hint">{i18n.t('flows.previewIntro')}</p>
          <ol class="steps" aria-live="polite">
            {steps.map((step) => (
              <li key={step} data-step={step}>
                <strong>{i18n.dynamic(`step.${step}`, step)}</strong>
                <span>{i18n.dynamic(`step.${step}.hint`, '')}</span>
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </>
  );
}
