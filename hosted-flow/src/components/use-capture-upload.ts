import { useCallback, useState } from 'preact/hooks';
import type { CaptureKind } from '../api';
import { uploadErrorText } from '../capture/messages';
import { useFlow } from '../context';

/**
 * Sends one reviewed photo: requests the upload slot, uploads, confirms (ApplicantApi.upload), and turns a
 * refusal into a sentence the applicant can act on. `onUploaded` runs once the server has the photo.
 */
export function useCaptureUpload(kind: CaptureKind, onUploaded: () => void) {
  const { i18n, api, announce } = useFlow();
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send(photo: Blob): Promise<void> {
    if (!api) return;
    setUploading(true);
    setError(null);
    announce(i18n.t('capture.uploading'));
    try {
      await api.upload(kind, 0, photo);
      onUploaded();
    } catch (failure) {
      setError(uploadErrorText(i18n, failure));
      setUploading(false);
    }
  }

  const clearError = useCallback(() => setError(null), []);
  return { uploading, error, send, clearError };
}
