import sharp from 'sharp';
import { MAX_IMAGE_PIXELS } from '../../domain/image-sniff';

/** A decoded image: tightly packed 8-bit RGB pixels, EXIF orientation already applied. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major RGB. */
  data: Buffer;
}

/** Thrown when the bytes are not a decodable image; the checks turn it into a reason code. */
export class ImageDecodeError extends Error {
  constructor(label: string, cause: unknown) {
    super(`could not decode image "${label}": ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ImageDecodeError';
  }
}

/**
 * Decodes JPEG/PNG/WebP bytes to RGB, applying EXIF orientation and shrinking so the longer side is at most
 * `maxSide` (phone photos are 12+ MP; the models gain nothing from that and decoding and resizing time grows with pixels).
 */
export async function decodeImage(bytes: Buffer, label: string, maxSide = 1280): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    return { width: info.width, height: info.height, data };
  } catch (err) {
    throw new ImageDecodeError(label, err);
  }
}

/** Resizes an RGB image (used to upscale small documents for OCR and small faces for detection). */
export async function resizeImage(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width, height, fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** Axis-aligned box in pixel coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Crops `box` grown by `pad` (fraction of the box size) on each side, clamped to the image, as JPEG. */
export async function cropToJpeg(image: RgbImage, box: Box, pad: number): Promise<Buffer> {
  const left = Math.max(0, Math.floor(box.x - box.width * pad));
  const top = Math.max(0, Math.floor(box.y - box.height * pad));
  const right = Math.min(image.width, Math.ceil(box.x + box.width * (1 + pad)));
  const bottom = Math.min(image.height, Math.ceil(box.y + box.height * (1 + pad)));
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/**
 * Tiny grayscale thumbnail (16x16, values 0-255) for near-duplicate detection between capture frames.
 * A still image replayed as several frames gives (almost) equal thumbnails; a real head turn does not.
 */
export async function thumbnail(image: RgbImage, size = 16): Promise<Uint8Array> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width: size, height: size, fit: 'fill' })
    .grayscale()
    .raw()
    .toBuffer();
  return new Uint8Array(data);
}

/** Mean absolute difference (0-255) between two thumbnails of equal size. */
export function thumbnailDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) return 255;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}
