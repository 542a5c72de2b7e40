/**
 * The pipeline Lambda judges liveness recordings with face-api, so its asset ships face-api and tfjs (bundled on
 * their own, out of the handler's bundle), the weights of the nets the checks load, tfjs's wasm binaries and
 * onnxruntime for linux-x64 (the nets' layers). Proven here by running the very commands the asset's bundling
 * runs into an empty folder, then loading face-api from that folder alone (no node_modules above it) and finding
 * the face in a recording frame, on wasm and with our code bundled beside it on the asset's onnxruntime.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FACE_API_MODULE,
  FACE_API_NETS,
  FACE_ASSET_DIRS,
  ONNX_RUNTIME_PACKAGES,
  TFJS_WASM_BINARIES,
} from '../../functions/checks/local/face-model-files';
import {
  bundleSeparateModulesCommands,
  copyAssetFilesCommands,
  KYC_BUNDLING,
  packageOf,
  PROJECT_ROOT,
} from '../../lib/kyc-function';
import { faceModelAssetFiles } from '../../lib/pipeline';
import { TESTDATA } from '../support/testdata';

jest.setTimeout(120_000);

let asset: string;
beforeAll(() => {
  asset = mkdtempSync(path.join(tmpdir(), 'kyc-face-asset-'));
  const commands = [
    ...bundleSeparateModulesCommands(PROJECT_ROOT, asset, [{ specifier: FACE_API_MODULE }]),
    ...copyAssetFilesCommands(PROJECT_ROOT, asset, faceModelAssetFiles()),
  ];
  // In a shell, as the CDK's local bundling runs its command hooks.
  for (const command of commands) execSync(command, { stdio: 'pipe', cwd: PROJECT_ROOT });
});
afterAll(() => rmSync(asset, { recursive: true, force: true }));

/** A test frame as raw RGB at the recording's 320 px (decoded by a child process: sharp is not part of the asset). */
function decodeFrame(file: string): { width: number; height: number; rgb: Buffer } {
  const decoded = spawnSync(
    process.execPath,
    [
      '-e',
      `require('sharp')(process.argv[1]).resize({ width: 320 }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => { process.stderr.write(JSON.stringify({ width: info.width, height: info.height })); process.stdout.write(data); })`,
      path.join(TESTDATA, file),
    ],
    { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  expect(decoded.status).toBe(0);
  const { width, height } = JSON.parse(decoded.stderr.toString()) as { width: number; height: number };
  return { width, height, rgb: decoded.stdout };
}

const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

it('ships the weights of the nets the checks load, the tfjs wasm binaries and onnxruntime for linux-x64, nothing else of the packages', () => {
  const stems = Object.values(FACE_API_NETS);
  expect(filesUnder(path.join(asset, FACE_ASSET_DIRS.weights))).toEqual(
    stems.flatMap((s) => [`${s}-weights_manifest.json`, `${s}.bin`]).sort(),
  );
  expect(filesUnder(path.join(asset, FACE_ASSET_DIRS.wasm))).toEqual([...TFJS_WASM_BINARIES].sort());
  // Age/gender and expression nets stay out: 12.8 of the package's 13.5 MB of weights ship.
  const weightBytes = filesUnder(path.join(asset, FACE_ASSET_DIRS.weights)).reduce(
    (sum, f) => sum + statSync(path.join(asset, FACE_ASSET_DIRS.weights, f)).size,
    0,
  );
  expect(weightBytes).toBeLessThan(13 * 1024 * 1024);
  // face-api with tfjs as one file where the handler's external require finds it; no tfjs packages, no source map.
  expect(packageOf(FACE_API_MODULE)).toBe('@vladmandic/face-api');
  expect(filesUnder(path.join(asset, 'node_modules')).filter((f) => !/^onnxruntime-[a-z]+\//.test(f))).toEqual(
    [
      '@vladmandic',
      '@vladmandic/face-api',
      '@vladmandic/face-api/dist',
      '@vladmandic/face-api/dist/face-api.node-wasm.js',
      ...ONNX_RUNTIME_PACKAGES,
    ].sort(),
  );
  // onnxruntime: the Lambda platform's binaries only (the package has every platform's: 288 MB), no typings or maps.
  const runtime = filesUnder(path.join(asset, 'node_modules', 'onnxruntime-node'));
  expect(
    runtime.filter(
      (f) => f.startsWith('bin/') && statSync(path.join(asset, 'node_modules/onnxruntime-node', f)).isFile(),
    ),
  ).toEqual(['bin/napi-v6/linux/x64/libonnxruntime.so.1', 'bin/napi-v6/linux/x64/onnxruntime_binding.node']);
  expect(runtime.some((f) => f.endsWith('.d.ts') || f.endsWith('.map'))).toBe(false);
  const assetBytes = filesUnder(asset).reduce((sum, f) => {
    const stat = statSync(path.join(asset, f));
    return sum + (stat.isFile() ? stat.size : 0);
  }, 0);
  expect(assetBytes).toBeLessThan(70 * 1024 * 1024);
  expect(readFileSync(path.join(asset, 'node_modules', FACE_API_MODULE), 'utf8')).not.toContain('sourceMappingURL');
});

it('loads face-api, the wasm backend and the weights from the asset alone, and finds the face in a frame', () => {
  const frame = 'liveness/person_a/frame_009.jpg';
  const script = `
    const path = require('node:path');
    const fs = require('node:fs');
    const faceapi = require(${JSON.stringify(FACE_API_MODULE)});
    (async () => {
      faceapi.tf.setWasmPaths(path.join(process.cwd(), ${JSON.stringify(FACE_ASSET_DIRS.wasm)}) + path.sep);
      await faceapi.tf.setBackend('wasm');
      for (const net of ${JSON.stringify(Object.keys(FACE_API_NETS))}) {
        await faceapi.nets[net].loadFromDisk(path.join(process.cwd(), ${JSON.stringify(FACE_ASSET_DIRS.weights)}));
      }
      // A raw RGB frame (decoded by the parent: sharp is not part of this test's asset).
      const { width, height } = JSON.parse(process.argv[1]);
      const rgb = fs.readFileSync(0);
      const input = faceapi.tf.tensor3d(new Int32Array(rgb), [height, width, 3], 'int32');
      const faces = await faceapi
        .detectAllFaces(input, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.3 }))
        .withFaceLandmarks(true);
      process.stdout.write(JSON.stringify({ backend: faceapi.tf.getBackend(), faces: faces.length }));
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const { width, height, rgb } = decodeFrame(frame);
  const run = spawnSync(process.execPath, ['-e', script, JSON.stringify({ width, height })], {
    cwd: asset,
    input: rgb,
    // Only the asset: no NODE_PATH, and the temp folder has no node_modules above it.
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ backend: 'wasm', faces: 1 });
});

it("runs our face analysis from the asset alone on the asset's onnxruntime, as on wasm", () => {
  // Our code bundled beside the asset's files, with the externals the pipeline Lambda's bundle has.
  const entry = path.join(asset, 'probe-entry.ts');
  const local = path.join(PROJECT_ROOT, 'functions/checks/local');
  writeFileSync(
    entry,
    `import { faceModelFiles } from ${JSON.stringify(path.join(local, 'face-model-files'))};
     import { detectFaces, loadFaceApi } from ${JSON.stringify(path.join(local, 'faces'))};
     import { runFaceNetsOnOnnx } from ${JSON.stringify(path.join(local, 'face-net-runtime'))};
     export async function probe(width: number, height: number, data: Buffer) {
       const files = faceModelFiles();
       const faceapi = await loadFaceApi({ ...files, nets: 'wasm' });
       const image = { width, height, data };
       const [onWasm] = await detectFaces(faceapi, image, 0.3, 'light');
       runFaceNetsOnOnnx(faceapi);
       const [onOnnx] = await detectFaces(faceapi, image, 0.3, 'light');
       return { nets: files.nets, wasm: onWasm && { score: onWasm.score, yaw: onWasm.yaw }, onnx: onOnnx && { score: onOnnx.score, yaw: onOnnx.yaw } };
     }`,
  );
  execSync(
    `npx esbuild ${JSON.stringify(entry)} --bundle --platform=node --format=cjs --log-level=warning ` +
      `--outfile=${JSON.stringify(path.join(asset, 'probe.js'))} ` +
      [...KYC_BUNDLING.externalModules, packageOf(FACE_API_MODULE)].map((m) => `--external:${m}`).join(' '),
    { cwd: PROJECT_ROOT, stdio: 'pipe' },
  );
  const { width, height, rgb } = decodeFrame('liveness/person_a/frame_013.jpg');
  const run = spawnSync(
    process.execPath,
    [
      '-e',
      `require('./probe.js').probe(${width}, ${height}, require('node:fs').readFileSync(0))
        .then((r) => process.stdout.write(JSON.stringify(r)), (err) => { console.error(err); process.exit(1); })`,
    ],
    { cwd: asset, input: rgb, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as {
    nets: string;
    wasm?: { score: number; yaw: number };
    onnx?: { score: number; yaw: number };
  };
  // The asset ships onnxruntime, so the Lambda's faceModelFiles() picks it; both runtimes see the same turned face.
  expect(result.nets).toBe('onnxruntime');
  expect(result.wasm && result.onnx).toBeTruthy();
  expect(result.wasm!.yaw).toBeGreaterThan(0.2);
  expect(Math.abs(result.onnx!.yaw - result.wasm!.yaw)).toBeLessThan(1e-4);
  expect(Math.abs(result.onnx!.score - result.wasm!.score)).toBeLessThan(1e-4);
});
