#!/usr/bin/env node
/**
 * Runs dependency-cruiser over the source tree with .dependency-cruiser.cjs (the layer rule) and exits
 * non-zero on any violation. Called by `npm run lint`.
 *
 * Why not the `depcruise` CLI: dependency-cruiser 18 refuses to start on Node 20 (its CLI checks `engines`,
 * ^22), while its library runs fine here; this project supports Node >= 20.19. Usage:
 *   node scripts/check-layers.mjs [paths...]   (default: functions lib bin hosted-flow/src)
 * Paths are relative to the working directory, which the rules' paths are matched against.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs');
const tsConfigPath = fileURLToPath(new URL(`../${config.options.tsConfig.fileName}`, import.meta.url));
const paths = process.argv.slice(2);
const roots = paths.length > 0 ? paths : ['functions', 'lib', 'bin', 'hosted-flow/src'];

const result = await cruise(
  roots,
  { ...config.options, tsConfig: { fileName: tsConfigPath }, ruleSet: { forbidden: config.forbidden }, validate: true },
  undefined,
  { tsConfig: extractTSConfig(tsConfigPath) },
);
const report = await format(result.output, { outputType: 'err' });
process.stdout.write(report.output);
process.exitCode = report.exitCode;
