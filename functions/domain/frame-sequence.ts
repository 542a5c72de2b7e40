import * as z from 'zod';
import {
  FRAME_SEQUENCE_HEADER_BYTES as HEADER_BYTES,
  FRAME_SEQUENCE_LIMITS,
  FRAME_SEQUENCE_MAGIC,
} from './frame-sequence-format';
import { sniffImage } from './image-sniff';

export {
  encodeFrameSequence,
  FRAME_SEQUENCE_CONTENT_TYPE,
  FRAME_SEQUENCE_LIMITS,
  FRAME_SEQUENCE_MAGIC,
} from './frame-sequence-format';

/**
 * The frame-sequence container: the liveness challenge recorded continuously as low-resolution JPEG frames
 * with capture timestamps, uploaded as one capture (kind `liveness_sequence`). Documented in
 * docs/applicant-api.md ("Liveness sequence container"). Layout:
 *
 *   bytes 0-7    ASCII magic "KYCSEQ01"
 *   bytes 8-11   unsigned 32-bit big-endian length L of the index
 *   bytes 12-    L bytes of UTF-8 JSON index: {"version":1,"frames":[{"offset":0,"length":n,"t":0}, ...]}
 *   then         the frames' JPEG bytes back to back; `offset` counts from the first byte after the index
 *
 * `t` is the capture time in milliseconds since the recording started (integers). The frames are listed in
 * capture order and lie back to back with nothing between or after them. The encoder is browser-safe (the
 * hosted page builds the container: frame-sequence-format.ts, no zod); the parser is the server's content check.
 */

const frameEntry = z
  .object({
    offset: z.number().int().min(0),
    length: z.number().int().min(1).max(FRAME_SEQUENCE_LIMITS.maxFrameBytes),
    t: z.number().int().min(0).max(FRAME_SEQUENCE_LIMITS.maxSpanMs),
  })
  .strict();

/** The JSON index, validated at the trust boundary (the browser is not trusted). */
export const frameSequenceIndex = z
  .object({
    version: z.literal(1),
    frames: z.array(frameEntry).min(FRAME_SEQUENCE_LIMITS.minFrames).max(FRAME_SEQUENCE_LIMITS.maxFrames),
  })
  .strict();
export type FrameSequenceIndex = z.infer<typeof frameSequenceIndex>;

/** One frame of a parsed sequence: its JPEG bytes (a view into the container) and capture time. */
export interface SequenceFrame {
  bytes: Uint8Array;
  /** Capture time, ms since the recording started. */
  t: number;
  width: number;
  height: number;
}

export type FrameSequenceParse = { ok: true; frames: SequenceFrame[] } | { ok: false; field: string; issue: string };

/** Is this the start of a frame-sequence container? (magic bytes only) */
export function isFrameSequence(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_BYTES) return false;
  for (let i = 0; i < FRAME_SEQUENCE_MAGIC.length; i++)
    if (bytes[i] !== FRAME_SEQUENCE_MAGIC.charCodeAt(i)) return false;
  return true;
}

/**
 * Parses and checks a container: magic, index schema and limits, frames back to back covering the data
 * exactly, each a JPEG whose header declares at most `maxFrameSide` px per side. Timestamps are only
 * range-checked here: their order and spacing are what the liveness analysis judges. Never throws.
 */
export function parseFrameSequence(bytes: Uint8Array): FrameSequenceParse {
  const L = FRAME_SEQUENCE_LIMITS;
  if (bytes.length > L.maxTotalBytes)
    return { ok: false, field: 'body', issue: `larger than ${L.maxTotalBytes} bytes` };
  if (!isFrameSequence(bytes)) return { ok: false, field: 'magic', issue: `must start with "${FRAME_SEQUENCE_MAGIC}"` };
  const indexLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    FRAME_SEQUENCE_MAGIC.length,
    false,
  );
  if (indexLength === 0 || indexLength > L.maxIndexBytes || HEADER_BYTES + indexLength > bytes.length)
    return { ok: false, field: 'index', issue: `length must be 1-${L.maxIndexBytes} bytes within the file` };
  let raw: unknown;
  try {
    raw = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + indexLength)),
    );
  } catch {
    return { ok: false, field: 'index', issue: 'not UTF-8 JSON' };
  }
  const index = frameSequenceIndex.safeParse(raw);
  if (!index.success) {
    const first = index.error.issues[0];
    return {
      ok: false,
      field: ['index', ...(first?.path ?? []).map(String)].join('.'),
      issue: first?.message ?? 'invalid',
    };
  }
  const data = bytes.subarray(HEADER_BYTES + indexLength);
  const frames: SequenceFrame[] = [];
  let expected = 0;
  for (const [i, entry] of index.data.frames.entries()) {
    const field = `index.frames.${i}`;
    if (entry.offset !== expected)
      return { ok: false, field, issue: `offset must be ${expected} (frames back to back)` };
    if (entry.offset + entry.length > data.length)
      return { ok: false, field, issue: 'extends past the end of the file' };
    const frameBytes = data.subarray(entry.offset, entry.offset + entry.length);
    const sniff = sniffImage(asBuffer(frameBytes));
    if (!sniff.ok || sniff.format !== 'jpeg') return { ok: false, field, issue: 'not a JPEG image' };
    if (Math.max(sniff.width, sniff.height) > L.maxFrameSide)
      return { ok: false, field, issue: `larger than ${L.maxFrameSide} px on a side` };
    frames.push({ bytes: frameBytes, t: entry.t, width: sniff.width, height: sniff.height });
    expected = entry.offset + entry.length;
  }
  if (expected !== data.length) return { ok: false, field: 'body', issue: 'bytes after the last frame' };
  return { ok: true, frames };
}

/** sniffImage reads with Buffer methods; a Buffer view over the same memory (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
