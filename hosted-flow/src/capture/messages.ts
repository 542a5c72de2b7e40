import { ApiError, type DocumentType } from '../api';
import type { Translator } from '../i18n';
import type { QualityIssue } from '../media/quality';

/** A reason to retake a still photo, found on the device before upload. */
export type CaptureIssue = QualityIssue | 'noFace';

/** Largest photo the upload accepts, in MB, for the "too large" message (the server enforces it). */
const MAX_UPLOAD_MB = 10;

/** The sentence for one issue of a photo of `size` pixels. */
export function issueText(i18n: Translator, issue: CaptureIssue, size: { width: number; height: number }): string {
  return issue === 'tooSmall'
    ? i18n.t('quality.tooSmall', { width: size.width, height: size.height })
    : i18n.t(`quality.${issue}`);
}

/** What to tell the applicant when an upload failed: the server's reason where the page knows it. */
export function uploadErrorText(i18n: Translator, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'network_error') return i18n.t('error.network.body');
    const known = i18n.tryKey(`uploadError.${error.code}`, { maxMb: MAX_UPLOAD_MB });
    if (known) return known;
  }
  return i18n.t('uploadError.generic');
}

/** Title of a document side's capture screen ("Photo page of your passport", "Back of your document: …"). */
export function documentSideTitle(
  i18n: Translator,
  side: 'document_front' | 'document_back',
  type: DocumentType,
): string {
  const documentType = i18n.t(`document.type.${type}`);
  if (side === 'document_back') return i18n.t('document.backTitle', { documentType });
  return type === 'passport' ? i18n.t('document.passportTitle') : i18n.t('document.frontTitle', { documentType });
}
