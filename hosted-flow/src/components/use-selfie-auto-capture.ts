import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { judgeSelfieFrame, type SelfieGuidance } from '../capture/selfie-auto-capture';
import { loadFaceDetector } from '../media/face-detector';
import { grabFrame } from '../media/frames';
import { sleep } from '../sleep';
import { useLatest } from './use-latest';

/** Pause between two analysed frames: guidance stays responsive without keeping a phone's CPU busy. */
const ANALYSIS_INTERVAL_MS = 120;

/**
 * The selfie's capture loop: while `enabled`, analyses the live video and hands the first frame with a
 * steady, single, frontal face to `onCapture`. Returns the guidance to show meanwhile.
 */
export function useSelfieAutoCapture(
  videoRef: RefObject<HTMLVideoElement>,
  enabled: boolean,
  onCapture: (frame: HTMLCanvasElement) => Promise<void>,
): SelfieGuidance | null {
  const [guidance, setGuidance] = useState<SelfieGuidance | null>(null);
  const capture = useLatest(onCapture);

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    setGuidance('searching');
    void (async () => {
      const detector = await loadFaceDetector().catch(() => null);
      let stable = 0;
      while (!stopped && detector) {
        const video = videoRef.current;
        if (!video || video.videoWidth === 0) break;
        const frame = grabFrame(video);
        const faces = await detector.detect(frame).catch(() => []);
        if (stopped) break;
        const verdict = judgeSelfieFrame(stable, faces, frame);
        stable = verdict.stable;
        setGuidance(verdict.guidance);
        if (verdict.take) return capture.current(frame);
        await sleep(ANALYSIS_INTERVAL_MS);
      }
    })();
    return () => {
      stopped = true;
    };
  }, [enabled, videoRef, capture]);

  return guidance;
}
