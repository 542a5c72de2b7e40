import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DetectedFace, FaceAnalysisMode, KnownFace } from './faces';
import type { RgbImage } from './image';

/**
 * Face analysis off the main thread. A face analysis is synchronous CPU work on one thread (face-api's tfjs
 * steps, and its nets on one onnxruntime thread or single-threaded tfjs wasm), so on the main thread every
 * analysis blocked the event loop: the OCR's JS steps, sharp callbacks, the queue and HTTP all waited behind
 * it, and the second core idled while document and liveness "ran in parallel". A small pool of worker threads,
 * each with its own face-api/tfjs instance and onnxruntime sessions, takes the jobs (least busy first); the main
 * thread keeps OCR and I/O. Results are the same as in-thread (same model, same input).
 */

/** A request to the worker: one decoded image (pixels transferred, not copied). */
export interface FaceJob {
  id: number;
  width: number;
  height: number;
  data: ArrayBuffer;
  minConfidence: number;
  /** The analysis mode (see faces.ts); `full` by default. */
  mode?: FaceAnalysisMode;
  /** `recognise` only: faces a `light` look already found on this image (see faces.ts detectFaces). */
  known?: KnownFace[];
  /** Only load the models (warm-up). */
  warmUpOnly?: boolean;
}

export type FaceJobResult = { id: number; faces: DetectedFace[] } | { id: number; error: string };

interface Pending {
  resolve: (faces: DetectedFace[]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Worker threads, each with its own face-api instance and weights. Two on the 2-core target: the document
 * portrait and the liveness frames then run side by side (measured with the nets on wasm, bench:pipeline
 * direct, full flow: 1.7-1.8 s with one worker, 1.1-1.2 s with two; the document-only flow is unchanged, as
 * the OCR has the cores then).
 */
export const FACE_WORKERS = Math.max(1, Math.min(2, availableParallelism()));

const slots: Array<Slot | null> = Array.from({ length: FACE_WORKERS }, () => null);
let nextId = 1;

/**
 * The worker script beside this module: dist/face-worker.js in the bundled server, face-worker.ts when running
 * from source (tsx, Jest), which the worker loads through tsx's require hook (a dev dependency; `--import tsx`
 * in a worker's execArgv does not apply on Node 20). Null if neither is usable.
 */
function workerScript(): { code: string } | null {
  const js = path.join(__dirname, 'face-worker.js');
  if (existsSync(js)) return { code: `require(${JSON.stringify(js)});` };
  const ts = path.join(__dirname, 'face-worker.ts');
  if (!existsSync(ts)) return null;
  let tsxHook: string;
  try {
    tsxHook = require.resolve('tsx/cjs');
  } catch {
    return null;
  }
  return { code: `require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(ts)});` };
}

/** True when face analysis can run on the worker thread (its script is present). */
export function faceWorkerAvailable(): boolean {
  return workerScript() !== null;
}

function startWorker(index: number): Slot {
  const script = workerScript();
  if (!script) throw new Error('face worker script not found');
  const worker = new Worker(script.code, { eval: true });
  const slot: Slot = { worker, pending: new Map() };
  worker.on('message', (reply: FaceJobResult) => {
    const p = slot.pending.get(reply.id);
    if (!p) return;
    slot.pending.delete(reply.id);
    if (slot.pending.size === 0) worker.unref(); // idle: do not keep the process alive
    if ('error' in reply) p.reject(new Error(`face analysis failed: ${reply.error}`));
    else p.resolve(reply.faces);
  });
  // A crashed worker fails its own jobs; the next call starts a new one in its place.
  const fail = (err: Error) => {
    if (slots[index] === slot) slots[index] = null;
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`face worker exited with code ${code}`)));
  worker.unref();
  slots[index] = slot;
  return slot;
}

/** The least busy worker, started on first use. */
function pickSlot(): Slot {
  let best: Slot | null = null;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] ?? startWorker(i);
    if (!best || slot.pending.size < best.pending.size) best = slot;
  }
  if (!best) throw new Error('no face worker');
  return best;
}

function send(job: Omit<FaceJob, 'id'>, slot: Slot = pickSlot()): Promise<DetectedFace[]> {
  const id = nextId++;
  return new Promise<DetectedFace[]>((resolve, reject) => {
    slot.pending.set(id, { resolve, reject });
    slot.worker.ref(); // a job in flight keeps the process alive until it answers
    slot.worker.postMessage({ ...job, id }, [job.data]);
  });
}

/** Detects faces with landmarks and descriptors on the worker thread (same result as faces.ts detectFaces). */
export function detectFacesOffThread(
  image: RgbImage,
  minConfidence: number,
  mode: FaceAnalysisMode = 'full',
  known?: readonly KnownFace[],
): Promise<DetectedFace[]> {
  // Copy into a fresh ArrayBuffer to transfer: the Buffer may be a view into a shared pool.
  const data = new Uint8Array(image.data).buffer;
  // Only what the worker uses (a light look's result also carries a descriptor, yaw and roll).
  const knownFaces = known?.map(({ box, score }) => ({ box, score }));
  return send({ width: image.width, height: image.height, data, minConfidence, mode, known: knownFaces });
}

/** Loads the models in every worker. */
export async function warmUpFaceWorker(): Promise<void> {
  await Promise.all(
    slots.map((slot, i) =>
      send(
        { width: 0, height: 0, data: new ArrayBuffer(0), minConfidence: 1, warmUpOnly: true },
        slot ?? startWorker(i),
      ),
    ),
  );
}
