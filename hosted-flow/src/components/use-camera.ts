import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { CameraError, type CameraProblem, type Facing, openCamera, stopStream } from '../media/camera';
import { videoReady } from '../media/frames';

export type CameraState =
  | { phase: 'starting' }
  | { phase: 'ready' }
  | { phase: 'problem'; problem: CameraProblem }
  | { phase: 'off' };

/**
 * Opens the camera while `enabled`, attaches it to the returned video ref and stops it on unmount,
 * so the camera light never stays on after a step. After a problem the camera stays closed until `retry()`.
 */
export function useCamera(facing: Facing, enabled: boolean) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CameraState>({ phase: enabled ? 'starting' : 'off' });
  const failed = state.phase === 'problem';

  useEffect(() => {
    if (!enabled) {
      setState({ phase: 'off' });
      return;
    }
    if (failed) return;
    let stream: MediaStream | null = null;
    let cancelled = false;
    setState({ phase: 'starting' });
    openCamera(facing)
      .then(async (opened) => {
        if (cancelled) return stopStream(opened);
        stream = opened;
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = opened;
        await video.play().catch(() => undefined);
        await videoReady(video);
        if (!cancelled) setState({ phase: 'ready' });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState({ phase: 'problem', problem: error instanceof CameraError ? error.problem : 'busy' });
      });
    return () => {
      cancelled = true;
      stopStream(stream);
      if (videoRef.current) videoRef.current.srcObject = null;
    };
  }, [facing, enabled, failed]);

  const retry = useCallback(() => setState({ phase: 'starting' }), []);
  return { videoRef, state, retry };
}
