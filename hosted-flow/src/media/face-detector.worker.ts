import { type DetectedFace, type FaceModel, loadFaceModel } from './face-model';
import type { DetectionReply, DetectionRequest } from './face-detector';

/**
 * The face detection worker: loads face-api once, then answers each request with the faces in the frame it
 * was sent. Running here rather than on the main thread keeps the page's timers (the head-turn recording,
 * the prompts) on time while a detection takes tens to hundreds of milliseconds on a slow phone.
 * Requests are answered one at a time, in order; the ImageBitmap of each is closed once read.
 */

const model: Promise<FaceModel> = loadFaceModel();
let queue: Promise<unknown> = Promise.resolve();

// No WebWorker lib in the shared tsconfig: the worker's global scope is typed as a window, whose
// single-argument postMessage is the worker's own.
const reply = (message: DetectionReply): void => self.postMessage(message);

model.then(
  () => reply({ kind: 'ready' }),
  (error: unknown) => reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
);

self.addEventListener('message', (event: MessageEvent<DetectionRequest>) => {
  const { id, pixels } = event.data;
  queue = queue.then(async () => {
    try {
      const faces: DetectedFace[] = await (await model)(pixels);
      reply({ kind: 'faces', id, faces });
    } catch (error) {
      reply({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
    } finally {
      if (pixels instanceof ImageBitmap) pixels.close();
    }
  });
});
