import {
  encodeFrameSequence,
  FRAME_SEQUENCE_CONTENT_TYPE,
  FRAME_SEQUENCE_LIMITS,
} from '../../../functions/http/applicant-contract';

/**
 * Records the head-turn challenge continuously for the server's liveness analysis (docs/checks.md, "Liveness
 * from a continuous capture"): about 5 frames per second from the same video element the prompts are judged
 * on, each downscaled to 320 px wide and stamped with its draw time, then JPEG-encoded in order behind the
 * timer (a busy encoder delays frames, never drops them). The result is the
 * frame-sequence container (the domain encoder), uploaded as the `liveness_sequence` capture.
 */

/** ~5 fps: the server refuses gaps over 600 ms, so a frame delayed by a busy main thread still fits. */
export const RECORDING_INTERVAL_MS = 200;
/** Frame width; the full-resolution stills go in the per-prompt `liveness_frame` captures. */
export const RECORDING_WIDTH = 320;
const JPEG_QUALITY = 0.7;

/** Frame bytes that fit in the container limit with room left for the header and the JSON index. */
export const RECORDING_MAX_FRAME_DATA_BYTES =
  FRAME_SEQUENCE_LIMITS.maxTotalBytes - FRAME_SEQUENCE_LIMITS.maxIndexBytes - 64;

/** One recorded frame: JPEG bytes and capture time in ms since the recording started. */
export interface RecordedFrame {
  bytes: Uint8Array;
  t: number;
}

/**
 * Whether one more frame of `nextBytes` fits the container's limits (frame count, per-frame size, total
 * size, span). A recording that no longer fits is full: the challenge took too long to prove anything.
 */
export function frameFits(recorded: readonly RecordedFrame[], nextBytes: number, nextT: number): boolean {
  const L = FRAME_SEQUENCE_LIMITS;
  const total = recorded.reduce((sum, f) => sum + f.bytes.length, 0);
  return (
    recorded.length < L.maxFrames &&
    nextBytes <= L.maxFrameBytes &&
    total + nextBytes <= RECORDING_MAX_FRAME_DATA_BYTES &&
    nextT <= L.maxSpanMs
  );
}

/** Size of a recording frame for a video of `width` x `height`: 320 px wide, longer side within the limit. */
export function recordingSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(RECORDING_WIDTH / width, FRAME_SEQUENCE_LIMITS.maxFrameSide / Math.max(width, height), 1);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Builds the upload: the container as a Blob of the sequence content type; null with too few frames. */
export function recordingBlob(frames: readonly RecordedFrame[]): Blob | null {
  if (frames.length < FRAME_SEQUENCE_LIMITS.minFrames) return null;
  const ordered = [...frames].sort((a, b) => a.t - b.t);
  return new Blob([encodeFrameSequence(ordered) as Uint8Array<ArrayBuffer>], { type: FRAME_SEQUENCE_CONTENT_TYPE });
}

export interface SequenceRecording {
  /** The recording hit a limit (about a minute) and stopped: it cannot cover the rest of the challenge. */
  readonly full: boolean;
  /** Stops recording and returns the container (null when fewer than the minimum frames were taken). */
  stop(): Promise<Blob | null>;
  /** Stops recording and drops the frames. */
  cancel(): void;
  /**
   * Takes a frame now unless one was taken within the last {@link MIN_SAMPLE_SPACING_MS}. The challenge loop
   * calls it around each in-page face detection: detection normally runs in a worker, but where it falls
   * back to the main thread it can hold the recording timer back on a slow phone, and a frame on each side
   * of it keeps the gaps near its duration.
   */
  sample(): void;
}

/** Frames closer than this add nothing to the motion analysis and only cost upload bytes. */
export const MIN_SAMPLE_SPACING_MS = 120;

/**
 * Drawn frames waiting for the JPEG encoder. A frame's time is when it was drawn, so a slow encoder only
 * delays frames, never drops them (a dropped frame is a gap the server refuses). The bound (3 s of frames,
 * ~4.6 MB of 320 px canvases) only guards memory against an encoder that has stopped altogether.
 */
export const MAX_PENDING_FRAMES = 15;

/** A frame drawn at the recording size, not yet encoded. */
interface DrawnFrame {
  canvas: HTMLCanvasElement;
  t: number;
}

/** Starts recording `video` now; the first frame has t = 0. */
export function startSequenceRecording(video: HTMLVideoElement): SequenceRecording {
  const frames: RecordedFrame[] = [];
  const drawn: DrawnFrame[] = [];
  let encoder: Promise<void> | null = null;
  let started: number | null = null;
  let stopped = false;
  let cancelled = false;
  let full = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  let lastTaken = Number.NEGATIVE_INFINITY;
  let lastPixels: Uint8ClampedArray | null = null;

  const tick = (): void => {
    if (stopped || full) return;
    clearTimeout(timer);
    timer = setTimeout(tick, RECORDING_INTERVAL_MS);
    take();
  };

  /** Draws the current picture now (its time is now) and leaves the encoding to {@link encodeDrawn}. */
  const take = (): void => {
    if (video.videoWidth === 0 || drawn.length >= MAX_PENDING_FRAMES) return;
    const now = performance.now();
    const size = recordingSize(video.videoWidth, video.videoHeight);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    // The raw (unmirrored) pixels, like the stills: the subject's own left and right stay correct.
    context.drawImage(video, 0, 0, size.width, size.height);
    // The same picture again means the camera has not delivered a new frame since the last take (a camera
    // slower than the sampling, e.g. ~7 fps in low light): the server takes repeated pictures for a replay, so
    // only new ones are recorded; the next take gets the next frame.
    const pixels = context.getImageData(0, 0, size.width, size.height).data;
    if (lastPixels && samePixels(lastPixels, pixels)) return;
    lastPixels = pixels;
    lastTaken = now;
    started ??= now;
    drawn.push({ canvas, t: Math.round(now - started) });
    encoder ??= encodeDrawn();
  };

  /**
   * Encodes the drawn frames one at a time, oldest first, until none is left. `encoder` is cleared in the
   * same turn as the last empty check, so a frame drawn later always starts a new run.
   */
  const encodeDrawn = async (): Promise<void> => {
    try {
      for (let next = drawn.shift(); next; next = drawn.shift()) {
        const bytes = await encodeJpeg(next.canvas);
        if (cancelled || full) return;
        if (!bytes) continue;
        if (frameFits(frames, bytes.length, next.t)) frames.push({ bytes, t: next.t });
        else {
          full = true;
          drawn.length = 0;
          clearTimeout(timer);
        }
      }
    } finally {
      encoder = null;
    }
  };
  tick();

  return {
    get full() {
      return full;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // Frames already drawn belong to the recording: wait until they are all encoded.
      while (encoder !== null) await encoder;
      return recordingBlob(frames);
    },
    cancel() {
      stopped = cancelled = true;
      clearTimeout(timer);
      drawn.length = 0;
      frames.length = 0;
    },
    sample() {
      if (stopped || full || performance.now() - lastTaken < MIN_SAMPLE_SPACING_MS) return;
      tick(); // restarts the timer too, so the next timed frame is a full interval away
    },
  };
}

function samePixels(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The canvas as JPEG bytes; null when the browser could not encode it. */
function encodeJpeg(canvas: HTMLCanvasElement): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    canvas.toBlob(
      (blob) => {
        if (!blob) return resolve(null);
        blob.arrayBuffer().then(
          (buffer) => resolve(new Uint8Array(buffer)),
          () => resolve(null),
        );
      },
      'image/jpeg',
      JPEG_QUALITY,
    );
  });
}
