import { DetectFacesCommand, type FaceDetail, type RekognitionClient } from '@aws-sdk/client-rekognition';
import type { ImageInput } from '../../ports/checks';
import type { CallLog } from './call-log';
import { toRekognitionImage } from './images';

/** Rekognition errors that mean the image itself is unusable (not "try again later"). */
export const UNUSABLE_IMAGE_ERRORS = ['InvalidImageFormatException', 'ImageTooLargeException'];

/** Rekognition DetectFaces (DEFAULT attributes: box, confidence, pose, quality), faces below the confidence dropped. */
export async function detectFaces(
  rekognition: RekognitionClient,
  log: CallLog,
  image: ImageInput,
  minConfidencePercent: number,
): Promise<FaceDetail[]> {
  const out = await log.time(`rekognition:DetectFaces ${image.label}`, async () =>
    rekognition.send(new DetectFacesCommand({ Image: await toRekognitionImage(image), Attributes: ['DEFAULT'] })),
  );
  return (out.FaceDetails ?? []).filter((f) => (f.Confidence ?? 0) >= minConfidencePercent);
}

/** The face with the largest bounding box, or null when there is none. */
export function largestFace(faces: FaceDetail[]): FaceDetail | null {
  let best: FaceDetail | null = null;
  let bestArea = -1;
  for (const f of faces) {
    const area = (f.BoundingBox?.Width ?? 0) * (f.BoundingBox?.Height ?? 0);
    if (area > bestArea) {
      best = f;
      bestArea = area;
    }
  }
  return best;
}
