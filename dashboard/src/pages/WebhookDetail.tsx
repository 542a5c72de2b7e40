import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import type { Delivery, Page, WebhookEndpoint } from '../api-types';
import { asApiError, Badge, ErrorNotice, Link, Loaded, PageTitle, Pager, useLoad } from '../components/ui';
import { useDashboard } from '../context';
import { Health } from './Webhooks';

/** One endpoint: health, a test event, and its delivery log (request body, status, latency, attempts, redeliver). */
export function WebhookDetail(props: { id: string }) {
  const { api, i18n } = useDashboard();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1) ?? null;
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const id = encodeURIComponent(props.id);
  const data = useLoad(async () => {
    const [endpoints, deliveries] = await Promise.all([
      api.get<{ data: WebhookEndpoint[] }>('/webhooks'),
      api.get<Page<Delivery>>(`/webhooks/${id}/deliveries`, { cursor }),
    ]);
    return { endpoint: endpoints.data.find((e) => e.id === props.id) ?? null, deliveries };
  }, [props.id, cursor]);

  const run = async (action: () => Promise<unknown>, done: string, reload: () => void) => {
    setMessage(null);
    setError(null);
    try {
      await action();
      setMessage(done);
      reload();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };

  return (
    <section data-screen="webhook">
      <Loaded data={data}>
        {({ endpoint, deliveries }, reload) => (
          <>
            <PageTitle
              actions={
                <button
                  type="button"
                  class="button"
                  data-action="test-event"
                  onClick={() =>
                    void run(() => api.send('POST', `/webhooks/${id}/test`, {}), i18n.t('webhooks.testSent'), reload)
                  }
                >
                  {i18n.t('webhooks.sendTest')}
                </button>
              }
            >
              {i18n.t('webhooks.detailTitle')}
            </PageTitle>
            <p>
              <Link to={{ page: 'webhooks' }}>{i18n.t('webhooks.back')}</Link>
            </p>
            {endpoint ? (
              <dl class="facts">
                <div>
                  <dt>{i18n.t('webhooks.url')}</dt>
                  <dd>
                    <code>{endpoint.url}</code>
                  </dd>
                </div>
                <div>
                  <dt>{i18n.t('field.mode')}</dt>
                  <dd>{i18n.dynamic(`mode.${endpoint.mode}`, endpoint.mode)}</dd>
                </div>
                <div>
                  <dt>{i18n.t('webhooks.events')}</dt>
                  <dd>{endpoint.events.join(', ')}</dd>
                </div>
                <div>
                  <dt>{i18n.t('webhooks.health')}</dt>
                  <dd>
                    <Health endpoint={endpoint} />
                  </dd>
                </div>
              </dl>
            ) : null}
            <div aria-live="polite">{message ? <p class="notice notice-ok">{message}</p> : null}</div>
            <ErrorNotice error={error} />
            <h2>{i18n.t('webhooks.log')}</h2>
            {deliveries.data.length === 0 ? (
              <p class="empty">{i18n.t('webhooks.noDeliveries')}</p>
            ) : (
              <ol class="deliveries">
                {deliveries.data.map((d) => (
                  <li key={d.id} class="card" data-delivery={d.id} data-event={d.event}>
                    <h3>
                      <code>{d.event}</code> · <Badge kind={d.status} labelKey={`delivery.${d.status}`} />
                    </h3>
                    <dl class="facts">
                      <div>
                        <dt>{i18n.t('webhooks.deliveryId')}</dt>
                        <dd>
                          <code>{d.id}</code>
                        </dd>
                      </div>
                      <div>
                        <dt>{i18n.t('field.created')}</dt>
                        <dd>{i18n.dateTime(d.createdAt)}</dd>
                      </div>
                      <div>
                        <dt>{i18n.t('webhooks.responseStatus')}</dt>
                        <dd>{d.lastStatusCode ?? '—'}</dd>
                      </div>
                      <div>
                        <dt>{i18n.t('webhooks.latency')}</dt>
                        <dd>
                          {d.lastLatencyMs === null ? '—' : i18n.t('webhooks.ms', { ms: Math.round(d.lastLatencyMs) })}
                        </dd>
                      </div>
                      <div>
                        <dt>{i18n.t('field.attempts')}</dt>
                        <dd>{d.attempts.length}</dd>
                      </div>
                      {d.verificationId ? (
                        <div>
                          <dt>{i18n.t('field.id')}</dt>
                          <dd>
                            <Link to={{ page: 'verification', id: d.verificationId }}>{d.verificationId}</Link>
                          </dd>
                        </div>
                      ) : null}
                    </dl>
                    {d.attempts.length > 0 ? (
                      <details>
                        <summary>{i18n.t('webhooks.attemptsOf', { count: d.attempts.length })}</summary>
                        <ol>
                          {d.attempts.map((a) => (
                            <li key={a.at}>
                              {i18n.dateTime(a.at)} · {a.statusCode ?? a.error ?? '—'} ·{' '}
                              {i18n.t('webhooks.ms', { ms: Math.round(a.latencyMs) })}
                            </li>
                          ))}
                        </ol>
                      </details>
                    ) : null}
                    <details>
                      <summary>{i18n.t('webhooks.requestBody')}</summary>
                      <pre>
                        <code>{prettyJson(d.requestBody)}</code>
                      </pre>
                    </details>
                    <button
                      type="button"
                      class="button button-small"
                      data-action="redeliver"
                      aria-label={i18n.t('webhooks.redeliverOf', { id: d.id })}
                      onClick={() =>
                        void run(
                          () =>
                            api.send('POST', `/webhooks/${id}/deliveries/${encodeURIComponent(d.id)}/redeliver`, {}),
                          i18n.t('webhooks.redelivered'),
                          reload,
                        )
                      }
                    >
                      {i18n.t('webhooks.redeliver')}
                    </button>
                  </li>
                ))}
              </ol>
            )}
            <Pager
              nextCursor={deliveries.nextCursor}
              isFirst={cursors.length === 0}
              onNext={() => deliveries.nextCursor && setCursors([...cursors, deliveries.nextCursor])}
              onFirst={() => setCursors([])}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

/** The body as sent, indented for reading when it is JSON. */
export function prettyJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
