import { useState } from 'preact/hooks';
import { WEBHOOK_EVENTS } from '../../../functions/domain/model';
import type { ApiError } from '../api';
import type { Key, WebhookEndpoint, WebhookEvent } from '../api-types';
import { asApiError, Badge, ConfirmDialog, ErrorNotice, Link, Loaded, PageTitle, useLoad } from '../components/ui';
import { useDashboard } from '../context';

/** Webhook endpoints with their delivery health; register one (signed with a key's secret); remove one. */
export function Webhooks() {
  const { api, i18n } = useDashboard();
  const data = useLoad(async () => {
    const [endpoints, keys] = await Promise.all([
      api.get<{ data: WebhookEndpoint[] }>('/webhooks'),
      api.get<{ data: Key[] }>('/keys'),
    ]);
    return { endpoints: endpoints.data, keys: keys.data.filter((k) => !k.revokedAt) };
  }, []);
  const [removing, setRemoving] = useState<WebhookEndpoint | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const remove = async (reload: () => void) => {
    if (!removing) return;
    const id = removing.id;
    setRemoving(null);
    try {
      await api.send('DELETE', `/webhooks/${encodeURIComponent(id)}`);
      reload();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };

  return (
    <section data-screen="webhooks">
      <PageTitle>{i18n.t('webhooks.title')}</PageTitle>
      <p class="lead">{i18n.t('webhooks.intro')}</p>
      <ErrorNotice error={error} />
      <Loaded data={data}>
        {({ endpoints, keys }, reload) => (
          <>
            <RegisterForm keys={keys} onRegistered={reload} />
            <h2>{i18n.t('webhooks.listTitle')}</h2>
            {endpoints.length === 0 ? (
              <p class="empty">{i18n.t('webhooks.empty')}</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">{i18n.t('webhooks.listTitle')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{i18n.t('webhooks.url')}</th>
                      <th scope="col">{i18n.t('field.mode')}</th>
                      <th scope="col">{i18n.t('webhooks.events')}</th>
                      <th scope="col">{i18n.t('webhooks.health')}</th>
                      <th scope="col">{i18n.t('common.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {endpoints.map((endpoint) => (
                      <tr key={endpoint.id} data-endpoint={endpoint.id}>
                        <td>
                          <Link to={{ page: 'webhook', id: endpoint.id }}>
                            <code>{endpoint.url}</code>
                          </Link>
                        </td>
                        <td>{i18n.dynamic(`mode.${endpoint.mode}`, endpoint.mode)}</td>
                        <td>{endpoint.events.join(', ')}</td>
                        <td>
                          <Health endpoint={endpoint} />
                        </td>
                        <td class="row-actions">
                          <button
                            type="button"
                            class="button button-small button-danger"
                            aria-label={i18n.t('webhooks.removeOf', { url: endpoint.url })}
                            onClick={() => setRemoving(endpoint)}
                          >
                            {i18n.t('webhooks.remove')}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <ConfirmDialog
              open={removing !== null}
              title={i18n.t('webhooks.removeTitle')}
              body={i18n.t('webhooks.removeBody', { url: removing?.url ?? '' })}
              confirmLabel={i18n.t('webhooks.remove')}
              danger
              onConfirm={() => void remove(reload)}
              onCancel={() => setRemoving(null)}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

/** Health in words: last result, success rate, failures in a row, pending and dead-lettered counts. */
export function Health(props: { endpoint: WebhookEndpoint }) {
  const { i18n } = useDashboard();
  const h = props.endpoint.health;
  if (!h.lastAttemptAt) return <span class="muted">{i18n.t('webhooks.noDeliveries')}</span>;
  return (
    <span class="health">
      <Badge kind={h.lastStatus} labelKey={`delivery.${h.lastStatus}`} />{' '}
      {h.lastStatusCode !== null ? <code>{h.lastStatusCode}</code> : null}{' '}
      {h.successRate !== null ? i18n.t('webhooks.successRate', { rate: Math.round(h.successRate * 100) }) : ''}
      {h.consecutiveFailures > 0 ? ` · ${i18n.t('webhooks.failuresInRow', { count: h.consecutiveFailures })}` : ''}
      {h.deadLettered > 0 ? ` · ${i18n.t('webhooks.deadLettered', { count: h.deadLettered })}` : ''}
    </span>
  );
}

function RegisterForm(props: { keys: Key[]; onRegistered(): void }) {
  const { api, i18n } = useDashboard();
  const [url, setUrl] = useState('');
  const [keyId, setKeyId] = useState(props.keys[0]?.keyId ?? '');
  const [events, setEvents] = useState<WebhookEvent[]>(['verification.completed']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await api.send('POST', '/webhooks', { url: url.trim(), events, keyId });
      setUrl('');
      setDone(true);
      props.onRegistered();
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  if (props.keys.length === 0) return <p class="notice">{i18n.t('webhooks.needKey')}</p>;
  return (
    <form class="card form" onSubmit={(event) => void submit(event)} aria-labelledby="register-title">
      <h2 id="register-title">{i18n.t('webhooks.register')}</h2>
      <label class="field">
        <span>{i18n.t('webhooks.url')}</span>
        <input
          name="url"
          type="url"
          required
          value={url}
          placeholder="https://"
          onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <label class="field">
        <span>{i18n.t('webhooks.signingKey')}</span>
        <select name="keyId" value={keyId} onChange={(e) => setKeyId((e.currentTarget as HTMLSelectElement).value)}>
          {props.keys.map((key) => (
            <option key={key.keyId} value={key.keyId}>
              {`${key.prefix}… · ${i18n.dynamic(`mode.${key.mode}`, key.mode)}${key.name ? ` · ${key.name}` : ''}`}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>{i18n.t('webhooks.events')}</legend>
        {WEBHOOK_EVENTS.map((name) => (
          <label key={name} class="choice">
            <input
              type="checkbox"
              name="events"
              value={name}
              checked={events.includes(name)}
              onChange={(e) =>
                setEvents(
                  (e.currentTarget as HTMLInputElement).checked ? [...events, name] : events.filter((n) => n !== name),
                )
              }
            />
            <code>{name}</code>
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={error} />
      {done ? (
        <p class="notice notice-ok" role="status">
          {i18n.t('webhooks.registered')}
        </p>
      ) : null}
      <button
        type="submit"
        class="button button-primary"
        data-action="register-webhook"
        disabled={busy || events.length === 0 || !keyId}
      >
        {i18n.t('webhooks.registerButton')}
      </button>
    </form>
  );
}
