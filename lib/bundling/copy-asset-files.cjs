/**
 * Copies files into a Lambda asset after esbuild has bundled it (a command hook of lib/kyc-function.ts):
 *   node copy-asset-files.cjs <assetDir> <projectDir> <to>=<from> ...
 * `to` is relative to the asset, `from` to the project; both '/'-separated. Plain Node, so it runs wherever
 * `cdk synth` runs (POSIX shells and cmd.exe alike), offline. Fails on a missing source file.
 */
const fs = require('node:fs');
const path = require('node:path');

const [assetDir, projectDir, ...pairs] = process.argv.slice(2);
if (!assetDir || !projectDir || pairs.length === 0) {
  console.error('usage: copy-asset-files.cjs <assetDir> <projectDir> <to>=<from> ...');
  process.exit(2);
}
for (const pair of pairs) {
  const at = pair.indexOf('=');
  if (at <= 0) {
    console.error(`not <to>=<from>: ${pair}`);
    process.exit(2);
  }
  const to = path.join(assetDir, ...pair.slice(0, at).split('/'));
  const from = path.join(projectDir, ...pair.slice(at + 1).split('/'));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}
