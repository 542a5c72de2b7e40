import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from '../app/deps';
import { MAX_IMAGE_PIXELS } from '../domain/image-sniff';

/** Settings of the local runtime, all from the environment (see docs/configuration.md). */
export interface LocalConfig extends AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Where the built hosted flow lives (served at /v/<id>). */
  hostedFlowDir: string;
  /** Where the built operator dashboard lives (served at /dashboard). */
  dashboardDir: string;
  /** `frame-ancestors` for the hosted page; 'none' unless configured. */
  frameAncestors: string;
  /** Seconds between maintenance sweeps (expiry, outbox recovery, retention purge). */
  sweepIntervalSeconds: number;
  /** Concurrent webhook sends / pipeline runs in the worker. */
  webhookConcurrency: number;
  pipelineConcurrency: number;
  /** Load the offline models at start, in the background (`KYC_WARM_MODELS=0` defers them to first use). */
  warmModels: boolean;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got "${raw}")`);
  return n;
}

function listEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Production retry schedule: 1 min, 5 min, 30 min (then dead-lettered). */
const DEFAULT_RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000];

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalConfig {
  const port = intEnv(env, 'PORT', 3000);
  const delays = listEnv(env, 'KYC_WEBHOOK_RETRY_DELAYS_MS').map(Number);
  if (delays.some((d) => !Number.isFinite(d) || d < 0))
    throw new Error('KYC_WEBHOOK_RETRY_DELAYS_MS must be a comma-separated list of milliseconds');
  return {
    runtime: 'local',
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    dataDir: resolve(cwd, env.KYC_DATA_DIR ?? '.kyc-data'),
    hostedFlowDir: resolve(env.KYC_HOSTED_FLOW_DIR ?? join(packageRoot(), 'hosted-flow', 'dist')),
    dashboardDir: resolve(env.KYC_DASHBOARD_DIR ?? join(packageRoot(), 'dashboard', 'dist')),
    frameAncestors: env.KYC_FRAME_ANCESTORS ?? "'none'",
    webhookAllowHosts: listEnv(env, 'KYC_WEBHOOK_ALLOW_HOSTS'),
    webhookRetryDelaysMs: delays.length ? delays : DEFAULT_RETRY_DELAYS_MS,
    webhookTimeoutMs: intEnv(env, 'KYC_WEBHOOK_TIMEOUT_MS', 8000),
    allowHttpLocalhost: true,
    idempotencyTtlSeconds: 24 * 3600,
    uploadTtlSeconds: intEnv(env, 'KYC_UPLOAD_TTL_SECONDS', 900),
    maxUploadBytes: 10 * 1024 * 1024,
    maxUploadPixels: MAX_IMAGE_PIXELS,
    sweepIntervalSeconds: intEnv(env, 'KYC_SWEEP_INTERVAL_SECONDS', 60),
    webhookConcurrency: intEnv(env, 'KYC_WEBHOOK_CONCURRENCY', 8),
    pipelineConcurrency: intEnv(env, 'KYC_PIPELINE_CONCURRENCY', 1),
    warmModels: env.KYC_WARM_MODELS !== '0',
  };
}

/** The project root (where package.json is), from the bundle in dist/ or the sources alike. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
