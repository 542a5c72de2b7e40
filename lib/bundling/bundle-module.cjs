/**
 * Bundles JavaScript modules into their own files in a Lambda asset (a command hook of lib/kyc-function.ts):
 *   node bundle-module.cjs <assetDir> <projectDir> <target> <specifier> ...
 * Each `specifier` (a package file, e.g. `@vladmandic/face-api/dist/face-api.node-wasm.js`) is bundled with its
 * dependencies by the project's esbuild into `<assetDir>/node_modules/<specifier>`, minified and without a source
 * map, where the handler's bundle (which left the package external) requires it at run time. Plain Node and the
 * project's own esbuild: runs wherever `cdk synth` runs, offline, and the output is platform-independent JS.
 */
const path = require('node:path');

const [assetDir, projectDir, target, ...specifiers] = process.argv.slice(2);
if (!assetDir || !projectDir || !target || specifiers.length === 0) {
  console.error('usage: bundle-module.cjs <assetDir> <projectDir> <target> <specifier> ...');
  process.exit(2);
}
const esbuild = require(require.resolve('esbuild', { paths: [projectDir] }));
for (const specifier of specifiers) {
  if (!specifier.endsWith('.js')) {
    console.error(`not a .js file of a package: ${specifier}`);
    process.exit(2);
  }
  esbuild.buildSync({
    entryPoints: [require.resolve(specifier, { paths: [projectDir] })],
    outfile: path.join(assetDir, 'node_modules', ...specifier.split('/')),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target,
    minify: true,
    logLevel: 'warning',
  });
}
