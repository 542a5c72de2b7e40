/**
 * Reads an image's format and declared dimensions from its first bytes, without decoding it: JPEG SOF
 * markers, PNG IHDR, WebP VP8/VP8L/VP8X. Pure and dependency-free so the upload check runs the same in
 * Lambda (no sharp) and locally, and so a "decompression bomb" (tiny file declaring a huge canvas) is
 * refused before any decoder sees it.
 */

export type SniffedFormat = 'jpeg' | 'png' | 'webp';

/**
 * Most pixels (width x height) any capture may have: `complete` refuses more from the header, and every
 * decoder is given the same limit, so bytes that reach a decoder by any path cannot exhaust its memory.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

export const CONTENT_TYPE_OF_FORMAT: Record<SniffedFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export type ImageSniff =
  | { ok: true; format: SniffedFormat; contentType: string; width: number; height: number }
  /** `unsupported_format`: the magic bytes are not JPEG/PNG/WebP. `unreadable_header`: they are, but no dimensions could be read. */
  | { ok: false; reason: 'unsupported_format' | 'unreadable_header' };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Identifies the format by magic bytes only (null if none of the three). */
export function formatOf(bytes: Buffer): SniffedFormat | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  return null;
}

/** Format and declared width/height of an encoded image. Never throws, whatever the input. */
export function sniffImage(bytes: Buffer): ImageSniff {
  const format = formatOf(bytes);
  if (!format) return { ok: false, reason: 'unsupported_format' };
  const size = format === 'png' ? pngSize(bytes) : format === 'jpeg' ? jpegSize(bytes) : webpSize(bytes);
  if (!size || size.width <= 0 || size.height <= 0) return { ok: false, reason: 'unreadable_header' };
  return { ok: true, format, contentType: CONTENT_TYPE_OF_FORMAT[format], ...size };
}

interface Size {
  width: number;
  height: number;
}

/** PNG: the first chunk must be IHDR (width, height as big-endian uint32). */
function pngSize(b: Buffer): Size | null {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Start-of-frame markers that carry the frame size (C4 DHT, C8 JPG and CC DAC are not frames). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * JPEG: walks the marker segments up to the first SOF (skipping APPn/EXIF, DQT, DHT...), whose payload is
 * precision(1) height(2) width(2). Image data (SOS) or the end (EOI) before any SOF means no size.
 */
function jpegSize(b: Buffer): Size | null {
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return null; // lost sync: not a well-formed marker stream
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    // Standalone markers (no length): TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = b.readUInt16BE(pos + 2);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      if (length < 7 || pos + 9 > b.length) return null;
      return { height: b.readUInt16BE(pos + 5), width: b.readUInt16BE(pos + 7) };
    }
    pos += 2 + length;
  }
  return null;
}

/**
 * WebP: walks the RIFF chunks. VP8X declares the canvas; VP8 (lossy) and VP8L (lossless) declare their
 * bitstream's size. The largest declared area wins, so a small canvas cannot hide a huge frame.
 */
function webpSize(b: Buffer): Size | null {
  let best: Size | null = null;
  const consider = (s: Size | null) => {
    if (s && (!best || s.width * s.height > best.width * best.height)) best = s;
  };
  let pos = 12;
  while (pos + 8 <= b.length) {
    const fourcc = b.toString('latin1', pos, pos + 4);
    const length = b.readUInt32LE(pos + 4);
    const data = pos + 8;
    if (fourcc === 'VP8X')
      consider(
        data + 10 <= b.length ? { width: 1 + b.readUIntLE(data + 4, 3), height: 1 + b.readUIntLE(data + 7, 3) } : null,
      );
    else if (fourcc === 'VP8 ') consider(vp8Size(b, data));
    else if (fourcc === 'VP8L') consider(vp8lSize(b, data));
    else if (fourcc === 'ANMF') {
      // Animation frame: 16 bytes of frame header, then the frame's own VP8/VP8L chunk.
      const inner = data + 16;
      if (inner + 8 <= b.length) {
        const innerCc = b.toString('latin1', inner, inner + 4);
        if (innerCc === 'VP8 ') consider(vp8Size(b, inner + 8));
        if (innerCc === 'VP8L') consider(vp8lSize(b, inner + 8));
      }
    }
    pos = data + length + (length % 2); // chunks are padded to even sizes
  }
  return best;
}

/** Lossy bitstream: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (little-endian). */
function vp8Size(b: Buffer, data: number): Size | null {
  if (data + 10 > b.length || b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) return null;
  return { width: b.readUInt16LE(data + 6) & 0x3fff, height: b.readUInt16LE(data + 8) & 0x3fff };
}

/** Lossless bitstream: signature 0x2F, then width-1 and height-1 as two 14-bit fields. */
function vp8lSize(b: Buffer, data: number): Size | null {
  if (data + 5 > b.length || b[data] !== 0x2f) return null;
  const bits = b.readUInt32LE(data + 1);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}
