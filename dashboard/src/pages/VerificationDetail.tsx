import type { VerificationDetail } from '../api-types';
import { AttemptTimeline, AuditTrail } from '../components/evidence';
import { Badge, CodeList, Copyable, Link, Loaded, PageTitle, useLoad } from '../components/ui';
import { useDashboard } from '../context';

/** One verification: summary, reason codes, risk flags, attempts with checks and captures, metadata, consent, audit. */
export function VerificationDetailPage(props: { id: string }) {
  const { api, i18n } = useDashboard();
  const detail = useLoad(
    async () => (await api.get<{ data: VerificationDetail }>(`/verifications/${encodeURIComponent(props.id)}`)).data,
    [props.id],
  );
  return (
    <section data-screen="verification">
      <Loaded data={detail}>
        {(v) => (
          <>
            <PageTitle
              actions={
                v.status === 'review' ? (
                  <Link to={{ page: 'reviewCase', id: v.verificationId }} class="button button-primary">
                    {i18n.t('verification.decide')}
                  </Link>
                ) : null
              }
            >
              {i18n.t('verification.title')}
            </PageTitle>
            <Copyable value={v.verificationId} label={i18n.t('verification.copyId')} />
            <Summary v={v} />
            <div class="columns">
              <section aria-labelledby="reasons">
                <h2 id="reasons">{i18n.t('field.reasonCodes')}</h2>
                <CodeList codes={v.reasonCodes} label="field.reasonCodes" testId="reason-codes" />
              </section>
              <section aria-labelledby="risks">
                <h2 id="risks">{i18n.t('field.riskFlags')}</h2>
                <CodeList codes={v.riskFlags} label="field.riskFlags" testId="risk-flags" />
              </section>
            </div>
            <section aria-labelledby="attempts">
              <h2 id="attempts">{i18n.t('verification.attempts')}</h2>
              {v.purgedAt ? (
                <p class="notice">{i18n.t('verification.purged', { at: i18n.dateTime(v.purgedAt) })}</p>
              ) : null}
              <AttemptTimeline attempts={v.timeline} />
            </section>
            <div class="columns">
              <section aria-labelledby="metadata">
                <h2 id="metadata">{i18n.t('verification.metadata')}</h2>
                {Object.keys(v.metadata).length === 0 ? (
                  <p class="muted">{i18n.t('common.none')}</p>
                ) : (
                  <dl class="facts">
                    {Object.entries(v.metadata).map(([name, value]) => (
                      <div key={name}>
                        <dt>{name}</dt>
                        <dd>{String(value)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </section>
              <section aria-labelledby="consent">
                <h2 id="consent">{i18n.t('verification.consent')}</h2>
                {v.consent ? (
                  <dl class="facts">
                    <div>
                      <dt>{i18n.t('consent.accepted')}</dt>
                      <dd>{i18n.t(v.consent.accepted ? 'common.yes' : 'common.no')}</dd>
                    </div>
                    <div>
                      <dt>{i18n.t('consent.at')}</dt>
                      <dd>{i18n.dateTime(v.consent.at)}</dd>
                    </div>
                    <div>
                      <dt>{i18n.t('consent.textVersion')}</dt>
                      <dd>{v.consent.textVersion}</dd>
                    </div>
                    <div>
                      <dt>{i18n.t('consent.locale')}</dt>
                      <dd>{v.consent.locale}</dd>
                    </div>
                    <div>
                      <dt>{i18n.t('consent.ip')}</dt>
                      <dd>{v.consent.ip ?? '—'}</dd>
                    </div>
                    <div>
                      <dt>{i18n.t('consent.userAgent')}</dt>
                      <dd>{v.consent.userAgent ?? '—'}</dd>
                    </div>
                  </dl>
                ) : (
                  <p class="muted">{i18n.t('consent.none')}</p>
                )}
              </section>
            </div>
            <section aria-labelledby="deliveries">
              <h2 id="deliveries">{i18n.t('verification.deliveries')}</h2>
              {v.deliveries.length === 0 ? (
                <p class="muted">{i18n.t('common.none')}</p>
              ) : (
                <ul class="plain">
                  {v.deliveries.map((d) => (
                    <li key={d.id}>
                      <code>{d.event}</code> · <Badge kind={d.status} labelKey={`delivery.${d.status}`} /> ·{' '}
                      {i18n.dateTime(d.createdAt)} · <Link to={{ page: 'webhook', id: d.endpointId }}>{d.id}</Link>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="audit-trail">
              <h2 id="audit-trail">{i18n.t('verification.audit')}</h2>
              <AuditTrail entries={v.audit} caption={i18n.t('verification.audit')} />
            </section>
          </>
        )}
      </Loaded>
    </section>
  );
}

function Summary(props: { v: VerificationDetail }) {
  const { i18n } = useDashboard();
  const { v } = props;
  return (
    <dl class="facts summary" data-summary>
      <div>
        <dt>{i18n.t('field.status')}</dt>
        <dd data-field="status">
          <Badge kind={v.status} />
        </dd>
      </div>
      <div>
        <dt>{i18n.t('field.decision')}</dt>
        <dd>
          <Badge kind={v.decision} />
          {v.declineType ? ` (${i18n.dynamic(`declineType.${v.declineType}`, v.declineType)})` : ''}
        </dd>
      </div>
      <div>
        <dt>{i18n.t('field.mode')}</dt>
        <dd>{i18n.dynamic(`mode.${v.mode}`, v.mode)}</dd>
      </div>
      <div>
        <dt>{i18n.t('field.flowId')}</dt>
        <dd>
          <code>{v.flowId}</code>
        </dd>
      </div>
      <div>
        <dt>{i18n.t('field.email')}</dt>
        <dd>{v.applicantEmail ?? '—'}</dd>
      </div>
      <div>
        <dt>{i18n.t('field.created')}</dt>
        <dd>{i18n.dateTime(v.createdAt)}</dd>
      </div>
      <div>
        <dt>{i18n.t('field.completed')}</dt>
        <dd>{i18n.dateTime(v.completedAt)}</dd>
      </div>
      <div>
        <dt>{i18n.t('field.expires')}</dt>
        <dd>{i18n.dateTime(v.expiresAt)}</dd>
      </div>
      <div>
        <dt>{i18n.t('field.attempts')}</dt>
        <dd>{v.maxAttempts ? `${v.attempts} / ${v.maxAttempts}` : v.attempts}</dd>
      </div>
      {v.review ? (
        <div data-field="review">
          <dt>{i18n.t('verification.reviewed')}</dt>
          <dd>
            <Badge kind={v.review.decision} /> · {i18n.dateTime(v.review.decidedAt)} · {v.review.note}
          </dd>
        </div>
      ) : null}
      {v.purgeAfter && !v.purgedAt ? (
        <div>
          <dt>{i18n.t('verification.purgeAfter')}</dt>
          <dd>{i18n.dateTime(v.purgeAfter)}</dd>
        </div>
      ) : null}
    </dl>
  );
}
