/**
 * The pipeline Lambda judges liveness recordings with face-api, so its asset ships face-api and tfjs (bundled on
 * their own, out of the handler's bundle), the weights of the nets the checks load and tfjs's wasm binaries.
 * Proven here by running the very commands the asset's bundling runs into an empty folder, then loading face-api
 * from that folder alone (no node_modules above it) and finding the face in a recording frame.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FACE_API_MODULE,
  FACE_API_NETS,
  FACE_ASSET_DIRS,
  TFJS_WASM_BINARIES,
} from '../../functions/checks/local/face-model-files';
import { bundleSeparateModulesCommands, copyAssetFilesCommands, packageOf, PROJECT_ROOT } from '../../lib/kyc-function';
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

const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

it('ships the weights of the nets the checks load and the tfjs wasm binaries, nothing else of the packages', () => {
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
  expect(filesUnder(path.join(asset, 'node_modules'))).toEqual([
    '@vladmandic',
    '@vladmandic/face-api',
    '@vladmandic/face-api/dist',
    '@vladmandic/face-api/dist/face-api.node-wasm.js',
  ]);
  expect(readFileSync(path.join(asset, 'node_modules', FACE_API_MODULE), 'utf8')).not.toContain('sourceMappingURL');
});

it('loads face-api, the wasm backend and the weights from the asset alone, and finds the face in a frame', () => {
  const frame = path.join(TESTDATA, 'liveness/person_a/frame_009.jpg');
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
  const decoded = spawnSync(
    process.execPath,
    [
      '-e',
      `require('sharp')(process.argv[1]).resize({ width: 320 }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => { process.stderr.write(JSON.stringify({ width: info.width, height: info.height })); process.stdout.write(data); })`,
      frame,
    ],
    { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  expect(decoded.status).toBe(0);
  const run = spawnSync(process.execPath, ['-e', script, decoded.stderr.toString()], {
    cwd: asset,
    input: decoded.stdout,
    // Only the asset: no NODE_PATH, and the temp folder has no node_modules above it.
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ backend: 'wasm', faces: 1 });
});
