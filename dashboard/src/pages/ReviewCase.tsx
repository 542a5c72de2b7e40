import { useState } from 'preact/hooks';
import { REASON_CODE_NAMES } from '../../../functions/domain/reason-codes';
import { ApiError } from '../api';
import type { Capture, VerificationDetail } from '../api-types';
import { AuditTrail, CaptureImage, ChecksTable, latestAttempt } from '../components/evidence';
import { asApiError, Badge, CodeList, ErrorNotice, Link, Loaded, PageTitle, useLoad } from '../components/ui';
import { useDashboard } from '../context';
import {
  EMPTY_REVIEW_FORM,
  MAX_NOTE_LENGTH,
  REVIEW_DECISIONS,
  type ReviewForm,
  reviewBodyOf,
  toggleCode,
  validateReviewForm,
} from '../review-form';

/**
 * A review case: the evidence side by side (document portrait, selfie, liveness frames), the checks' scores,
 * reason codes and risk flags, and the decision form. A decision is final; a second one is refused (409).
 */
export function ReviewCase(props: { id: string }) {
  const { api, i18n } = useDashboard();
  const detail = useLoad(
    async () => (await api.get<{ data: VerificationDetail }>(`/verifications/${encodeURIComponent(props.id)}`)).data,
    [props.id],
  );
  return (
    <section data-screen="review-case">
      <Loaded data={detail}>
        {(v, reload) => (
          <>
            <PageTitle>{i18n.t('review.caseTitle')}</PageTitle>
            <p>
              <Link to={{ page: 'verification', id: v.verificationId }}>
                <code>{v.verificationId}</code>
              </Link>{' '}
              · <Badge kind={v.status} /> · {v.applicantEmail ?? '—'} · {i18n.dynamic(`mode.${v.mode}`, v.mode)}
            </p>
            <Evidence v={v} />
            {v.status === 'review' && !v.review ? (
              <DecisionForm v={v} onDecided={reload} />
            ) : (
              <p class="notice" role="status" data-decided>
                {v.review
                  ? i18n.t('review.decidedAs', {
                      decision: i18n.dynamic(`status.${v.review.decision}`, v.review.decision),
                      at: i18n.dateTime(v.review.decidedAt),
                    })
                  : i18n.t('review.notInReview')}
              </p>
            )}
            <section aria-labelledby="case-audit">
              <h2 id="case-audit">{i18n.t('verification.audit')}</h2>
              <AuditTrail entries={v.audit} caption={i18n.t('verification.audit')} />
            </section>
          </>
        )}
      </Loaded>
    </section>
  );
}

function firstOf(captures: readonly Capture[], ...kinds: Capture['kind'][]): Capture | null {
  for (const kind of kinds) {
    const found = captures.find((c) => c.kind === kind);
    if (found) return found;
  }
  return null;
}

function Evidence(props: { v: VerificationDetail }) {
  const { i18n } = useDashboard();
  const attempt = latestAttempt(props.v);
  const captures = attempt?.captures ?? [];
  const portrait = firstOf(captures, 'document_portrait', 'document_front');
  const selfie = firstOf(captures, 'selfie');
  const frames = captures.filter((c) => c.kind === 'liveness_frame').sort((a, b) => a.index - b.index);
  return (
    <section aria-labelledby="evidence" class="evidence">
      <h2 id="evidence">{i18n.t('review.evidence')}</h2>
      <div class="side-by-side">
        <div>
          <h3>{i18n.t('review.document')}</h3>
          {portrait ? <CaptureImage capture={portrait} /> : <p class="muted">{i18n.t('evidence.noCaptures')}</p>}
        </div>
        <div>
          <h3>{i18n.t('review.selfie')}</h3>
          {selfie ? <CaptureImage capture={selfie} /> : <p class="muted">{i18n.t('evidence.noCaptures')}</p>}
        </div>
      </div>
      {frames.length > 0 ? (
        <>
          <h3>{i18n.t('review.frames')}</h3>
          <div class="gallery">
            {frames.map((frame) => (
              <CaptureImage key={frame.id} capture={frame} />
            ))}
          </div>
        </>
      ) : null}
      <div class="columns">
        <div>
          <h3>{i18n.t('field.reasonCodes')}</h3>
          <CodeList codes={props.v.reasonCodes} label="field.reasonCodes" testId="reason-codes" />
        </div>
        <div>
          <h3>{i18n.t('field.riskFlags')}</h3>
          <CodeList codes={props.v.riskFlags} label="field.riskFlags" testId="risk-flags" />
        </div>
      </div>
      {attempt ? (
        <ChecksTable checks={attempt.checks} caption={i18n.t('evidence.checksOf', { number: attempt.number })} />
      ) : null}
    </section>
  );
}

function DecisionForm(props: { v: VerificationDetail; onDecided(): void }) {
  const { api, i18n } = useDashboard();
  const [form, setForm] = useState<ReviewForm>(EMPTY_REVIEW_FORM);
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const errors = validateReviewForm(form);

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = reviewBodyOf(form);
    if (!body) {
      setShowErrors(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.send('POST', `/verifications/${encodeURIComponent(props.v.verificationId)}/review`, body);
      props.onDecided();
    } catch (failure) {
      const apiError = asApiError(failure);
      setError(apiError.status === 409 ? new ApiError(409, apiError.code, i18n.t('review.alreadyDecided')) : apiError);
      setBusy(false);
    }
  };

  const decisionError = showErrors && errors.decision;
  const noteError = showErrors && errors.note;
  return (
    <form class="card form decision" onSubmit={(event) => void submit(event)} aria-labelledby="decide" noValidate>
      <h2 id="decide">{i18n.t('review.decide')}</h2>
      <fieldset aria-describedby={decisionError ? 'decision-error' : undefined}>
        <legend>{i18n.t('field.decision')}</legend>
        {REVIEW_DECISIONS.map((decision) => (
          <label key={decision} class="choice">
            <input
              type="radio"
              name="decision"
              value={decision}
              checked={form.decision === decision}
              onChange={() => setForm({ ...form, decision })}
            />
            <span>{i18n.t(decision === 'approved' ? 'review.approve' : 'review.decline')}</span>
          </label>
        ))}
        {decisionError ? (
          <p id="decision-error" class="field-error">
            {i18n.t('review.decisionRequired')}
          </p>
        ) : null}
      </fieldset>
      {form.decision === 'declined' ? (
        <fieldset>
          <legend>{i18n.t('review.declineType')}</legend>
          {(['final', 'retry'] as const).map((declineType) => (
            <label key={declineType} class="choice">
              <input
                type="radio"
                name="declineType"
                value={declineType}
                checked={form.declineType === declineType}
                onChange={() => setForm({ ...form, declineType })}
              />
              <span>{i18n.dynamic(`declineType.${declineType}`, declineType)}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <details class="codes-picker">
        <summary>{i18n.t('review.reasonCodes', { count: form.reasonCodes.length })}</summary>
        <p class="hint">{i18n.t('review.reasonCodesHint')}</p>
        <fieldset class="code-grid">
          <legend class="visually-hidden">{i18n.t('field.reasonCodes')}</legend>
          {REASON_CODE_NAMES.map((code) => (
            <label key={code} class="choice">
              <input
                type="checkbox"
                name="reasonCodes"
                value={code}
                checked={form.reasonCodes.includes(code)}
                onChange={(event) =>
                  setForm({
                    ...form,
                    reasonCodes: toggleCode(form.reasonCodes, code, (event.currentTarget as HTMLInputElement).checked),
                  })
                }
              />
              <code>{code}</code>
            </label>
          ))}
        </fieldset>
      </details>
      <label class="field">
        <span>{i18n.t('review.note')}</span>
        <textarea
          name="note"
          rows={4}
          maxLength={MAX_NOTE_LENGTH}
          required
          aria-invalid={noteError ? 'true' : undefined}
          aria-describedby={noteError ? 'note-error' : 'note-hint'}
          value={form.note}
          onInput={(event) => setForm({ ...form, note: (event.currentTarget as HTMLTextAreaElement).value })}
        />
      </label>
      {noteError ? (
        <p id="note-error" class="field-error">
          {i18n.t(errors.note === 'tooLong' ? 'review.noteTooLong' : 'review.noteRequired')}
        </p>
      ) : (
        <p id="note-hint" class="hint">
          {i18n.t('review.noteHint')}
        </p>
      )}
      <ErrorNotice error={error} />
      <button type="submit" class="button button-primary" data-action="submit-decision" disabled={busy}>
        {i18n.t('review.submit')}
      </button>
    </form>
  );
}
