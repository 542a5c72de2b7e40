import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowSettings } from '../../../functions/domain/flows';
import type { WebhookEventName } from '../../../functions/domain/model';
import type { CheckProvider } from '../../../functions/ports/checks';
import type { Clock } from '../../../functions/ports/clock';
import { api, startTestServer, type TestServer } from '../../support/local-server';

/**
 * The real local service (in-process, temporary data dir) plus the integrator-side helpers the browser
 * tests need: keys, verifications, webhooks, and a clock that can jump forward to expire a link.
 */
export interface MintedKey {
  key: string;
  secret: string;
  keyId: string;
  mode: 'live' | 'test';
}

export interface KycEnv {
  server: TestServer;
  baseUrl: string;
  clock: Clock & { advance(ms: number): void; reset(): void };
  /** Mints a key (live by default) bound to a new flow with these settings, or to the default flow. */
  key(mode?: 'live' | 'test', flow?: FlowSettings): Promise<MintedKey>;
  createVerification(
    key: string,
    body?: Record<string, unknown>,
  ): Promise<{ id: string; verifyUrl: string; clientToken: string; expiresAt: string }>;
  getVerification(key: string, id: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `checks` replaces the local check provider (e.g. to add Face Liveness sessions). */
export async function startKycEnv(opts: { checks?: () => Promise<CheckProvider> } = {}): Promise<KycEnv> {
  let offset = 0;
  const clock = {
    now: () => new Date(Date.now() + offset),
    advance: (ms: number) => {
      offset += ms;
    },
    reset: () => {
      offset = 0;
    },
  };
  // No retry delays worth waiting for in a browser test.
  const server = await startTestServer({
    clock,
    env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '200,400,800' },
    ...(opts.checks ? { checks: opts.checks } : {}),
  });
  const { baseUrl } = server;
  return {
    server,
    baseUrl,
    clock,
    async key(mode = 'live', flow) {
      const flowId = flow ? (await server.createFlow(flow)).id : undefined;
      const minted = await server.mintKey(mode, flowId ? { flowId } : {});
      return { key: minted.key, secret: minted.secret, keyId: minted.keyId, mode };
    },
    async createVerification(key, body = {}) {
      const res = await api(baseUrl, 'POST', '/api/v1/external/kyc/verifications', { key, body });
      if (res.status !== 201) throw new Error(`create verification: ${res.status} ${res.text}`);
      return res.json.data;
    },
    async getVerification(key, id) {
      const res = await api(baseUrl, 'GET', `/api/v1/external/kyc/verifications/${id}`, { key });
      if (res.status !== 200) throw new Error(`get verification: ${res.status} ${res.text}`);
      return res.json.data;
    },
    stop: () => server.stop(),
  };
}

/**
 * Registers a webhook endpoint for the key. Test keys go through the integrator API. Live keys only accept
 * https endpoints there, and the local receiver is plain http, so for a live key the endpoint record is
 * written to the store exactly as the API would write it (same org, key, mode and events).
 */
export async function registerWebhook(
  env: KycEnv,
  key: MintedKey,
  url: string,
  events: WebhookEventName[] = ['verification.completed'],
): Promise<void> {
  if (key.mode === 'test') {
    const res = await api(env.baseUrl, 'POST', '/api/v1/external/kyc/webhooks', {
      key: key.key,
      body: { url, events },
    });
    if (res.status !== 201) throw new Error(`register webhook: ${res.status} ${res.text}`);
    return;
  }
  const deps = env.server.app.runtime.deps;
  await deps.store.webhooks.create({
    id: deps.ids.next('whe'),
    orgId: env.server.org.id,
    keyId: key.keyId,
    mode: key.mode,
    url,
    events,
    createdAt: deps.clock.now().toISOString(),
    deletedAt: null,
  });
}

/** Drives a test-mode verification to an outcome through the integrator API. */
export async function simulateVerification(
  env: KycEnv,
  key: string,
  id: string,
  body: Record<string, unknown>,
): Promise<void> {
  const res = await api(env.baseUrl, 'POST', `/api/v1/external/kyc/verifications/${id}/simulate`, { key, body });
  if (res.status >= 300) throw new Error(`simulate: ${res.status} ${res.text}`);
}

/** The integrator's own page the applicant returns to; records every visit. */
export async function startReturnPage(): Promise<{ url: string; visits: URL[]; close(): Promise<void> }> {
  const visits: URL[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    visits.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end('<!doctype html><html lang="en"><title>Shop</title><h1>Back at the shop</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/kyc/done?order=A-1234`,
    visits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
