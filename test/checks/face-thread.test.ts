/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import {
  detectFacesOffThread,
  FACE_WORKERS,
  faceWorkerAvailable,
  warmUpFaceWorker,
} from '../../functions/checks/local/face-thread';
import { detectFaces } from '../../functions/checks/local/faces';
import { decodeImage } from '../../functions/checks/local/image';
import { faceModels } from '../../functions/checks/local/models';
import path from 'node:path';
import { sequenceFrame } from '../support/liveness-sequences';
import { TESTDATA } from '../support/testdata';
import { image } from './testdata';

/**
 * Face analysis on the worker threads gives exactly what the same model gives on the main thread, and
 * concurrent jobs spread over the pool all come back to their own caller.
 */
beforeAll(() => Promise.all([warmUpFaceWorker(), faceModels()]), 120_000);

it('runs from source (the worker script is found)', () => {
  expect(faceWorkerAvailable()).toBe(true);
  expect(FACE_WORKERS).toBeGreaterThanOrEqual(1);
});

it('returns the same faces as an in-thread analysis, for concurrent jobs', async () => {
  const files = [
    'faces/obama_01.jpg',
    'documents/synth_td3_uto_person_a.jpg',
    'liveness/person_a/frame_013.jpg',
    'faces/london_013_smiling.jpg',
  ];
  const images = await Promise.all(files.map((f) => decodeImage(image(f).bytes, f, 1024)));
  const offThread = await Promise.all(images.map((img) => detectFacesOffThread(img, 0.3)));
  const faceapi = await faceModels();
  for (const [i, img] of images.entries()) {
    const inThread = await detectFaces(faceapi, img, 0.3);
    const worker = offThread[i]!;
    expect(worker.length).toBe(inThread.length);
    expect(worker.length).toBeGreaterThan(0);
    for (const [j, face] of inThread.entries()) {
      expect(worker[j]!.box).toEqual(face.box);
      expect(worker[j]!.yaw).toBeCloseTo(face.yaw, 6);
      expect(Array.from(worker[j]!.descriptor)).toEqual(Array.from(face.descriptor));
    }
  }
}, 120_000);

it("locates faces with the tiny detector alone ('locate'): boxes and scores as in-thread, no descriptor", async () => {
  const file = 'documents/synth_td3_uto_person_a.jpg';
  const decoded = await decodeImage(image(file).bytes, file, 1600);
  const [offThread, inThread] = await Promise.all([
    detectFacesOffThread(decoded, 0.3, 'locate'),
    faceModels().then((faceapi) => detectFaces(faceapi, decoded, 0.3, 'locate')),
  ]);
  expect(offThread.length).toBeGreaterThan(0);
  expect(offThread.map((f) => [f.box, f.score])).toEqual(inThread.map((f) => [f.box, f.score]));
  expect(offThread.every((f) => f.descriptor.length === 0)).toBe(true);
}, 120_000);

it("recognises from a light look's faces ('recognise' with known faces): exactly a fresh 'recognise'", async () => {
  // Recording frames as the page sends them (320 px); the detector is skipped, so the box must be carried exactly.
  const files = ['frame_000', 'frame_009', 'frame_013', 'frame_022'].map((f) => `liveness/person_a/${f}.jpg`);
  const frames = await Promise.all(
    files.map(async (f) => decodeImage(await sequenceFrame(path.join(TESTDATA, f)), f, 640)),
  );
  for (const frame of frames) {
    const light = await detectFacesOffThread(frame, 0.3, 'light');
    expect(light).toHaveLength(1);
    const [fresh, fromLight] = await Promise.all([
      detectFacesOffThread(frame, 0.3, 'recognise'),
      detectFacesOffThread(frame, 0.3, 'recognise', light),
    ]);
    expect(fromLight).toHaveLength(1);
    expect(fromLight[0]!.descriptor).toHaveLength(128);
    expect(fromLight[0]!.box).toEqual(fresh[0]!.box);
    expect(fromLight[0]!.yaw).toBe(fresh[0]!.yaw);
    expect(Array.from(fromLight[0]!.descriptor)).toEqual(Array.from(fresh[0]!.descriptor));
    // The detector really is skipped: a box moved by hand comes back as given, not as the detector's.
    const moved = { ...light[0]!.box, x: light[0]!.box.x + 3 };
    const [fromMoved] = await detectFacesOffThread(frame, 0.3, 'recognise', [{ box: moved, score: light[0]!.score }]);
    expect(fromMoved!.box.x).toBeCloseTo(moved.x, 9);
    expect(fromMoved!.box.x).not.toBeCloseTo(fresh[0]!.box.x, 1);
  }
}, 120_000);
