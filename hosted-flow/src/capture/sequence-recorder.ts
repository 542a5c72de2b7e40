import {
  encodeFrameSequence,
  FRAME_SEQUENCE_CONTENT_TYPE,
  FRAME_SEQUENCE_LIMITS,
} from '../../../functions/http/applicant-contract';

/**
 * Records the head-turn challenge continuously for the server's liveness analysis (docs/checks.md, "Liveness
 * from a continuous capture"): about 5 frames per second from the same video element the prompts are judged
 * on, each downscaled to 320 px wide, JPEG-encoded and stamped with its capture time. The result is the
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
   * calls it before each in-page face detection: detection runs on the main thread and can hold the
   * recording timer back on a slow phone, so a frame on each side of it keeps the gaps near its duration.
   */
  sample(): void;
}

/** Frames closer than this add nothing to the motion analysis and only cost upload bytes. */
export const MIN_SAMPLE_SPACING_MS = 120;

/** Starts recording `video` now; the first frame has t = 0. */
export function startSequenceRecording(video: HTMLVideoElement): SequenceRecording {
  const frames: RecordedFrame[] = [];
  const encoding = new Set<Promise<void>>();
  let started: number | null = null;
  let stopped = false;
  let cancelled = false;
  let full = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  let lastTaken = Number.NEGATIVE_INFINITY;

  const tick = (): void => {
    if (stopped || full) return;
    clearTimeout(timer);
    timer = setTimeout(tick, RECORDING_INTERVAL_MS);
    take();
  };

  const take = (): void => {
    if (video.videoWidth === 0 || encoding.size > 2) return; // no picture yet, or the encoder is behind
    const now = performance.now();
    lastTaken = now;
    started ??= now;
    const t = Math.round(now - started);
    const size = recordingSize(video.videoWidth, video.videoHeight);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext('2d');
    if (!context) return;
    // The raw (unmirrored) pixels, like the stills: the subject's own left and right stay correct.
    context.drawImage(video, 0, 0, size.width, size.height);
    const job = new Promise<void>((resolve) => {
      canvas.toBlob(
        (blob) => {
          if (!blob) return resolve();
          void blob.arrayBuffer().then((buffer) => {
            if (!cancelled && !full) {
              if (frameFits(frames, buffer.byteLength, t)) frames.push({ bytes: new Uint8Array(buffer), t });
              else {
                full = true;
                clearTimeout(timer);
              }
            }
            resolve();
          }, resolve);
        },
        'image/jpeg',
        JPEG_QUALITY,
      );
    });
    encoding.add(job);
    void job.finally(() => encoding.delete(job));
  };
  tick();

  return {
    get full() {
      return full;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // Frames already drawn are still encoding: wait for them, they belong to the recording.
      await Promise.all([...encoding]);
      return recordingBlob(frames);
    },
    cancel() {
      stopped = cancelled = true;
      clearTimeout(timer);
      frames.length = 0;
    },
    sample() {
      if (stopped || full || performance.now() - lastTaken < MIN_SAMPLE_SPACING_MS) return;
      tick(); // restarts the timer too, so the next timed frame is a full interval away
    },
  };
}
