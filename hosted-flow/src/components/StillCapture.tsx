import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type CaptureKind } from '../api';
import { useFlow } from '../context';
import type { MessageKey } from '../i18n';
import { loadFaceDetector, type FaceDetector } from '../media/face-detector';
import { canvasToJpeg, fileToCanvas, grabFrame } from '../media/frames';
import { yawProxy } from '../media/pose';
import { assessCanvas, type QualityIssue } from '../media/quality';
import { CameraProblemScreen } from './CameraProblemScreen';
import { useCamera } from './use-camera';
import { Actions, Button, Screen, Spinner, Status } from './ui';

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

type Issue = QualityIssue | 'noFace';

interface Review {
  canvas: HTMLCanvasElement;
  blob: Blob;
  previewUrl: string;
  issues: Issue[];
}

/** Selfie auto-capture: the face must be this wide relative to the frame, and this frontal. */
const MIN_FACE_WIDTH_RATIO = 0.22;
const MAX_FRONTAL_YAW = 0.1;
const STABLE_DETECTIONS = 2;

/**
 * One still photo (document side or selfie): live camera with a framing guide, a file-upload fallback,
 * cheap quality checks, a review step, and server-side rejections shown as actionable messages.
 * The selfie is taken automatically once a single frontal face is held in the oval.
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
  const { i18n, api, announce } = useFlow();
  const isSelfie = kind === 'selfie';
  const [useUpload, setUseUpload] = useState(preferUpload);
  const [review, setReview] = useState<Review | null>(null);
  const [uploading, setUploading] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [guidance, setGuidance] = useState<MessageKey | null>(null);
  const cameraWanted = !useUpload && review === null;
  const { videoRef, state, retry } = useCamera(isSelfie ? 'user' : 'environment', cameraWanted);
  const detectorRef = useRef<FaceDetector | null>(null);

  useEffect(
    () => () => {
      if (review) URL.revokeObjectURL(review.previewUrl);
    },
    [review],
  );

  async function accept(canvas: HTMLCanvasElement): Promise<void> {
    const issues: Issue[] = [...assessCanvas(canvas).issues];
    if (isSelfie) {
      const detector = detectorRef.current ?? (await loadFaceDetector().catch(() => null));
      if (detector && (await detector.detect(canvas)).length === 0) issues.push('noFace');
    }
    const blob = await canvasToJpeg(canvas);
    setServerError(null);
    setReview({ canvas, blob, previewUrl: URL.createObjectURL(blob), issues });
    if (issues.length) announce(issues.map((issue) => issueText(issue, canvas)).join(' '));
  }

  function issueText(issue: Issue, canvas: HTMLCanvasElement): string {
    return issue === 'tooSmall'
      ? i18n.t('quality.tooSmall', { width: canvas.width, height: canvas.height })
      : i18n.t(`quality.${issue}`);
  }

  async function takePhoto(): Promise<void> {
    const video = videoRef.current;
    if (!video || video.videoWidth === 0) return;
    await accept(grabFrame(video));
  }

  // Selfie: watch the video and take the photo automatically once a single frontal face is steady.
  useEffect(() => {
    if (!isSelfie || state.phase !== 'ready' || review !== null) return;
    let stopped = false;
    let stable = 0;
    setGuidance('selfie.status.searching');
    void (async () => {
      const detector = await loadFaceDetector().catch(() => null);
      detectorRef.current = detector;
      while (!stopped && detector) {
        const video = videoRef.current;
        if (!video || video.videoWidth === 0) break;
        const frame = grabFrame(video);
        const faces = await detector.detect(frame).catch(() => []);
        if (stopped) break;
        const face = faces[0];
        let next: MessageKey;
        if (!face) next = 'selfie.status.searching';
        else if (faces.length > 1) next = 'selfie.status.oneFace';
        else if (face.box.width / frame.width < MIN_FACE_WIDTH_RATIO) next = 'selfie.status.closer';
        else if (Math.abs(yawProxy(face.landmarks) ?? 1) > MAX_FRONTAL_YAW) next = 'selfie.status.lookStraight';
        else next = 'selfie.status.hold';
        stable = next === 'selfie.status.hold' ? stable + 1 : 0;
        setGuidance(next);
        if (stable >= STABLE_DETECTIONS) {
          await accept(frame);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    })();
    return () => {
      stopped = true;
    };
  }, [isSelfie, state.phase, review]);

  async function onFile(event: JSX.TargetedEvent<HTMLInputElement>): Promise<void> {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    try {
      await accept(await fileToCanvas(file));
    } catch {
      setServerError(i18n.t('uploadError.image_unreadable'));
    }
  }

  async function send(): Promise<void> {
    if (!review || !api) return;
    setUploading(true);
    setServerError(null);
    announce(i18n.t('capture.uploading'));
    try {
      await api.upload(kind, 0, review.blob);
      onDone();
    } catch (error) {
      setServerError(uploadErrorText(error));
      setUploading(false);
    }
  }

  function uploadErrorText(error: unknown): string {
    if (error instanceof ApiError) {
      if (error.code === 'network_error') return i18n.t('error.network.body');
      const known = i18n.tryKey(`uploadError.${error.code}`, { maxMb: 10 });
      if (known) return known;
    }
    return i18n.t('uploadError.generic');
  }

  function retake(): void {
    setReview(null);
    setServerError(null);
  }

  if (review) {
    const hasIssues = review.issues.length > 0;
    return (
      <Screen id={`${kind}-review`} title={i18n.t('capture.reviewTitle')} step={step}>
        <p>{i18n.t('capture.reviewHint')}</p>
        <img
          class={`review-image ${isSelfie ? 'selfie' : 'document'}`}
          src={review.previewUrl}
          alt={i18n.t('capture.previewAlt')}
        />
        {hasIssues ? (
          <ul class="issues" data-issues={review.issues.join(' ')}>
            {review.issues.map((issue) => (
              <li key={issue}>{issueText(issue, review.canvas)}</li>
            ))}
          </ul>
        ) : null}
        {serverError ? <Status tone="error">{serverError}</Status> : null}
        {uploading ? (
          <Status>
            <Spinner /> {i18n.t('capture.uploading')}
          </Status>
        ) : null}
        <Actions>
          {hasIssues || serverError ? (
            <>
              <Button onClick={retake} disabled={uploading} name="retake">
                {i18n.t('capture.retake')}
              </Button>
              {serverError ? null : (
                <Button kind="secondary" onClick={() => void send()} disabled={uploading} name="use-photo">
                  {i18n.t('capture.useAnyway')}
                </Button>
              )}
            </>
          ) : (
            <>
              <Button onClick={() => void send()} disabled={uploading} name="use-photo">
                {i18n.t('capture.use')}
              </Button>
              <Button kind="secondary" onClick={retake} disabled={uploading} name="retake">
                {i18n.t('capture.retake')}
              </Button>
            </>
          )}
        </Actions>
      </Screen>
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

  const fileInput = (
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
  );

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
      {isSelfie && guidance && state.phase === 'ready' ? <Status>{i18n.t(guidance)}</Status> : null}
      {serverError ? <Status tone="error">{serverError}</Status> : null}
      <Actions>
        {useUpload ? null : (
          <Button onClick={() => void takePhoto()} disabled={state.phase !== 'ready'} name="take-photo">
            {i18n.t('capture.take')}
          </Button>
        )}
        {fileInput}
      </Actions>
    </Screen>
  );
}
