import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { HeadPrompt } from '../api';
import { useFlow } from '../context';
import { loadFaceDetector } from '../media/face-detector';
import { canvasToJpeg, grabFrame } from '../media/frames';
import { poseMatches, yawProxy } from '../media/pose';
import { CameraProblemScreen } from './CameraProblemScreen';
import { useCamera } from './use-camera';
import { Actions, Button, Screen, Spinner, Status } from './ui';

export interface LivenessProps {
  prompts: HeadPrompt[];
  step?: string | undefined;
  onDone: () => void;
  onHandoff: () => void;
}

type Phase =
  | { kind: 'preparing' }
  | { kind: 'prompting'; index: number; noFace: boolean }
  | { kind: 'sending' }
  | { kind: 'failed'; message: string };

/** Consecutive matching detections before a frame is taken (filters single-frame landmark jitter). */
const MATCHES_NEEDED = 2;
const MIN_FACE_WIDTH_RATIO = 0.2;

/**
 * Head-turn challenge: shows the server's prompts one at a time; a light in-browser detector reads the
 * head pose from each analysed frame and, when it matches the prompt, uploads THAT frame (unmirrored)
 * as `liveness_frame` #index and moves on. The server re-checks every frame and decides.
 */
export function LivenessChallenge({ prompts, step, onDone, onHandoff }: LivenessProps): JSX.Element {
  const { i18n, api, announce } = useFlow();
  const { videoRef, state, retry } = useCamera('user', true);
  const [phase, setPhase] = useState<Phase>({ kind: 'preparing' });
  const [run, setRun] = useState(0);

  useEffect(() => {
    if (state.phase !== 'ready' || !api) return;
    let stopped = false;
    const uploads: Promise<string>[] = [];
    void (async () => {
      setPhase({ kind: 'preparing' });
      let detector;
      try {
        detector = await loadFaceDetector();
      } catch {
        if (!stopped) setPhase({ kind: 'failed', message: i18n.t('liveness.detectorFailed') });
        return;
      }
      for (let index = 0; index < prompts.length && !stopped; index++) {
        const prompt = prompts[index]!;
        setPhase({ kind: 'prompting', index, noFace: false });
        announce(
          `${i18n.t('liveness.progress', { current: index + 1, total: prompts.length })}. ${i18n.t(`liveness.prompt.${prompt}`)}`,
        );
        let matches = 0;
        let lastNoFace = false;
        while (!stopped) {
          const video = videoRef.current;
          if (!video || video.videoWidth === 0) return;
          const frame = grabFrame(video);
          const faces = await detector.detect(frame).catch(() => []);
          if (stopped) return;
          const face =
            faces.length === 1 && faces[0]!.box.width / frame.width >= MIN_FACE_WIDTH_RATIO ? faces[0]! : null;
          const yaw = face ? yawProxy(face.landmarks) : null;
          if (yaw !== null && poseMatches(prompt, yaw)) {
            matches++;
            if (matches >= MATCHES_NEEDED) {
              const blob = await canvasToJpeg(frame);
              uploads.push(api.upload('liveness_frame', index, blob));
              announce(i18n.t('liveness.done'));
              break;
            }
          } else {
            matches = 0;
          }
          const noFace = face === null;
          if (noFace !== lastNoFace) {
            lastNoFace = noFace;
            setPhase({ kind: 'prompting', index, noFace });
          }
          await new Promise((resolve) => setTimeout(resolve, 80));
        }
      }
      if (stopped) return;
      setPhase({ kind: 'sending' });
      announce(i18n.t('liveness.sending'));
      try {
        await Promise.all(uploads);
        if (!stopped) onDone();
      } catch {
        if (!stopped) setPhase({ kind: 'failed', message: i18n.t('uploadError.generic') });
      }
    })();
    return () => {
      stopped = true;
    };
  }, [state.phase, run, prompts]);

  if (state.phase === 'problem') {
    return <CameraProblemScreen problem={state.problem} onRetry={retry} onHandoff={onHandoff} />;
  }

  const current = phase.kind === 'prompting' ? prompts[phase.index] : undefined;
  return (
    <Screen id="liveness" title={i18n.t('liveness.title')} step={step}>
      <p>{i18n.t('liveness.intro')}</p>
      <div class="viewfinder mirrored face">
        <video ref={videoRef} muted playsInline autoPlay aria-label={i18n.t('camera.previewLabel')} />
        <div class={`guide oval ${current ? `prompt-${current}` : ''}`} aria-hidden="true" />
      </div>
      {phase.kind === 'prompting' && current ? (
        <div class="prompt" data-prompt={current} data-prompt-index={phase.index}>
          <p class="prompt-count">{i18n.t('liveness.progress', { current: phase.index + 1, total: prompts.length })}</p>
          <p class="prompt-text">
            <span class={`arrow ${current}`} aria-hidden="true" />
            {i18n.t(`liveness.prompt.${current}`)}
          </p>
          <ol class="prompt-dots" aria-hidden="true">
            {prompts.map((p, i) => (
              <li key={i} class={i < phase.index ? 'done' : i === phase.index ? 'current' : ''} />
            ))}
          </ol>
          {phase.noFace ? <Status tone="error">{i18n.t('liveness.noFace')}</Status> : null}
        </div>
      ) : null}
      {phase.kind === 'preparing' ? (
        <Status>
          <Spinner /> {state.phase === 'starting' ? i18n.t('camera.starting') : i18n.t('liveness.preparing')}
        </Status>
      ) : null}
      {phase.kind === 'sending' ? (
        <Status>
          <Spinner /> {i18n.t('liveness.sending')}
        </Status>
      ) : null}
      {phase.kind === 'failed' ? (
        <>
          <Status tone="error">{phase.message}</Status>
          <Actions>
            <Button onClick={() => setRun((n) => n + 1)} name="liveness-retry">
              {i18n.t('common.tryAgain')}
            </Button>
            <Button kind="secondary" onClick={onHandoff} name="handoff">
              {i18n.t('welcome.otherDevice')}
            </Button>
          </Actions>
        </>
      ) : null}
    </Screen>
  );
}
