import { useState } from 'preact/hooks';
import type { AuditEntry, Page } from '../api-types';
import { AuditTrail } from '../components/evidence';
import { Loaded, PageTitle, Pager, useLoad } from '../components/ui';
import { useDashboard } from '../context';

/** The organisation's audit log, newest first, paged by cursor. */
export function Audit() {
  const { api, i18n } = useDashboard();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1) ?? null;
  const log = useLoad(() => api.get<Page<AuditEntry>>('/audit', { cursor }), [cursor]);
  return (
    <section data-screen="audit">
      <PageTitle>{i18n.t('audit.title')}</PageTitle>
      <Loaded data={log}>
        {(page) => (
          <>
            <AuditTrail entries={page.data} caption={i18n.t('audit.title')} withVerification />
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
