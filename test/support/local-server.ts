import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrganisation, mintKey, type MintedKeyView } from '../../functions/app/admin';
import type { Flow, Mode, Organisation, Plan } from '../../functions/domain/model';
import type { FlowSettings } from '../../functions/domain/flows';
import { createFlow } from '../../functions/app/admin';
import type { CheckProvider } from '../../functions/ports/checks';
import type { Clock } from '../../functions/ports/clock';
import { startLocalApp, type RunningApp } from '../../functions/local/app';
import { loadLocalConfig } from '../../functions/local/config';

export interface TestServer {
  baseUrl: string;
  app: RunningApp;
  dataDir: string;
  org: Organisation;
  defaultFlow: Flow;
  /** Mints a key for the test org (bound to the default flow unless told otherwise). */
  mintKey(mode?: Mode, opts?: { flowId?: string | null; legacy?: boolean; orgId?: string }): Promise<MintedKeyView>;
  createFlow(settings: FlowSettings, orgId?: string): Promise<Flow>;
  createOrg(plan: Plan): Promise<{ org: Organisation; flow: Flow }>;
  stop(): Promise<void>;
}

/**
 * Starts the real local service in-process on a free port over a fresh temporary data directory,
 * with one enterprise organisation. `env` overrides configuration (e.g. KYC_WEBHOOK_RETRY_DELAYS_MS).
 */
export async function startTestServer(
  opts: { env?: Record<string, string>; checks?: () => Promise<CheckProvider>; clock?: Clock; dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kyc-test-'));
  const config = loadLocalConfig({
    PORT: '0',
    KYC_DATA_DIR: dataDir,
    KYC_WEBHOOK_ALLOW_HOSTS: 'localhost,127.0.0.1',
    ...opts.env,
  });
  const app = await startLocalApp(config, { clock: opts.clock, checks: opts.checks });
  const port = (app.server.address() as { port: number }).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  // PUBLIC_URL must carry the real port for verifyUrl; the config was built before the port was known.
  if (!opts.env?.PUBLIC_URL) app.runtime.deps.config.publicUrl = baseUrl;
  const deps = app.runtime.deps;
  const existing = (await deps.store.orgs.list())[0];
  const { org, flow } = existing
    ? { org: existing, flow: (await deps.store.flows.get(existing.id, existing.defaultFlowId ?? ''))! }
    : await createOrganisation(deps, { name: 'Test org', plan: 'enterprise' });
  return {
    baseUrl,
    app,
    dataDir,
    org,
    defaultFlow: flow,
    mintKey: (mode = 'test', o = {}) =>
      mintKey(deps, { orgId: o.orgId ?? org.id, mode, flowId: o.flowId ?? null, legacy: o.legacy }),
    createFlow: (settings, orgId) => createFlow(deps, orgId ?? org.id, settings),
    createOrg: (plan) => createOrganisation(deps, { name: `Org ${plan}`, plan }),
    async stop() {
      await app.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch with JSON helpers for the integrator API. */
export async function api(
  baseUrl: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(opts.key ? { 'X-Api-Key': opts.key } : {}), ...opts.headers };
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  return readResponse(await fetch(`${baseUrl}${path}`, { method, headers, body }));
}

/** Status, headers, text and parsed JSON (null when the body is not JSON) of a fetch response. */
export async function readResponse(res: globalThis.Response) {
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}
