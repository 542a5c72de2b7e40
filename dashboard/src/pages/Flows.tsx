import type { Flow } from '../api-types';
import { Copyable, Link, Loaded, PageTitle, useLoad } from '../components/ui';
import { useDashboard } from '../context';

/** Flows: which checks each runs; the default one is marked; ids to copy into integrations. */
export function Flows() {
  const { api, i18n } = useDashboard();
  const flows = useLoad(async () => (await api.get<{ data: Flow[] }>('/flows')).data, []);
  return (
    <section data-screen="flows">
      <PageTitle
        actions={
          <Link to={{ page: 'newFlow' }} class="button button-primary">
            {i18n.t('flows.new')}
          </Link>
        }
      >
        {i18n.t('flows.title')}
      </PageTitle>
      <p class="lead">{i18n.t('flows.intro')}</p>
      <Loaded data={flows}>
        {(list) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{i18n.t('flows.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{i18n.t('field.name')}</th>
                  <th scope="col">{i18n.t('flows.id')}</th>
                  <th scope="col">{i18n.t('flows.checks')}</th>
                  <th scope="col">{i18n.t('field.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((flow) => (
                  <tr key={flow.id} data-flow={flow.id}>
                    <td>
                      <Link to={{ page: 'flow', id: flow.id }}>{flow.name}</Link>
                      {flow.isDefault ? <span class="badge badge-default">{i18n.t('flows.default')}</span> : null}
                    </td>
                    <td>
                      <Copyable value={flow.id} label={i18n.t('flows.copyIdOf', { name: flow.name })} />
                    </td>
                    <td>{flow.checks.map((c) => i18n.dynamic(`check.${c}`, c)).join(', ')}</td>
                    <td>{i18n.dateTime(flow.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </section>
  );
}
