import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { HeadPrompt } from '../api';
import { useFlow } from '../context';
import { judgeHeadTurnFrame, promptDots } from '../capture/head-turn';
import { type SequenceRecording, startSequenceRecording } from '../capture/sequence-recorder';
import { type FaceDetector, loadFaceDetector } from '../media/face-detector';
import { canvasToJpeg, grabFrame } from '../media/frames';
import { guidanceThresholds } from '../media/pose';
import { sleep } from '../sleep';
import { CameraProblemScreen } from './CameraProblemScreen';
import { useCamera } from './use-camera';
import { useLatest } from './use-latest';
import { Actions, Button, Screen, Spinner, Status } from './ui';

export interface LivenessProps {
  prompts: HeadPrompt[];
  /** The server's turn threshold for this flow, degrees (default 20). */
  minTurnDegrees?: number | undefined;
  step?: string | undefined;
  onDone: () => void;
  onHandoff: () => void;
}

type Phase =
  | { kind: 'preparing' }
  | { kind: 'prompting'; index: number; noFace: boolean }
  | { kind: 'sending' }
  | { kind: 'failed'; message: string };

/** Pause between two analysed frames. */
const ANALYSIS_INTERVAL_MS = 80;

/**
 * Head-turn challenge: shows the server's prompts one at a time; a light in-browser detector (in a Web
 * Worker, so the recording below keeps its pace while it runs) reads the head pose from each analysed frame and, when it matches the prompt, uploads THAT frame (unmirrored,
 * full resolution) as `liveness_frame` #index and moves on. From the first prompt to the last frame the
 * whole challenge is recorded continuously (~5 fps, 320 px) and uploaded as `liveness_sequence`: the server
 * checks that the prompts were met in order through smooth motion, which stills cannot show.
 */
export function LivenessChallenge({ prompts, minTurnDegrees, step, onDone, onHandoff }: LivenessProps): JSX.Element {
  const { i18n, api, announce } = useFlow();
  const { videoRef, state, retry } = useCamera('user', true);
  const [phase, setPhase] = useState<Phase>({ kind: 'preparing' });
  const done = useLatest(onDone);
  // The challenge runs while the camera is ready; a failure stops it until the applicant tries again.
  const running = state.phase === 'ready' && phase.kind !== 'failed';

  useEffect(() => {
    if (!running || !api) return;
    let stopped = false;
    let recording: SequenceRecording | null = null;
    const uploads: Promise<string>[] = [];
    const thresholds = guidanceThresholds(minTurnDegrees);
    void (async () => {
      setPhase({ kind: 'preparing' });
      let detector: FaceDetector;
      try {
        detector = await loadFaceDetector();
      } catch {
        if (!stopped) setPhase({ kind: 'failed', message: i18n.t('liveness.detectorFailed') });
        return;
      }
      for (const [index, prompt] of prompts.entries()) {
        if (stopped) return;
        setPhase({ kind: 'prompting', index, noFace: false });
        announce(
          `${i18n.t('liveness.progress', { current: index + 1, total: prompts.length })}. ${i18n.t(`liveness.prompt.${prompt}`)}`,
        );
        let matches = 0;
        let lastNoFace = false;
        while (!stopped) {
          if (recording?.full) {
            recording.cancel();
            setPhase({ kind: 'failed', message: i18n.t('liveness.tooLong') });
            return;
          }
          const video = videoRef.current;
          if (!video || video.videoWidth === 0) return;
          const frame = grabFrame(video);
          recording?.sample();
          const faces = await detector.detect(frame).catch(() => []);
          recording?.sample();
          if (stopped) return;
          const verdict = judgeHeadTurnFrame(matches, prompt, faces, frame, thresholds);
          // The recording starts with the first frame that shows the applicant's face, and then runs
          // without a break to the last prompt.
          if (!recording && !verdict.noFace) recording = startSequenceRecording(video);
          matches = verdict.matches;
          if (verdict.take) {
            uploads.push(api.upload('liveness_frame', index, await canvasToJpeg(frame)));
            announce(i18n.t('liveness.done'));
            break;
          }
          if (verdict.noFace !== lastNoFace) {
            lastNoFace = verdict.noFace;
            setPhase({ kind: 'prompting', index, noFace: verdict.noFace });
          }
          await sleep(ANALYSIS_INTERVAL_MS);
        }
      }
      if (stopped) return;
      setPhase({ kind: 'sending' });
      announce(i18n.t('liveness.sending'));
      try {
        const sequence = await recording?.stop();
        if (!sequence) throw new Error('recording too short');
        uploads.push(api.upload('liveness_sequence', 0, sequence));
        await Promise.all(uploads);
        if (!stopped) done.current();
      } catch {
        if (!stopped) setPhase({ kind: 'failed', message: i18n.t('uploadError.generic') });
      }
    })();
    return () => {
      stopped = true;
      recording?.cancel();
    };
  }, [running, api, prompts, minTurnDegrees, i18n, announce, videoRef, done]);

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
            {promptDots(prompts, phase.index).map((dot) => (
              <li key={dot.frame} class={dot.state === 'todo' ? '' : dot.state} />
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
            <Button onClick={() => setPhase({ kind: 'preparing' })} name="liveness-retry">
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
