import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import type { Flow, Key, MintedKey, RotatedSecret } from '../api-types';
import { asApiError, ConfirmDialog, Copyable, ErrorNotice, Loaded, PageTitle, useLoad } from '../components/ui';
import { useDashboard } from '../context';

/**
 * KYC keys: mint (bound to a flow, live or test; key and signing secret shown once), revoke (with
 * confirmation), rotate the signing secret (the old one keeps signing for the overlap window).
 */
export function Keys() {
  const { api, i18n } = useDashboard();
  const data = useLoad(async () => {
    const [keys, flows] = await Promise.all([api.get<{ data: Key[] }>('/keys'), api.get<{ data: Flow[] }>('/flows')]);
    return { keys: keys.data, flows: flows.data };
  }, []);
  const [minted, setMinted] = useState<MintedKey | null>(null);
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'revoke' | 'rotate'; key: Key } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const act = async (reload: () => void) => {
    if (!confirm) return;
    const { kind, key } = confirm;
    setConfirm(null);
    setError(null);
    try {
      if (kind === 'revoke') await api.send('DELETE', `/keys/${encodeURIComponent(key.keyId)}`);
      else
        setRotated(
          (await api.send<{ data: RotatedSecret }>('POST', `/keys/${encodeURIComponent(key.keyId)}/rotate-secret`, {}))
            .data,
        );
      reload();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };

  return (
    <section data-screen="keys">
      <PageTitle>{i18n.t('keys.title')}</PageTitle>
      <p class="lead">{i18n.t('keys.intro')}</p>
      {minted ? (
        <SecretPanel
          title={i18n.t('keys.mintedTitle')}
          entries={[
            { label: i18n.t('keys.key'), value: minted.key, id: 'key' },
            { label: i18n.t('keys.secret'), value: minted.secret, id: 'secret' },
          ]}
          onDone={() => setMinted(null)}
        />
      ) : null}
      {rotated ? (
        <SecretPanel
          title={i18n.t('keys.rotatedTitle')}
          entries={[{ label: i18n.t('keys.newSecret'), value: rotated.secret, id: 'secret' }]}
          extra={
            rotated.previousSecretExpiresAt
              ? i18n.t('keys.overlapUntil', { at: i18n.dateTime(rotated.previousSecretExpiresAt) })
              : i18n.t('keys.noOverlap')
          }
          onDone={() => setRotated(null)}
        />
      ) : null}
      <ErrorNotice error={error} />
      <Loaded data={data}>
        {({ keys, flows }, reload) => (
          <>
            {minted ? null : (
              <MintForm
                flows={flows}
                onMinted={(key) => {
                  setMinted(key);
                  reload();
                }}
              />
            )}
            <h2>{i18n.t('keys.listTitle')}</h2>
            {keys.length === 0 ? (
              <p class="empty">{i18n.t('keys.empty')}</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">{i18n.t('keys.listTitle')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{i18n.t('keys.prefix')}</th>
                      <th scope="col">{i18n.t('field.name')}</th>
                      <th scope="col">{i18n.t('field.mode')}</th>
                      <th scope="col">{i18n.t('keys.flow')}</th>
                      <th scope="col">{i18n.t('field.created')}</th>
                      <th scope="col">{i18n.t('keys.lastUsed')}</th>
                      <th scope="col">{i18n.t('field.status')}</th>
                      <th scope="col">{i18n.t('common.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {keys.map((key) => (
                      <tr key={key.keyId} data-key={key.keyId}>
                        <td>
                          <code>{key.prefix}…</code>
                        </td>
                        <td>{key.name ?? '—'}</td>
                        <td>{i18n.dynamic(`mode.${key.mode}`, key.mode)}</td>
                        <td>{flows.find((f) => f.id === key.flowId)?.name ?? key.flowId ?? i18n.t('keys.legacy')}</td>
                        <td>{i18n.dateTime(key.createdAt)}</td>
                        <td>{i18n.dateTime(key.lastUsedAt)}</td>
                        <td>
                          {key.revokedAt
                            ? i18n.t('keys.revokedAt', { at: i18n.dateTime(key.revokedAt) })
                            : key.previousSecretExpiresAt
                              ? i18n.t('keys.rotating', { at: i18n.dateTime(key.previousSecretExpiresAt) })
                              : i18n.t('keys.active')}
                        </td>
                        <td class="row-actions">
                          {key.revokedAt ? null : (
                            <>
                              <button
                                type="button"
                                class="button button-small"
                                data-action="rotate"
                                aria-label={i18n.t('keys.rotateOf', { prefix: key.prefix })}
                                onClick={() => setConfirm({ kind: 'rotate', key })}
                              >
                                {i18n.t('keys.rotate')}
                              </button>
                              <button
                                type="button"
                                class="button button-small button-danger"
                                data-action="revoke"
                                aria-label={i18n.t('keys.revokeOf', { prefix: key.prefix })}
                                onClick={() => setConfirm({ kind: 'revoke', key })}
                              >
                                {i18n.t('keys.revoke')}
                              </button>
                            </>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <ConfirmDialog
              open={confirm !== null}
              title={i18n.t(confirm?.kind === 'rotate' ? 'keys.rotateTitle' : 'keys.revokeTitle', {
                prefix: confirm?.key.prefix ?? '',
              })}
              body={i18n.t(confirm?.kind === 'rotate' ? 'keys.rotateBody' : 'keys.revokeBody')}
              confirmLabel={i18n.t(confirm?.kind === 'rotate' ? 'keys.rotate' : 'keys.revoke')}
              danger={confirm?.kind === 'revoke'}
              onConfirm={() => void act(reload)}
              onCancel={() => setConfirm(null)}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

function MintForm(props: { flows: Flow[]; onMinted(key: MintedKey): void }) {
  const { api, i18n } = useDashboard();
  const defaultFlow = props.flows.find((f) => f.isDefault) ?? props.flows[0];
  const [mode, setMode] = useState<'test' | 'live'>('test');
  const [flowId, setFlowId] = useState(defaultFlow?.id ?? '');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { mode, flowId, ...(name.trim() ? { name: name.trim() } : {}) };
      props.onMinted((await api.send<{ data: MintedKey }>('POST', '/keys', body)).data);
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={(event) => void submit(event)} aria-labelledby="mint-title">
      <h2 id="mint-title">{i18n.t('keys.mintTitle')}</h2>
      <div class="form-row">
        <label class="field">
          <span>{i18n.t('field.name')}</span>
          <input
            name="name"
            value={name}
            maxLength={100}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>{i18n.t('keys.flow')}</span>
          <select
            name="flowId"
            value={flowId}
            required
            onChange={(e) => setFlowId((e.currentTarget as HTMLSelectElement).value)}
          >
            {props.flows.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.isDefault ? i18n.t('flows.defaultName', { name: flow.name }) : flow.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="inline">
          <legend>{i18n.t('field.mode')}</legend>
          {(['test', 'live'] as const).map((m) => (
            <label key={m} class="choice">
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
              <span>{i18n.dynamic(`mode.${m}`, m)}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorNotice error={error} />
      <button type="submit" class="button button-primary" data-action="mint" disabled={busy || !flowId}>
        {i18n.t('keys.mint')}
      </button>
    </form>
  );
}

/** Shows secrets exactly once, with copy buttons and a warning; "Done" forgets them. */
function SecretPanel(props: {
  title: string;
  entries: Array<{ label: string; value: string; id: string }>;
  extra?: string;
  onDone(): void;
}) {
  const { i18n } = useDashboard();
  return (
    <section class="card secret-panel" aria-labelledby="secret-title" data-secret-panel>
      <h2 id="secret-title">{props.title}</h2>
      <p class="notice notice-warning" role="alert">
        {i18n.t('keys.onceWarning')}
      </p>
      <dl class="facts">
        {props.entries.map((entry) => (
          <div key={entry.id}>
            <dt>{entry.label}</dt>
            <dd>
              <Copyable
                value={entry.value}
                label={i18n.t('common.copyLabel', { what: entry.label })}
                testId={entry.id}
              />
            </dd>
          </div>
        ))}
      </dl>
      {props.extra ? <p>{props.extra}</p> : null}
      <button type="button" class="button button-primary" data-action="secret-done" onClick={props.onDone}>
        {i18n.t('keys.stored')}
      </button>
    </section>
  );
}
