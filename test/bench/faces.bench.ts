/**
 * bench:faces — one face analysis per mode (faces.ts detectFaces) with the nets on face-api's tfjs wasm backend
 * (the baseline, what the pipeline Lambda runs) and on onnxruntime (face-net-runtime.ts, what the local runtime
 * runs), side by side on the same images in the same process. Rounds alternate the two, so a noisy neighbour
 * slows both alike. Figures are the median milliseconds of one analysis on the calling thread (one core).
 * Last line is machine-readable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packagedFaceModelFiles } from '../../functions/checks/local/face-model-files';
import { runFaceNetsOnOnnx } from '../../functions/checks/local/face-net-runtime';
import {
  type DetectedFace,
  detectFaces,
  type FaceAnalysisMode,
  type FaceApiModule,
  type KnownFace,
  loadFaceApi,
} from '../../functions/checks/local/faces';
import { decodeImage, type RgbImage } from '../../functions/checks/local/image';
import { TESTDATA } from '../support/testdata';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Row {
  label: string;
  mode: FaceAnalysisMode;
  images: RgbImage[];
  /** `recognise` from the light look's faces (the recording's recognised frames). */
  fromLightLook?: boolean;
}

const decode = (file: string, maxSide: number) => decodeImage(readFileSync(join(TESTDATA, file)), file, maxSide);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function analyseRow(faceapi: FaceApiModule, row: Row, known: Map<RgbImage, KnownFace[]>): Promise<number> {
  const started = performance.now();
  for (const img of row.images) {
    const faces: DetectedFace[] = await detectFaces(
      faceapi,
      img,
      0.3,
      row.mode,
      row.fromLightLook ? known.get(img) : undefined,
    );
    if (row.mode === 'light')
      known.set(
        img,
        faces.map(({ box, score }) => ({ box, score })),
      );
  }
  return (performance.now() - started) / row.images.length;
}

async function main(): Promise<void> {
  const stills = await Promise.all(
    ['faces/obama_01.jpg', 'faces/london_013_smiling.jpg', 'faces/biden_02.jpg'].map((f) => decode(f, 1024)),
  );
  const documents = await Promise.all(
    ['documents/synth_td3_uto_person_a.jpg', 'documents/td3_cze_specimen.jpg'].map((f) => decode(f, 1600)),
  );
  const frameFiles = readdirSync(join(TESTDATA, 'liveness/person_a')).filter((f) => f.endsWith('.jpg'));
  const frames = await Promise.all(frameFiles.map((f) => decode(`liveness/person_a/${f}`, 1280)));
  const rows: Row[] = [
    { label: 'selfie/still (SSD + 68 + descriptor)', mode: 'full', images: stills },
    { label: 'document portrait search (tiny @512)', mode: 'locate', images: documents },
    { label: 'recording frame, light look', mode: 'light', images: frames },
    { label: 'recording frame, recognise from box', mode: 'recognise', images: frames, fromLightLook: true },
    { label: 'recording frame, recognise fresh', mode: 'recognise', images: frames.slice(0, 8) },
  ];

  const faceapi = await loadFaceApi({ ...packagedFaceModelFiles(), nets: 'wasm' });
  const known = new Map<RgbImage, KnownFace[]>();
  let restore: (() => void) | null = null;
  const runtimes = ['wasm', 'onnxruntime'] as const;
  const times: Record<(typeof runtimes)[number], number[][]> = {
    wasm: rows.map(() => []),
    onnxruntime: rows.map(() => []),
  };
  // One warm-up round each (first calls compile kernels and build the onnx sessions), then alternating rounds.
  for (let round = -1; round < ROUNDS; round++) {
    for (const runtime of runtimes) {
      restore?.();
      restore = runtime === 'onnxruntime' ? runFaceNetsOnOnnx(faceapi) : null;
      for (const [i, row] of rows.entries()) {
        const ms = await analyseRow(faceapi, row, known);
        if (round >= 0) times[runtime][i]?.push(ms);
      }
    }
  }
  restore?.();

  console.log(`\nface analysis, median ms per image over ${ROUNDS} alternating rounds (one thread)`);
  console.log(
    `${'analysis'.padEnd(40)} ${'images'.padStart(6)} ${'wasm'.padStart(8)} ${'onnx'.padStart(8)} ${'ratio'.padStart(6)}`,
  );
  let wasmTotal = 0;
  let onnxTotal = 0;
  for (const [i, row] of rows.entries()) {
    const wasm = median(times.wasm[i] ?? []);
    const onnx = median(times.onnxruntime[i] ?? []);
    wasmTotal += wasm;
    onnxTotal += onnx;
    console.log(
      `${row.label.padEnd(40)} ${String(row.images.length).padStart(6)} ${wasm.toFixed(1).padStart(8)} ${onnx.toFixed(1).padStart(8)} ${(wasm / onnx).toFixed(2).padStart(6)}`,
    );
  }
  console.log(
    `bench:faces rounds=${ROUNDS} full_wasm_ms=${median(times.wasm[0] ?? []).toFixed(0)} full_onnx_ms=${median(times.onnxruntime[0] ?? []).toFixed(0)} light_wasm_ms=${median(times.wasm[2] ?? []).toFixed(1)} light_onnx_ms=${median(times.onnxruntime[2] ?? []).toFixed(1)} sum_ratio=${(wasmTotal / onnxTotal).toFixed(2)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
