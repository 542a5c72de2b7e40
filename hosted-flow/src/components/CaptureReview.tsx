import type { JSX } from 'preact';
import { type CaptureIssue, issueText } from '../capture/messages';
import { useFlow } from '../context';
import { Actions, Button, Screen, Spinner, Status } from './ui';

/** A taken (or chosen) photo waiting for the applicant's decision. */
export interface PhotoForReview {
  blob: Blob;
  /** Object URL of `blob` for the preview; revoked by the owner once the review ends. */
  previewUrl: string;
  size: { width: number; height: number };
  issues: CaptureIssue[];
}

export interface CaptureReviewProps {
  /** data-screen is `<kind>-review`. */
  kind: string;
  selfie: boolean;
  step?: string | undefined;
  photo: PhotoForReview;
  uploading: boolean;
  /** Why the server refused the photo; only a retake is offered then. */
  uploadError: string | null;
  onUse: () => void;
  onRetake: () => void;
}

/**
 * The review step: the photo, what looks wrong with it, and the choice to use it or take another. With
 * issues the retake is the primary action and "use anyway" stays possible (the server has the last word).
 */
export function CaptureReview({
  kind,
  selfie,
  step,
  photo,
  uploading,
  uploadError,
  onUse,
  onRetake,
}: CaptureReviewProps): JSX.Element {
  const { i18n } = useFlow();
  const hasIssues = photo.issues.length > 0;
  return (
    <Screen id={`${kind}-review`} title={i18n.t('capture.reviewTitle')} step={step}>
      <p>{i18n.t('capture.reviewHint')}</p>
      <img
        class={`review-image ${selfie ? 'selfie' : 'document'}`}
        src={photo.previewUrl}
        alt={i18n.t('capture.previewAlt')}
      />
      {hasIssues ? (
        <ul class="issues" data-issues={photo.issues.join(' ')}>
          {photo.issues.map((issue) => (
            <li key={issue}>{issueText(i18n, issue, photo.size)}</li>
          ))}
        </ul>
      ) : null}
      {uploadError ? <Status tone="error">{uploadError}</Status> : null}
      {uploading ? (
        <Status>
          <Spinner /> {i18n.t('capture.uploading')}
        </Status>
      ) : null}
      <Actions>
        {hasIssues || uploadError ? (
          <>
            <Button onClick={onRetake} disabled={uploading} name="retake">
              {i18n.t('capture.retake')}
            </Button>
            {uploadError ? null : (
              <Button kind="secondary" onClick={onUse} disabled={uploading} name="use-photo">
                {i18n.t('capture.useAnyway')}
              </Button>
            )}
          </>
        ) : (
          <>
            <Button onClick={onUse} disabled={uploading} name="use-photo">
              {i18n.t('capture.use')}
            </Button>
            <Button kind="secondary" onClick={onRetake} disabled={uploading} name="retake">
              {i18n.t('capture.retake')}
            </Button>
          </>
        )}
      </Actions>
    </Screen>
  );
}
