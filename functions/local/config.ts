import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_DEFAULTS, envVar, parseEnv } from '../app/config-env';
import type { AppConfig } from '../app/deps';

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
  /** Email of the dashboard's first admin, created on the first start (default `admin@example.com`). */
  adminEmail?: string;
}

/** The local runtime's variables; the shared defaults come from CONFIG_DEFAULTS. */
const localEnv = {
  PORT: envVar.int(3000),
  HOST: envVar.text('127.0.0.1'),
  PUBLIC_URL: envVar.optionalUrl(),
  KYC_DATA_DIR: envVar.text('.kyc-data'),
  KYC_HOSTED_FLOW_DIR: envVar.optionalText(),
  KYC_DASHBOARD_DIR: envVar.optionalText(),
  KYC_FRAME_ANCESTORS: envVar.text("'none'"),
  KYC_WEBHOOK_ALLOW_HOSTS: envVar.list(),
  KYC_WEBHOOK_RETRY_DELAYS_MS: envVar.millisList(CONFIG_DEFAULTS.webhookRetryDelaysMs),
  KYC_WEBHOOK_TIMEOUT_MS: envVar.int(CONFIG_DEFAULTS.webhookTimeoutMs),
  KYC_UPLOAD_TTL_SECONDS: envVar.int(CONFIG_DEFAULTS.uploadTtlSeconds),
  KYC_SWEEP_INTERVAL_SECONDS: envVar.int(60),
  KYC_WEBHOOK_CONCURRENCY: envVar.int(8),
  // 2 on 2 cores: OCR on the main thread overlaps the face models in their worker (bench:load, docs/benchmarks.md).
  KYC_PIPELINE_CONCURRENCY: envVar.int(2),
  KYC_WARM_MODELS: envVar.flag(true),
  KYC_ADMIN_EMAIL: envVar.optionalText(),
};

/**
 * Builds the local runtime config from environment variables (docs/configuration.md).
 * @throws Error naming every malformed variable
 */
export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalConfig {
  const e = parseEnv(localEnv, env, 'local');
  return {
    ...CONFIG_DEFAULTS,
    runtime: 'local',
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    dataDir: resolve(cwd, e.KYC_DATA_DIR),
    hostedFlowDir: resolve(e.KYC_HOSTED_FLOW_DIR ?? join(packageRoot(), 'hosted-flow', 'dist')),
    dashboardDir: resolve(e.KYC_DASHBOARD_DIR ?? join(packageRoot(), 'dashboard', 'dist')),
    frameAncestors: e.KYC_FRAME_ANCESTORS,
    webhookAllowHosts: e.KYC_WEBHOOK_ALLOW_HOSTS,
    webhookRetryDelaysMs: e.KYC_WEBHOOK_RETRY_DELAYS_MS,
    webhookTimeoutMs: e.KYC_WEBHOOK_TIMEOUT_MS,
    allowHttpLocalhost: true,
    uploadTtlSeconds: e.KYC_UPLOAD_TTL_SECONDS,
    sweepIntervalSeconds: e.KYC_SWEEP_INTERVAL_SECONDS,
    webhookConcurrency: e.KYC_WEBHOOK_CONCURRENCY,
    pipelineConcurrency: e.KYC_PIPELINE_CONCURRENCY,
    warmModels: e.KYC_WARM_MODELS,
    ...(e.KYC_ADMIN_EMAIL ? { adminEmail: e.KYC_ADMIN_EMAIL } : {}),
  };
}

/** Which deployment the admin CLI manages: the local data directory, or a deployed stack (`KYC_RUNTIME=aws`). */
export function cliRuntime(env: NodeJS.ProcessEnv = process.env): 'local' | 'aws' {
  return parseEnv({ KYC_RUNTIME: envVar.choice(['local', 'aws'], 'local') }, env, 'CLI').KYC_RUNTIME;
}

/** The project root (where package.json is), from the bundle in dist/ or the sources alike. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
