/**
 * bench:bundles — every Lambda entry in functions/aws/entries (files exporting `handler`) bundled with esbuild
 * using the CDK stack's own options (KYC_BUNDLING in lib/kyc-function.ts), side by side with a minimal middy
 * handler returning 200 bundled the same way. Prints each bundle's minified size and its cold `require` time:
 * a fresh `node` per measurement, median of BENCH_SPAWNS spawns, with and without --enable-source-maps (the
 * deployed functions set it in NODE_OPTIONS). @aws-sdk/* is external, as in Lambda; here it resolves from the
 * repository's node_modules, so the require time includes loading the SDK clients.
 * With BENCH_TOP=<n>, lists the n largest inputs of each API bundle (esbuild metafile). Last line is machine-readable.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { KYC_BUNDLING } from '../../lib/kyc-function';

const ROOT = resolve(__dirname, '../..');
const ENTRIES_DIR = join(ROOT, 'functions/aws/entries');
const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 5);
const TOP = Number(process.env.BENCH_TOP ?? 0);
const API_ENTRIES = ['integrator', 'applicant', 'public', 'authorizer'];
const TARGET_KB = 250;
const TARGET_REQUIRE_MS = 80;

/** Placeholder values for the variables the entries validate at cold start (nothing is called). */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  [AWS_ENV.tableName]: 'kyc-bench',
  [AWS_ENV.capturesBucket]: 'kyc-bench-captures',
  [AWS_ENV.capturesKeyArn]: 'arn:aws:kms:eu-west-1:111111111111:key/bench',
  [AWS_ENV.secretsKeyArn]: 'arn:aws:kms:eu-west-1:111111111111:key/bench-secrets',
  [AWS_ENV.identityMacKeyArn]: 'arn:aws:kms:eu-west-1:111111111111:key/identity-mac',
  [AWS_ENV.webhookQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111111111111/kyc-bench-webhooks',
  [AWS_ENV.pipelineStateMachineArn]: 'arn:aws:states:eu-west-1:111111111111:stateMachine:kyc-bench',
  [AWS_ENV.faceCollectionId]: 'kyc-bench',
  [AWS_ENV.publicUrl]: 'https://kyc.example.com',
  POWERTOOLS_SERVICE_NAME: 'kyc-bench',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
  LOG_LEVEL: 'ERROR',
};

const BASELINE_SOURCE = `import middy from '@middy/core';
export const handler = middy().handler(async () => ({ statusCode: 200, body: '' }));
`;

/** Entries are the modules that export `handler`; the others are helpers they import. */
function lambdaEntries(): string[] {
  return readdirSync(ENTRIES_DIR)
    .filter((f) => f.endsWith('.ts'))
    .filter((f) =>
      /^export\s+(const|let|async\s+function|function)\s+handler\b|^export\s*\{[^}]*\bhandler\b/m.test(
        readFileSync(join(ENTRIES_DIR, f), 'utf8'),
      ),
    )
    .map((f) => basename(f, '.ts'));
}

/** esbuild with the options NodejsFunction derives from KYC_BUNDLING. */
async function bundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: KYC_BUNDLING.target,
    format: KYC_BUNDLING.format,
    minify: KYC_BUNDLING.minify,
    sourcemap: KYC_BUNDLING.sourceMap,
    external: [...KYC_BUNDLING.externalModules],
    nodePaths: [join(ROOT, 'node_modules')],
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

/** Cold require of one bundle in a fresh process, in ms (hrtime around require only). */
function requireMs(file: string, sourceMaps: boolean): number {
  const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});const ms=Number(process.hrtime.bigint()-t)/1e6;if(typeof m.handler!=='function')throw new Error('no handler');process.stdout.write(String(ms));`;
  return timeScript(script, sourceMaps, file);
}

/** Which of the bundle's external packages its require actually loads (the rest are required lazily, e.g. sharp). */
function loadedExternals(file: string, externals: string[]): string[] {
  const script = `require(${JSON.stringify(file)});const ext=${JSON.stringify(externals)};const seen=new Set(Object.keys(require.cache).map((k)=>/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k)?.[1]));process.stdout.write(JSON.stringify(ext.filter((e)=>seen.has(e))));`;
  const run = spawnSync(process.execPath, ['-e', script], { env: lambdaProcessEnv(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`require ${file} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

function lambdaProcessEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...LAMBDA_ENV,
    NODE_PATH: join(ROOT, 'node_modules'),
    NODE_OPTIONS: '',
    NODE_NO_WARNINGS: '1',
  };
}

/** Cold require of only the external packages a bundle loads (the AWS SDK clients), in a fresh process. */
function externalsMs(externals: string[]): number {
  if (externals.length === 0) return 0;
  const script = `const t=process.hrtime.bigint();for(const m of ${JSON.stringify(externals)})require(m);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  return timeScript(script, false, externals.join(','));
}

function timeScript(script: string, sourceMaps: boolean, label: string): number {
  const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script];
  const run = spawnSync(process.execPath, args, { env: lambdaProcessEnv(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`require ${label} failed: ${run.stderr}`);
  return Number(run.stdout);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Largest inputs of a bundle, grouped by package (node_modules/<pkg>) or by repository folder. */
function topInputs(meta: Metafile, output: string, n: number): string[] {
  const out = Object.entries(meta.outputs).find(([path]) => path.endsWith(output))?.[1];
  if (!out) return [];
  const groups = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
    groups.set(pkg, (groups.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${(v / 1024).toFixed(1).padStart(7)} KB  ${k}`);
}

interface Row {
  name: string;
  kb: number;
  requireMs: number;
  requireMsNoMaps: number;
  /** External packages loaded by requiring the bundle (resolved from node_modules here, from the runtime in Lambda). */
  externals: string[];
  externalsMs: number;
  api: boolean;
  meta: Metafile;
}

async function measure(name: string, entry: string, dir: string, api: boolean): Promise<Row> {
  const outDir = join(dir, name);
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.js');
  const meta = await bundle(entry, outfile);
  const withMaps: number[] = [];
  const withoutMaps: number[] = [];
  const sdkOnly: number[] = [];
  const externals = loadedExternals(outfile, externalImports(meta));
  for (let i = 0; i < SPAWNS; i++) {
    withMaps.push(requireMs(outfile, true));
    withoutMaps.push(requireMs(outfile, false));
    sdkOnly.push(externalsMs(externals));
  }
  return {
    name,
    kb: statSync(outfile).size / 1024,
    requireMs: median(withMaps),
    requireMsNoMaps: median(withoutMaps),
    externals,
    externalsMs: median(sdkOnly),
    api,
    meta,
  };
}

/** Packages left external (import paths), as the bundle requires them. */
function externalImports(meta: Metafile): string[] {
  const all = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  return [...new Set(all)].filter((p) => !p.startsWith('node:') && !isBuiltin(p)).sort();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-bundles-'));
  try {
    const baselineEntry = join(dir, 'baseline-middy.ts');
    writeFileSync(baselineEntry, BASELINE_SOURCE);
    const rows: Row[] = [await measure('baseline (middy 200)', baselineEntry, dir, false)];
    for (const name of lambdaEntries())
      rows.push(await measure(name, join(ENTRIES_DIR, `${name}.ts`), dir, API_ENTRIES.includes(name)));

    const baseline = rows[0]!;
    console.log(
      `esbuild ${KYC_BUNDLING.format} ${KYC_BUNDLING.target} minify=${KYC_BUNDLING.minify} external=${KYC_BUNDLING.externalModules.join(',')}; require: median of ${SPAWNS} fresh node processes`,
    );
    console.log(
      `${'bundle'.padEnd(22)} ${'KB'.padStart(8)} ${'x base'.padStart(7)} ${'require ms'.padStart(11)} ${'(no maps)'.padStart(10)} ${'x base'.padStart(7)} ${'SDK ms'.padStart(7)}  target`,
    );
    for (const r of rows) {
      const verdict = r.api ? (r.kb <= TARGET_KB && r.requireMs <= TARGET_REQUIRE_MS ? 'met' : 'MISSED') : '';
      console.log(
        `${r.name.padEnd(22)} ${r.kb.toFixed(1).padStart(8)} ${(r.kb / baseline.kb).toFixed(1).padStart(7)} ${r.requireMs.toFixed(1).padStart(11)} ${r.requireMsNoMaps.toFixed(1).padStart(10)} ${(r.requireMs / baseline.requireMs).toFixed(1).padStart(7)} ${r.externalsMs.toFixed(1).padStart(7)}  ${verdict}`,
      );
    }
    const api = rows.filter((r) => r.api);
    const maxKb = Math.max(...api.map((r) => r.kb));
    const maxMs = Math.max(...api.map((r) => r.requireMs));
    console.log(
      'SDK ms = requiring only the bundle\'s external packages (the AWS SDK v3 clients) in a fresh process: part of "require ms".',
    );
    console.log(
      `API handlers (${API_ENTRIES.join(', ')}): target <= ${TARGET_KB} KB and <= ${TARGET_REQUIRE_MS} ms require (with --enable-source-maps, as deployed)`,
    );
    for (const r of api.filter((r) => r.kb > TARGET_KB || r.requireMs > TARGET_REQUIRE_MS)) {
      console.log(
        `  ${r.name} misses the target (${r.kb.toFixed(0)} KB, ${r.requireMs.toFixed(0)} ms); of which ~${r.externalsMs.toFixed(0)} ms loading ${r.externals.join(' ')}; largest inputs:`,
      );
      for (const line of topInputs(r.meta, `${r.name}/index.js`, Math.max(TOP, 8))) console.log(`    ${line}`);
    }
    if (TOP > 0) {
      for (const r of api.filter((r) => r.kb <= TARGET_KB && r.requireMs <= TARGET_REQUIRE_MS)) {
        console.log(`  ${r.name} largest inputs:`);
        for (const line of topInputs(r.meta, `${r.name}/index.js`, TOP)) console.log(`    ${line}`);
      }
    }
    console.log(`bench:bundles max_api_kb=${maxKb.toFixed(0)} max_api_require_ms=${maxMs.toFixed(0)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
