import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TRAINING, fontsAvailable, OCRB_FONTS, trainWeights } from './mrz-glyph-training';

/**
 * `npm run train:mrz`: trains the OCR-B glyph classifier and writes
 * functions/checks/local/mrz-glyph-weights.json (commit it: the product ships the weights, not the font;
 * test/checks/mrz-glyph-training.test.ts checks that retraining reproduces it). `npm run train:mrz -- <file>`
 * writes elsewhere. Needs Debian's fonts-ocr-b (public domain) for rendering the training glyphs. The shipped file
 * is formatted by biome after writing (as `npm run lint` expects; the values are unchanged).
 */
async function main(): Promise<void> {
  if (!fontsAvailable()) {
    console.error(`OCR-B fonts not found (${OCRB_FONTS.join(', ')}): apt-get install fonts-ocr-b`);
    process.exit(1);
  }
  const started = performance.now();
  const { file } = await trainWeights(DEFAULT_TRAINING, (s) => console.log(s));
  const shipped = path.join(__dirname, '..', 'functions', 'checks', 'local', 'mrz-glyph-weights.json');
  const out = process.argv[2] ?? shipped;
  writeFileSync(out, `${JSON.stringify(file, null, 1)}\n`);
  if (out === shipped) {
    execFileSync(process.execPath, [require.resolve('@biomejs/biome/bin/biome'), 'format', '--write', out], {
      stdio: 'inherit',
    });
  }
  const cpu = process.cpuUsage();
  console.log(
    `wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s (process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
