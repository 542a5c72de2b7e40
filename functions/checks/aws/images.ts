import { createHash } from 'node:crypto';
import type { BoundingBox, Image as RekognitionImage } from '@aws-sdk/client-rekognition';
import type { Document as TextractDocument } from '@aws-sdk/client-textract';
import sharp from 'sharp';
import { MAX_IMAGE_PIXELS } from '../../domain/image-sniff';
import type { ImageInput } from '../../ports/checks';

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

/** Rekognition `Image`: S3Object when the input names one, else Bytes. */
export function toRekognitionImage(image: ImageInput): RekognitionImage {
  const s3 = s3Of(image);
  if (s3) return { S3Object: { Bucket: s3.bucket, Name: s3.key, ...(s3.version ? { Version: s3.version } : {}) } };
  return { Bytes: image.bytes };
}

/** Textract `Document`: S3Object when the input names one, else Bytes. */
export function toTextractDocument(image: ImageInput): TextractDocument {
  const s3 = s3Of(image);
  if (s3) return { S3Object: { Bucket: s3.bucket, Name: s3.key, ...(s3.version ? { Version: s3.version } : {}) } };
  return { Bytes: image.bytes };
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
