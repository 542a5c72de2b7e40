import { useEffect, useState } from 'preact/hooks';
import type { Attempt, AuditEntry, Capture, CheckResult, VerificationDetail } from '../api-types';
import { useDashboard } from '../context';
import { Badge, CodeList, Link } from './ui';

/** Pieces that show a verification's evidence: captures, check results and scores, the audit trail. */

/**
 * One capture, fetched with the operator's credentials and shown from a blob: URL (the bytes are never at
 * a guessable or long-lived address). Purged captures say so.
 */
export function CaptureImage(props: { capture: Capture }) {
  const { api, i18n } = useDashboard();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const { href } = props.capture;
  useEffect(() => {
    if (!href) return;
    let objectUrl: string | null = null;
    let live = true;
    api.blob(href).then(
      (blob) => {
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, href]);
  const label = captureLabel(i18n.dynamic(`capture.${props.capture.kind}`, props.capture.kind), props.capture);
  return (
    <figure class="capture" data-capture={props.capture.kind}>
      {!href ? (
        <p class="capture-missing">{i18n.t('evidence.purged')}</p>
      ) : failed ? (
        <p class="capture-missing" role="alert">
          {i18n.t('evidence.loadFailed')}
        </p>
      ) : url ? (
        <img src={url} alt={label} />
      ) : (
        <p class="capture-missing">{i18n.t('common.loading')}</p>
      )}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

function captureLabel(kind: string, capture: Capture): string {
  return capture.kind === 'liveness_frame' ? `${kind} ${capture.index + 1}` : kind;
}

/** Captures of one attempt grouped as the reviewer compares them: document, portrait, selfie, liveness frames. */
const CAPTURE_ORDER: Capture['kind'][] = [
  'document_front',
  'document_back',
  'document_portrait',
  'selfie',
  'liveness_frame',
];

export function sortCaptures(captures: readonly Capture[]): Capture[] {
  return [...captures].sort(
    (a, b) => CAPTURE_ORDER.indexOf(a.kind) - CAPTURE_ORDER.indexOf(b.kind) || a.index - b.index,
  );
}

export function CaptureGallery(props: { captures: readonly Capture[] }) {
  const { i18n } = useDashboard();
  if (props.captures.length === 0) return <p class="muted">{i18n.t('evidence.noCaptures')}</p>;
  return (
    <div class="gallery">
      {sortCaptures(props.captures).map((capture) => (
        <CaptureImage key={capture.id} capture={capture} />
      ))}
    </div>
  );
}

/** Each check's outcome, scores, codes and provider. */
export function ChecksTable(props: { checks: readonly CheckResult[]; caption: string }) {
  const { i18n } = useDashboard();
  if (props.checks.length === 0) return <p class="muted">{i18n.t('evidence.noChecks')}</p>;
  return (
    <div class="table-wrap">
      <table class="checks">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{i18n.t('evidence.check')}</th>
            <th scope="col">{i18n.t('evidence.outcome')}</th>
            <th scope="col">{i18n.t('evidence.scores')}</th>
            <th scope="col">{i18n.t('field.reasonCodes')}</th>
            <th scope="col">{i18n.t('evidence.provider')}</th>
          </tr>
        </thead>
        <tbody>
          {props.checks.map((check) => (
            <tr key={check.check} data-check={check.check}>
              <th scope="row">{i18n.dynamic(`check.${check.check}`, check.check)}</th>
              <td>
                <Badge kind={check.outcome} labelKey={`outcome.${check.outcome}`} />
                {check.error ? <p class="notice-error">{check.error}</p> : null}
              </td>
              <td>
                {Object.keys(check.scores).length === 0 ? (
                  '—'
                ) : (
                  <dl class="scores">
                    {Object.entries(check.scores).map(([name, value]) => (
                      <div key={name}>
                        <dt>{name}</dt>
                        <dd>{i18n.number(value)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </td>
              <td>{check.reasonCodes.length ? check.reasonCodes.join(', ') : '—'}</td>
              <td>{check.provider}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The attempts, oldest first: when, what was decided, the checks and the captures. */
export function AttemptTimeline(props: { attempts: readonly Attempt[]; showCaptures?: boolean }) {
  const { i18n } = useDashboard();
  if (props.attempts.length === 0) return <p class="muted">{i18n.t('evidence.noAttempts')}</p>;
  return (
    <ol class="timeline">
      {props.attempts.map((attempt) => (
        <li key={attempt.number} data-attempt={attempt.number}>
          <h3>{i18n.t('evidence.attempt', { number: attempt.number })}</h3>
          <dl class="facts">
            <div>
              <dt>{i18n.t('evidence.submitted')}</dt>
              <dd>{i18n.dateTime(attempt.submittedAt)}</dd>
            </div>
            <div>
              <dt>{i18n.t('field.completed')}</dt>
              <dd>{i18n.dateTime(attempt.completedAt)}</dd>
            </div>
            <div>
              <dt>{i18n.t('field.decision')}</dt>
              <dd>
                <Badge kind={attempt.decision} />
                {attempt.declineType
                  ? ` (${i18n.dynamic(`declineType.${attempt.declineType}`, attempt.declineType)})`
                  : ''}
              </dd>
            </div>
          </dl>
          <ChecksTable checks={attempt.checks} caption={i18n.t('evidence.checksOf', { number: attempt.number })} />
          <h4>{i18n.t('field.reasonCodes')}</h4>
          <CodeList codes={attempt.reasonCodes} label="field.reasonCodes" />
          {props.showCaptures === false ? null : (
            <>
              <h4>{i18n.t('evidence.captures')}</h4>
              <CaptureGallery captures={attempt.captures} />
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Who did what, oldest first. */
/**
 * An audit trail as a table. `withVerification` adds the verification each entry belongs to (the organisation's
 * log mixes all of them; a verification's own trail does not need it).
 */
export function AuditTrail(props: { entries: readonly AuditEntry[]; caption: string; withVerification?: boolean }) {
  const { i18n } = useDashboard();
  if (props.entries.length === 0) return <p class="muted">{i18n.t('audit.empty')}</p>;
  return (
    <div class="table-wrap">
      <table class="audit">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{i18n.t('audit.when')}</th>
            <th scope="col">{i18n.t('audit.actor')}</th>
            <th scope="col">{i18n.t('audit.action')}</th>
            {props.withVerification && <th scope="col">{i18n.t('audit.verification')}</th>}
            <th scope="col">{i18n.t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry) => (
            <tr key={entry.id} data-audit={entry.type}>
              <td>{i18n.dateTime(entry.at)}</td>
              <td>{entry.actor}</td>
              <td>
                <code>{entry.type}</code>
              </td>
              {props.withVerification && (
                <td>
                  {entry.verificationId ? (
                    <Link to={{ page: 'verification', id: entry.verificationId }}>
                      <code>{entry.verificationId}</code>
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
              )}
              <td>
                <AuditData data={entry.data} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AuditData(props: { data: Record<string, unknown> }) {
  const entries = Object.entries(props.data);
  if (entries.length === 0) return <>—</>;
  return (
    <dl class="audit-data">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The latest attempt (the one a reviewer decides on), or null before any submission. */
export function latestAttempt(detail: Pick<VerificationDetail, 'timeline'>): Attempt | null {
  return detail.timeline.reduce<Attempt | null>((last, a) => (!last || a.number > last.number ? a : last), null);
}
