import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CaptureKind } from '../api';
import { type CaptureIssue, issueText } from '../capture/messages';
import { useFlow } from '../context';
import { loadFaceDetector } from '../media/face-detector';
import { canvasToJpeg, fileToCanvas, grabFrame } from '../media/frames';
import { assessCanvas } from '../media/quality';
import { CameraProblemScreen } from './CameraProblemScreen';
import { CaptureReview, type PhotoForReview } from './CaptureReview';
import { Actions, Button, Screen, Status } from './ui';
import { useCamera } from './use-camera';
import { useCaptureUpload } from './use-capture-upload';
import { useSelfieAutoCapture } from './use-selfie-auto-capture';

export interface StillCaptureProps {
  kind: Extract<CaptureKind, 'document_front' | 'document_back' | 'selfie'>;
  title: string;
  hint: string;
  step?: string | undefined;
  /** Called once the server accepted the photo. */
  onDone: () => void;
  onHandoff: () => void;
  /** Start with the file upload instead of the camera (the applicant already chose it for the other side). */
  preferUpload?: boolean;
  /** Told when the applicant switches to file upload. */
  onPreferUpload?: () => void;
}

/**
 * One still photo (document side or selfie): live camera with a framing guide, a file-upload fallback,
 * cheap quality checks, then the review (CaptureReview) and the upload (useCaptureUpload). The selfie is
 * taken automatically once a single frontal face is held in the oval (useSelfieAutoCapture).
 */
export function StillCapture({
  kind,
  title,
  hint,
  step,
  onDone,
  onHandoff,
  preferUpload = false,
  onPreferUpload,
}: StillCaptureProps): JSX.Element {
  const { i18n, announce } = useFlow();
  const isSelfie = kind === 'selfie';
  const [useUpload, setUseUpload] = useState(preferUpload);
  const [photo, setPhoto] = useState<PhotoForReview | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const upload = useCaptureUpload(kind, onDone);
  const reviewing = photo !== null;
  const { videoRef, state, retry } = useCamera(isSelfie ? 'user' : 'environment', !useUpload && !reviewing);
  const guidance = useSelfieAutoCapture(videoRef, isSelfie && state.phase === 'ready' && !reviewing, review);

  useEffect(
    () => () => {
      if (photo) URL.revokeObjectURL(photo.previewUrl);
    },
    [photo],
  );

  /** Checks a taken or chosen photo on the device, then shows it for review. */
  async function review(canvas: HTMLCanvasElement): Promise<void> {
    const issues: CaptureIssue[] = [...assessCanvas(canvas).issues];
    if (isSelfie) {
      const detector = await loadFaceDetector().catch(() => null);
      const faces = detector ? await detector.detect(canvas).catch(() => null) : null;
      if (faces?.length === 0) issues.push('noFace');
    }
    const blob = await canvasToJpeg(canvas);
    const size = { width: canvas.width, height: canvas.height };
    setFileError(null);
    upload.clearError();
    setPhoto({ blob, previewUrl: URL.createObjectURL(blob), size, issues });
    if (issues.length) announce(issues.map((issue) => issueText(i18n, issue, size)).join(' '));
  }

  async function takePhoto(): Promise<void> {
    const video = videoRef.current;
    if (!video || video.videoWidth === 0) return;
    await review(grabFrame(video));
  }

  async function onFile(event: JSX.TargetedEvent<HTMLInputElement>): Promise<void> {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    try {
      await review(await fileToCanvas(file));
    } catch {
      setFileError(i18n.t('uploadError.image_unreadable'));
    }
  }

  if (photo) {
    return (
      <CaptureReview
        kind={kind}
        selfie={isSelfie}
        step={step}
        photo={photo}
        uploading={upload.uploading}
        uploadError={upload.error}
        onUse={() => void upload.send(photo.blob)}
        onRetake={() => {
          setPhoto(null);
          upload.clearError();
        }}
      />
    );
  }

  if (state.phase === 'problem' && !useUpload) {
    return (
      <CameraProblemScreen
        problem={state.problem}
        onRetry={retry}
        onHandoff={onHandoff}
        onUpload={() => {
          setUseUpload(true);
          onPreferUpload?.();
        }}
      />
    );
  }

  return (
    <Screen id={kind} title={title} step={step}>
      <p>{hint}</p>
      {useUpload ? null : (
        <div class={`viewfinder ${isSelfie ? 'mirrored face' : 'document'}`}>
          <video ref={videoRef} muted playsInline autoPlay aria-label={i18n.t('camera.previewLabel')} />
          <div class={isSelfie ? 'guide oval' : 'guide card'} aria-hidden="true" />
        </div>
      )}
      {!useUpload && state.phase === 'starting' ? <Status>{i18n.t('camera.starting')}</Status> : null}
      {isSelfie && guidance && state.phase === 'ready' ? <Status>{i18n.t(`selfie.status.${guidance}`)}</Status> : null}
      {fileError ? <Status tone="error">{fileError}</Status> : null}
      <Actions>
        {useUpload ? null : (
          <Button onClick={() => void takePhoto()} disabled={state.phase !== 'ready'} name="take-photo">
            {i18n.t('capture.take')}
          </Button>
        )}
        <label class="button secondary file-button">
          {i18n.t('capture.upload')}
          <input
            type="file"
            class="visually-hidden"
            accept="image/*"
            capture={isSelfie ? 'user' : 'environment'}
            onChange={(event) => void onFile(event)}
            data-capture-input={kind}
          />
        </label>
      </Actions>
    </Screen>
  );
}
