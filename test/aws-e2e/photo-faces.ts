/**
 * What the Rekognition and Textract stand-ins (aws-standins.ts) see in a real photograph, as opposed to the
 * colour-coded synthetic images of their made-up world. Nothing here is a canned "match":
 * - Faces are found by the product's own offline face model, the local provider's face-api analysis
 *   (functions/checks/local/face-analysis.ts: SSD detector, 68 landmarks, 128-d descriptor), and reported in
 *   Rekognition's terms (see {@link photoFaces} for each field).
 * - Similarity is computed from the descriptor distance (see {@link similarityFromDistance}).
 * - Text: a document photo is answered with the MRZ transcribed for it in the test set's labels.json (the
 *   recorded answer), looked up by the SHA-256 of the image bytes; any other photo has no text.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoundingBox, FaceDetail } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { findFaces } from '../../functions/checks/local/face-analysis';
import { faceWorkerAvailable, warmUpFaceWorker } from '../../functions/checks/local/face-thread';
import { type DetectedFace, descriptorDistance } from '../../functions/checks/local/faces';
import { type Box, decodeImage, type RgbImage } from '../../functions/checks/local/image';
import { DEFAULT_LOCAL_OPTIONS } from '../../functions/checks/local/options';
import { DEFAULT_THRESHOLDS } from '../../functions/domain/flows';
import { TESTDATA } from '../support/testdata';

/**
 * True for the channel statistics (sharp `stats()`) of the stand-ins' synthetic images: one flat colour plus
 * +-4 of noise (channel standard deviation ~2.6), and their crops. A photograph's channels vary by tens of
 * grey levels.
 */
export function isFlatColour(channels: ReadonlyArray<{ stdev: number }>): boolean {
  return channels.every((c) => c.stdev < 10);
}

/**
 * Loads the face model (on its worker threads, as the local provider runs it) and runs it once per worker on a
 * test-set face, so the first image the pipeline sends does not pay tfjs's first-inference warm-up.
 */
export async function warmUpPhotoFaces(): Promise<void> {
  if (faceWorkerAvailable()) await warmUpFaceWorker();
  const faces = ['faces/london_005_neutral.jpg', 'faces/london_013_neutral.jpg'];
  await Promise.all(faces.map((f) => analyse(readFileSync(join(TESTDATA, f)))));
}

/** A face the model found: Rekognition's FaceDetail for it, and its descriptor for comparisons. */
export interface PhotoFace {
  detail: FaceDetail;
  descriptor: Float32Array;
}

/** face-api's detector floor for the ~60 px faces of 480x270 video frames (the local provider's frame floor). */
const DETECTOR_FLOOR = 0.3;
/** Longest side the local provider feeds to face detection. */
const MAX_SIDE = DEFAULT_LOCAL_OPTIONS.maxFaceImageSide;

const analysed = new Map<string, Promise<PhotoFace[]>>();

/**
 * Every face face-api finds in a photo, largest first, as Rekognition's DetectFaces would list them:
 * - `BoundingBox`: the detector's box as ratios of the image, `Confidence`: the detector score x 100;
 * - `Pose.Yaw`: the head-pose yaw in degrees (functions/domain/head-pose.ts) of the local stills' analysis,
 *   positive = turned to the subject's own left, the AWS provider's default reading of Rekognition's sign;
 *   `Pose.Roll` from the eye line; `Pose.Pitch` 0 (not estimated);
 * - `Quality` from the face box's pixels (see {@link faceQuality}).
 * Memoized per image content.
 */
export function photoFaces(bytes: Buffer): Promise<PhotoFace[]> {
  const key = createHash('sha256').update(bytes).digest('hex');
  let pending = analysed.get(key);
  if (!pending) {
    pending = analyse(bytes);
    analysed.set(key, pending);
  }
  return pending;
}

async function analyse(bytes: Buffer): Promise<PhotoFace[]> {
  const image = await decodeImage(bytes, 'stand-in image', MAX_SIDE);
  let faces = await findFaces(image, DETECTOR_FLOOR, DEFAULT_LOCAL_OPTIONS, 'full');
  if (faces.length === 0) {
    // A face filling the picture (the portrait the AWS document check crops from a document) leaves the SSD
    // detector no context, where Rekognition finds it: look once more with a grey border around the picture.
    const framed = withBorder(image);
    faces = (await findFaces(framed.image, DETECTOR_FLOOR, DEFAULT_LOCAL_OPTIONS, 'full')).map((f) => ({
      ...f,
      box: clampBox({ ...f.box, x: f.box.x - framed.left, y: f.box.y - framed.top }, image),
    }));
  }
  // Yaw as the local stills read it: the landmarks from the tiny detector's box where it finds the same face
  // (they read turned heads better than from SSD's), else SSD's own.
  const posed = await findFaces(image, DETECTOR_FLOOR, DEFAULT_LOCAL_OPTIONS, 'recognise');
  const yawOf = (face: DetectedFace): number => posed.find((p) => overlap(p.box, face.box) >= 0.3)?.yaw ?? face.yaw;
  return Promise.all(
    faces.map(async (face) => ({
      descriptor: face.descriptor,
      detail: {
        BoundingBox: ratioBox(face.box, image),
        Confidence: Math.round(face.score * 1000) / 10,
        Pose: { Yaw: round1(yawOf(face)), Roll: round1(face.roll), Pitch: 0 },
        Quality: await faceQuality(image, face.box),
      },
    })),
  );
}

/** The image centred on a mid-grey canvas twice its size. */
function withBorder(image: RgbImage): { image: RgbImage; left: number; top: number } {
  const left = Math.round(image.width / 2);
  const top = Math.round(image.height / 2);
  const width = image.width * 2;
  const height = image.height * 2;
  const data = Buffer.alloc(width * height * 3, 128);
  for (let y = 0; y < image.height; y++)
    image.data.copy(data, ((top + y) * width + left) * 3, y * image.width * 3, (y + 1) * image.width * 3);
  return { image: { width, height, data }, left, top };
}

function clampBox(box: Box, image: RgbImage): Box {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  return {
    x,
    y,
    width: Math.max(1, Math.min(image.width, box.x + box.width) - x),
    height: Math.max(1, Math.min(image.height, box.y + box.height) - y),
  };
}

/** Intersection over union of two boxes. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = Math.max(0, w) * Math.max(0, h);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function ratioBox(box: Box, image: RgbImage): BoundingBox {
  return {
    Left: Math.max(0, box.x / image.width),
    Top: Math.max(0, box.y / image.height),
    Width: Math.min(1, box.width / image.width),
    Height: Math.min(1, box.height / image.height),
  };
}

/**
 * Rekognition's Quality (0-100) measured on the face box resampled to 64x64 gray: Brightness = mean luma in
 * percent of white; Sharpness = mean absolute difference between neighbouring pixels in percent of 16 grey
 * levels, capped at 100 (a blurred face has no edges and scores near 0).
 */
async function faceQuality(image: RgbImage, box: Box): Promise<{ Brightness: number; Sharpness: number }> {
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const width = Math.max(1, Math.min(image.width - left, Math.round(box.width)));
  const height = Math.max(1, Math.min(image.height - top, Math.round(box.height)));
  const size = 64;
  const gray = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(size, size, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
  let sum = 0;
  let gradient = 0;
  let pairs = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = gray[y * size + x]!;
      sum += v;
      if (x + 1 < size) {
        gradient += Math.abs(v - gray[y * size + x + 1]!);
        pairs++;
      }
      if (y + 1 < size) {
        gradient += Math.abs(v - gray[(y + 1) * size + x]!);
        pairs++;
      }
    }
  }
  return {
    Brightness: round1((sum / (size * size) / 255) * 100),
    Sharpness: round1(Math.min(100, (gradient / pairs / 16) * 100)),
  };
}

/** The face-api distance the product's default thresholds treat as the same-person line, and its similarity. */
const LINE_DISTANCE = DEFAULT_THRESHOLDS.faceMatchMaxDistance;
const LINE_SIMILARITY = DEFAULT_THRESHOLDS.faceMatchMinSimilarity;

/**
 * A Rekognition-scale similarity (0-100) for a face-api descriptor distance, piecewise linear through the pair
 * the product's default flow thresholds put on the same line for its two runtimes: distance 0 -> 100,
 * `faceMatchMaxDistance` (0.6) -> `faceMatchMinSimilarity` (90), twice that distance -> 0. So the stand-in's
 * CompareFaces draws the selfie-vs-document line where the local face match draws it; e.g. person_a's frames
 * vs their document portrait (0.25-0.48) -> 92-96, another person (0.73-0.96) -> 36-70.
 */
export function similarityFromDistance(distance: number): number {
  const s =
    distance <= LINE_DISTANCE
      ? 100 - ((100 - LINE_SIMILARITY) * distance) / LINE_DISTANCE
      : LINE_SIMILARITY * (1 - (distance - LINE_DISTANCE) / LINE_DISTANCE);
  return round1(Math.max(0, Math.min(100, s)));
}

/** Similarity of two faces found by {@link photoFaces}. */
export function photoSimilarity(a: PhotoFace, b: PhotoFace): number {
  return similarityFromDistance(descriptorDistance(a.descriptor, b.descriptor));
}

let recordedMrz: Map<string, string[]> | null = null;

/**
 * The MRZ lines recorded for a document photo of the test set (labels.json `documents[].mrz`, transcribed by
 * eye and check-digit verified; see its SOURCES.md), by the SHA-256 of the exact image bytes; null for any
 * other image (a re-encoded or cropped copy is another image: no recorded answer).
 */
export function recordedMrzLines(bytes: Buffer): string[] | null {
  if (!recordedMrz) {
    const labels = JSON.parse(readFileSync(join(TESTDATA, 'labels.json'), 'utf8')) as {
      documents: Array<{ file: string; mrz: string[] }>;
    };
    recordedMrz = new Map(
      labels.documents.map((d) => [
        createHash('sha256')
          .update(readFileSync(join(TESTDATA, d.file)))
          .digest('hex'),
        d.mrz,
      ]),
    );
  }
  return recordedMrz.get(createHash('sha256').update(bytes).digest('hex')) ?? null;
}
