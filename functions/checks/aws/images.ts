import { createHash } from 'node:crypto';
import type { BoundingBox, Image as RekognitionImage } from '@aws-sdk/client-rekognition';
import type { Document as TextractDocument } from '@aws-sdk/client-textract';
import type sharpModule from 'sharp';
import { formatOf, MAX_IMAGE_PIXELS } from '../../domain/image-sniff';
import type { ImageInput } from '../../ports/checks';

/**
 * sharp (native) is loaded on first image work, not with this module: Lambdas that ship no native modules (the
 * integrator's redact deletes indexed faces; the applicant opens Face Liveness sessions) load the provider but
 * never decode an image.
 */
const sharp: typeof sharpModule = ((...args: Parameters<typeof sharpModule>) =>
  (require('sharp') as typeof sharpModule)(...args)) as typeof sharpModule;

/**
 * Image plumbing for the AWS provider: how a capture is handed to Rekognition/Textract (bytes or an S3
 * reference), the portrait crop from a Rekognition bounding box, and near-duplicate fingerprints.
 */

/** Location of a capture in S3 (same bucket/key the upload went to). */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  version?: string;
}

/**
 * An {@link ImageInput} that may also carry its S3 location. With `s3` set, Rekognition and Textract read
 * the object from S3 (no 5 MB Bytes limit, smaller requests); without it the bytes are sent inline.
 * Local work (portrait crop, duplicate-frame detection) always uses `bytes`.
 */
export interface AwsImageInput extends ImageInput {
  s3?: S3ObjectRef;
}

function s3Of(image: ImageInput): S3ObjectRef | undefined {
  return (image as AwsImageInput).s3;
}

/**
 * Rekognition and Textract take inline bytes up to 5 MB, and only JPEG or PNG (an S3 object reference lifts the
 * size limit, not the format one). Uploads are accepted up to the upload limit and as WebP too.
 */
export const AWS_INLINE_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
/** Longest edge of a capture re-encoded for AWS: far above what face and text detection use. */
const NORMALIZED_MAX_EDGE = 4096;

/**
 * JPEG or PNG bytes within {@link AWS_INLINE_IMAGE_MAX_BYTES}: the capture itself when it already is, else a
 * JPEG re-encoding (EXIF orientation applied, long edge at most 4096 px, quality lowered until it fits).
 * Memoized per capture buffer: one check often sends the same capture to several calls.
 */
export async function awsReadyBytes(bytes: Buffer): Promise<Buffer> {
  const format = formatOf(bytes);
  if ((format === 'jpeg' || format === 'png') && bytes.length <= AWS_INLINE_IMAGE_MAX_BYTES) return bytes;
  const cached = normalized.get(bytes);
  if (cached !== undefined) return cached;
  const pending = reencode(bytes);
  normalized.set(bytes, pending);
  return pending;
}

const normalized = new WeakMap<Buffer, Promise<Buffer>>();

async function reencode(bytes: Buffer): Promise<Buffer> {
  const upright = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
    .rotate()
    .resize({ width: NORMALIZED_MAX_EDGE, height: NORMALIZED_MAX_EDGE, fit: 'inside', withoutEnlargement: true });
  for (const quality of [90, 80, 70, 60]) {
    const out = await upright.clone().jpeg({ quality, mozjpeg: true }).toBuffer();
    if (out.length <= AWS_INLINE_IMAGE_MAX_BYTES) return out;
  }
  // Pathological content (noise): halve the resolution once more; still far above what the models need.
  return upright
    .clone()
    .resize({ width: NORMALIZED_MAX_EDGE / 2, height: NORMALIZED_MAX_EDGE / 2, fit: 'inside' })
    .jpeg({ quality: 60, mozjpeg: true })
    .toBuffer();
}

/**
 * Rekognition `Image`: S3Object when the input names one (the object is JPEG or PNG: Rekognition wrote it, or
 * it was normalized before upload), else the capture's bytes, normalized by {@link awsReadyBytes}.
 */
export async function toRekognitionImage(image: ImageInput): Promise<RekognitionImage> {
  const s3 = s3Of(image);
  if (s3) return { S3Object: { Bucket: s3.bucket, Name: s3.key, ...(s3.version ? { Version: s3.version } : {}) } };
  return { Bytes: await awsReadyBytes(image.bytes) };
}

/** Textract `Document`: S3Object when the input names one, else the normalized bytes (as for Rekognition). */
export async function toTextractDocument(image: ImageInput): Promise<TextractDocument> {
  const s3 = s3Of(image);
  if (s3) return { S3Object: { Bucket: s3.bucket, Name: s3.key, ...(s3.version ? { Version: s3.version } : {}) } };
  return { Bytes: await awsReadyBytes(image.bytes) };
}

/**
 * Crops the face `box` (Rekognition ratios of width/height) grown by `pad` on each side, as JPEG.
 * EXIF orientation is applied first because Rekognition reports boxes on the upright image.
 */
export async function cropBoundingBox(bytes: Buffer, box: BoundingBox, pad = 0.25): Promise<Buffer> {
  const upright = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
    .rotate()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = upright.info;
  const bw = (box.Width ?? 0) * width;
  const bh = (box.Height ?? 0) * height;
  const left = Math.max(0, Math.floor((box.Left ?? 0) * width - bw * pad));
  const top = Math.max(0, Math.floor((box.Top ?? 0) * height - bh * pad));
  const right = Math.min(width, Math.ceil((box.Left ?? 0) * width + bw * (1 + pad)));
  const bottom = Math.min(height, Math.ceil((box.Top ?? 0) * height + bh * (1 + pad)));
  return sharp(upright.data)
    .extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** Exact hash plus a 16x16 grayscale thumbnail, enough to spot a replayed still image. */
export interface FrameFingerprint {
  sha256: string;
  thumbnail: Uint8Array | null;
}

export async function fingerprint(bytes: Buffer): Promise<FrameFingerprint> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    const data = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate()
      .resize({ width: 16, height: 16, fit: 'fill' })
      .grayscale()
      .raw()
      .toBuffer();
    return { sha256, thumbnail: new Uint8Array(data) };
  } catch {
    return { sha256, thumbnail: null }; // undecodable bytes still compare by hash
  }
}

/**
 * Identical bytes, or thumbnails whose mean absolute difference is below `maxMeanDiff` (0-255).
 * Measured on testdata/liveness/person_a: a frame re-encoded at JPEG q50 differs by 0.44, while genuine
 * frames only 80 ms apart differ by 0.58-2.9 (and challenge frames with different head poses far more).
 */
export function isNearDuplicate(a: FrameFingerprint, b: FrameFingerprint, maxMeanDiff = 0.5): boolean {
  if (a.sha256 === b.sha256) return true;
  if (!a.thumbnail || !b.thumbnail || a.thumbnail.length !== b.thumbnail.length) return false;
  let sum = 0;
  for (let i = 0; i < a.thumbnail.length; i++) sum += Math.abs((a.thumbnail[i] ?? 0) - (b.thumbnail[i] ?? 0));
  return sum / a.thumbnail.length < maxMeanDiff;
}
