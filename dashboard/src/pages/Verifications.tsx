import { useState } from 'preact/hooks';
import type { Page, VerificationSummary } from '../api-types';
import { Badge, Link, Loaded, PageTitle, Pager, useLoad } from '../components/ui';
import { useDashboard } from '../context';
import {
  apiQueryOfFilters,
  DECISIONS,
  filtersFromSearch,
  MODES,
  rangeIsBackwards,
  STATUSES,
  searchOfFilters,
  type VerificationFilters,
} from '../filters';

/** Verifications, newest first, filtered (status, decision, mode, flow, email, created range) and paged by cursor. */
export function Verifications(props: { search: string }) {
  const { api, i18n, navigate } = useDashboard();
  const applied = filtersFromSearch(props.search);
  const [draft, setDraft] = useState<VerificationFilters>(applied);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1) ?? null;
  const backwards = rangeIsBackwards(applied);
  const list = useLoad(
    () =>
      backwards
        ? Promise.resolve<Page<VerificationSummary>>({ data: [], nextCursor: null })
        : api.get<Page<VerificationSummary>>('/verifications', apiQueryOfFilters(applied, cursor)),
    [props.search, cursor],
  );
  const set = (name: keyof VerificationFilters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });

  const apply = (event: Event) => {
    event.preventDefault();
    navigate({ page: 'verifications', search: searchOfFilters(draft) });
  };

  return (
    <section data-screen="verifications">
      <PageTitle>{i18n.t('verifications.title')}</PageTitle>
      <form class="filters" onSubmit={apply} aria-label={i18n.t('verifications.filters')}>
        <label class="field">
          <span>{i18n.t('field.status')}</span>
          <select name="status" value={draft.status} onChange={set('status')}>
            <option value="">{i18n.t('common.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {i18n.dynamic(`status.${s}`, s)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{i18n.t('field.decision')}</span>
          <select name="decision" value={draft.decision} onChange={set('decision')}>
            <option value="">{i18n.t('common.any')}</option>
            {DECISIONS.map((d) => (
              <option key={d} value={d}>
                {i18n.dynamic(`status.${d}`, d)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{i18n.t('field.mode')}</span>
          <select name="mode" value={draft.mode} onChange={set('mode')}>
            <option value="">{i18n.t('common.any')}</option>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {i18n.dynamic(`mode.${m}`, m)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{i18n.t('field.flowId')}</span>
          <input name="flowId" value={draft.flowId} onInput={set('flowId')} spellcheck={false} />
        </label>
        <label class="field">
          <span>{i18n.t('field.email')}</span>
          <input name="email" type="email" value={draft.email} onInput={set('email')} />
        </label>
        <label class="field">
          <span>{i18n.t('verifications.createdFrom')}</span>
          <input name="from" type="date" value={draft.createdFrom} onInput={set('createdFrom')} />
        </label>
        <label class="field">
          <span>{i18n.t('verifications.createdTo')}</span>
          <input name="to" type="date" value={draft.createdTo} onInput={set('createdTo')} />
        </label>
        <div class="filters-actions">
          <button type="submit" class="button button-primary" data-action="apply-filters">
            {i18n.t('verifications.apply')}
          </button>
          <button
            type="button"
            class="button"
            onClick={() => navigate({ page: 'verifications', search: '' })}
            data-action="clear-filters"
          >
            {i18n.t('verifications.clear')}
          </button>
        </div>
      </form>
      {backwards ? (
        <p class="notice notice-error" role="alert">
          {i18n.t('verifications.backwards')}
        </p>
      ) : null}
      <Loaded data={list}>
        {(page) => (
          <>
            <VerificationTable rows={page.data} caption={i18n.t('verifications.title')} />
            <Pager
              nextCursor={page.nextCursor}
              isFirst={cursors.length === 0}
              onNext={() => page.nextCursor && setCursors([...cursors, page.nextCursor])}
              onFirst={() => setCursors([])}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

/** A table of verifications; each id links to its detail (or to its review case). */
export function VerificationTable(props: { rows: VerificationSummary[]; caption: string; toReview?: boolean }) {
  const { i18n } = useDashboard();
  if (props.rows.length === 0)
    return (
      <p class="empty" role="status">
        {i18n.t('verifications.empty')}
      </p>
    );
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{i18n.t('field.id')}</th>
            <th scope="col">{i18n.t('field.email')}</th>
            <th scope="col">{i18n.t('field.status')}</th>
            <th scope="col">{i18n.t('field.decision')}</th>
            <th scope="col">{i18n.t('field.mode')}</th>
            <th scope="col">{i18n.t('field.flowId')}</th>
            <th scope="col">{i18n.t('field.created')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((v) => (
            <tr key={v.verificationId} data-verification={v.verificationId}>
              <td>
                <Link
                  to={
                    props.toReview
                      ? { page: 'reviewCase', id: v.verificationId }
                      : { page: 'verification', id: v.verificationId }
                  }
                >
                  <code>{v.verificationId}</code>
                </Link>
              </td>
              <td>{v.applicantEmail ?? '—'}</td>
              <td>
                <Badge kind={v.status} />
              </td>
              <td>
                <Badge kind={v.decision} />
              </td>
              <td>{i18n.dynamic(`mode.${v.mode}`, v.mode)}</td>
              <td>
                <code>{v.flowId}</code>
              </td>
              <td>{i18n.dateTime(v.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
