import { useState } from 'preact/hooks';
import type { Page, VerificationDetail } from '../api-types';
import { latestAttempt } from '../components/evidence';
import { Link, Loaded, PageTitle, Pager, useLoad } from '../components/ui';
import { useDashboard } from '../context';

/** Verifications waiting for a human, oldest first (the order the server gives). */
export function ReviewQueue() {
  const { api, i18n } = useDashboard();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1) ?? null;
  const queue = useLoad(() => api.get<Page<VerificationDetail>>('/review-queue', { cursor }), [cursor]);
  return (
    <section data-screen="review-queue">
      <PageTitle>{i18n.t('review.title')}</PageTitle>
      <p class="lead">{i18n.t('review.intro')}</p>
      <Loaded data={queue}>
        {(page) =>
          page.data.length === 0 ? (
            <p class="empty" role="status">
              {i18n.t('review.empty')}
            </p>
          ) : (
            <>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">{i18n.t('review.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{i18n.t('field.id')}</th>
                      <th scope="col">{i18n.t('review.waitingSince')}</th>
                      <th scope="col">{i18n.t('field.email')}</th>
                      <th scope="col">{i18n.t('field.mode')}</th>
                      <th scope="col">{i18n.t('field.reasonCodes')}</th>
                      <th scope="col">{i18n.t('field.riskFlags')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((v) => (
                      <tr key={v.verificationId} data-verification={v.verificationId}>
                        <td>
                          <Link to={{ page: 'reviewCase', id: v.verificationId }}>
                            <code>{v.verificationId}</code>
                          </Link>
                        </td>
                        <td>{i18n.dateTime(v.completedAt ?? latestAttempt(v)?.completedAt ?? v.createdAt)}</td>
                        <td>{v.applicantEmail ?? '—'}</td>
                        <td>{i18n.dynamic(`mode.${v.mode}`, v.mode)}</td>
                        <td>{v.reasonCodes.join(', ') || '—'}</td>
                        <td>{v.riskFlags.join(', ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                nextCursor={page.nextCursor}
                isFirst={cursors.length === 0}
                onNext={() => page.nextCursor && setCursors([...cursors, page.nextCursor])}
                onFirst={() => setCursors([])}
              />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
