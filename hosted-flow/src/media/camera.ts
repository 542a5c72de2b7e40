/**
 * Opening the camera, with every failure mapped to one screen the applicant can act on.
 */

export type CameraProblem = 'denied' | 'notFound' | 'busy' | 'insecure' | 'unsupported';
export type Facing = 'user' | 'environment';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(`camera: ${problem}`);
    this.name = 'CameraError';
  }
}

/** Why the camera cannot be opened before even trying, or null. */
export function cameraPrecheck(): CameraProblem | null {
  if (typeof navigator === 'undefined') return 'unsupported';
  if (!navigator.mediaDevices) return window.isSecureContext ? 'unsupported' : 'insecure';
  if (typeof navigator.mediaDevices.getUserMedia !== 'function') return 'unsupported';
  return null;
}

/** Whether trying again can help: the applicant can allow the camera, plug one in or close the other app. */
export function isRetryableCameraProblem(problem: CameraProblem): boolean {
  return problem === 'denied' || problem === 'busy' || problem === 'notFound';
}

/** Whether this device has no camera at all (device kinds are listed even before permission). */
export async function lacksCamera(): Promise<boolean> {
  try {
    const devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    return !devices.some((device) => device.kind === 'videoinput');
  } catch {
    return false;
  }
}

/** Maps a getUserMedia rejection to a camera problem. */
export function classifyCameraError(error: unknown): CameraProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'notFound';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'busy';
  }
}

/** Opens the camera facing the applicant (`user`) or the back camera (`environment`). */
export async function openCamera(facing: Facing): Promise<MediaStream> {
  const problem = cameraPrecheck();
  if (problem) throw new CameraError(problem);
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (error) {
    throw new CameraError(classifyCameraError(error));
  }
}

/** Stops every track so the camera light goes off. */
export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
