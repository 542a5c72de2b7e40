import { parentPort } from 'node:worker_threads';
import { detectFaces, loadFaceApi, type FaceApiModule } from './faces';
import type { FaceJob, FaceJobResult } from './face-thread';

/**
 * Worker-thread entry for face analysis (see face-thread.ts): loads face-api (its own tfjs instance and
 * onnxruntime sessions) once and answers one message per image. Bundled as dist/face-worker.js (package.json build:server).
 */
let faceapi: Promise<FaceApiModule> | null = null;

parentPort?.on('message', (job: FaceJob) => {
  void (async () => {
    let reply: FaceJobResult;
    try {
      faceapi ??= loadFaceApi().catch((err: unknown) => {
        faceapi = null; // a failed load is retried by the next job
        throw err;
      });
      const loaded = await faceapi;
      const image = { width: job.width, height: job.height, data: Buffer.from(job.data) };
      reply = {
        id: job.id,
        faces: job.warmUpOnly ? [] : await detectFaces(loaded, image, job.minConfidence, job.mode ?? 'full', job.known),
      };
    } catch (err) {
      reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort?.postMessage(reply);
  })();
});
