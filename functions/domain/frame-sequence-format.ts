/**
 * The frame-sequence container format: constants, limits and the encoder. Browser-safe on purpose (no zod,
 * no node built-ins): the hosted page builds the container with this very encoder; the server's parser and
 * schema live in frame-sequence.ts. Layout: see frame-sequence.ts and docs/applicant-api.md.
 */

export const FRAME_SEQUENCE_MAGIC = 'KYCSEQ01';
export const FRAME_SEQUENCE_CONTENT_TYPE = 'application/vnd.kyc.frame-sequence';
/** Magic plus the 32-bit index length. */
export const FRAME_SEQUENCE_HEADER_BYTES = FRAME_SEQUENCE_MAGIC.length + 4;

/** Limits every sequence must respect (the applicant API and the checks use the same ones). */
export const FRAME_SEQUENCE_LIMITS = {
  /** Fewer frames cannot show a motion. */
  minFrames: 3,
  /** 60 s at 5 fps. */
  maxFrames: 300,
  /** A 320 px JPEG is 10-30 KB; 150 KB leaves room for a 640 px frame at high quality. */
  maxFrameBytes: 150 * 1024,
  /** Longest side of a frame: the sequence is low resolution by design (full resolution goes in the stills). */
  maxFrameSide: 640,
  maxIndexBytes: 64 * 1024,
  /** Whole container. */
  maxTotalBytes: 8 * 1024 * 1024,
  /** Longest recording, ms. */
  maxSpanMs: 120_000,
} as const;

/** One entry of the JSON index: where a frame lies after the index, its length and capture time (ms). */
export interface FrameSequenceEntry {
  offset: number;
  length: number;
  t: number;
}

/** Builds a container from JPEG frames and their capture times (ms). Browser-safe. */
export function encodeFrameSequence(frames: ReadonlyArray<{ bytes: Uint8Array; t: number }>): Uint8Array {
  let offset = 0;
  const index: { version: 1; frames: FrameSequenceEntry[] } = {
    version: 1,
    frames: frames.map((f) => {
      const entry = { offset, length: f.bytes.length, t: Math.round(f.t) };
      offset += f.bytes.length;
      return entry;
    }),
  };
  const json = new TextEncoder().encode(JSON.stringify(index));
  const out = new Uint8Array(FRAME_SEQUENCE_HEADER_BYTES + json.length + offset);
  out.set(new TextEncoder().encode(FRAME_SEQUENCE_MAGIC), 0);
  new DataView(out.buffer).setUint32(FRAME_SEQUENCE_MAGIC.length, json.length, false);
  out.set(json, FRAME_SEQUENCE_HEADER_BYTES);
  let pos = FRAME_SEQUENCE_HEADER_BYTES + json.length;
  for (const f of frames) {
    out.set(f.bytes, pos);
    pos += f.bytes.length;
  }
  return out;
}
