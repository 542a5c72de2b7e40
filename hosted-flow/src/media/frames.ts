/**
 * Grabbing still frames. Frames are always taken from the raw video pixels, which are unmirrored:
 * the mirrored selfie preview is only a CSS transform, so the subject's own left/right stay correct.
 */

/** Draws the current video frame on a fresh canvas at its native resolution. */
export function grabFrame(video: HTMLVideoElement): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('2d canvas unavailable');
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** Encodes a canvas as JPEG. */
export function canvasToJpeg(canvas: HTMLCanvasElement, quality = 0.92): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encoding failed'))), 'image/jpeg', quality);
  });
}

/** Decodes an uploaded file into a canvas (EXIF orientation applied by the browser). */
export async function fileToCanvas(file: Blob): Promise<HTMLCanvasElement> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('2d canvas unavailable');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas;
}

/** Resolves once the video has real dimensions (first frame decoded). */
export function videoReady(video: HTMLVideoElement): Promise<void> {
  if (video.readyState >= 2 && video.videoWidth > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      if (video.videoWidth > 0) {
        video.removeEventListener('loadeddata', done);
        video.removeEventListener('resize', done);
        resolve();
      }
    };
    video.addEventListener('loadeddata', done);
    video.addEventListener('resize', done);
  });
}
