import { errors } from '../domain/errors';
import type { EndpointDisabledReason, EndpointStatus, WebhookEndpoint } from '../domain/model';
import { endpointHealth, type EndpointHealth } from '../domain/webhooks';
import type { CreateWebhookBody } from './schemas';
import type { Principal } from './auth';
import type { AppDeps } from './deps';
import { requireKycEnabled } from './verifications';

export interface WebhookEndpointView {
  id: string;
  url: string;
  events: WebhookEndpoint['events'];
  mode: WebhookEndpoint['mode'];
  createdAt: string;
  /** `disabled`: receives no deliveries (its signing key was revoked); kept listed so the integrator sees why. */
  status: EndpointStatus;
  disabledAt: string | null;
  disabledReason: EndpointDisabledReason | null;
  health: EndpointHealth;
}

/** How many recent deliveries the health summary looks at. */
const HEALTH_WINDOW = 50;

async function viewOf(deps: AppDeps, e: WebhookEndpoint): Promise<WebhookEndpointView> {
  const recent = (await deps.store.deliveries.listByEndpoint(e.id, { limit: HEALTH_WINDOW })).items;
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    mode: e.mode,
    createdAt: e.createdAt,
    status: e.disabledAt ? 'disabled' : 'active',
    disabledAt: e.disabledAt ?? null,
    disabledReason: e.disabledAt ? (e.disabledReason ?? 'key_revoked') : null,
    health: endpointHealth(recent),
  };
}

/**
 * Registers an endpoint signed with the calling key's secret. Primary course: URL policy (https for live
 * keys; SSRF guard after DNS resolution unless allow-listed) -> persist.
 */
export async function registerWebhook(
  deps: AppDeps,
  principal: Principal,
  body: CreateWebhookBody,
): Promise<WebhookEndpointView> {
  await requireKycEnabled(deps, principal);
  const url = new URL(body.url);
  if (url.username || url.password) throw errors.validation([{ field: 'url', issue: 'must not contain credentials' }]);
  if (url.protocol !== 'https:' && principal.mode === 'live')
    throw errors.validation([{ field: 'url', issue: 'must use https with a live key' }]);
  const check = await deps.webhookTransport.checkUrl(url.toString(), deps.config.webhookAllowHosts);
  if (!check.ok)
    throw errors.validation([{ field: 'url', issue: check.issue ?? 'not allowed' }], 'The webhook URL is not allowed.');
  const endpoint: WebhookEndpoint = {
    id: deps.ids.next('whe'),
    orgId: principal.orgId,
    keyId: principal.keyId,
    mode: principal.mode,
    url: url.toString(),
    events: body.events,
    createdAt: deps.clock.now().toISOString(),
    deletedAt: null,
    disabledAt: null,
    disabledReason: null,
  };
  await deps.store.webhooks.create(endpoint);
  return viewOf(deps, endpoint);
}

/** Endpoints of the caller's organisation and mode (disabled ones included, marked), with delivery health. */
export async function listWebhooks(deps: AppDeps, principal: Principal): Promise<WebhookEndpointView[]> {
  await requireKycEnabled(deps, principal);
  const endpoints = await deps.store.webhooks.listActive(principal.orgId, principal.mode);
  return Promise.all(endpoints.map((e) => viewOf(deps, e)));
}

/** Removes an endpoint; pending deliveries to it are dropped at send time. */
export async function deleteWebhook(deps: AppDeps, principal: Principal, id: string): Promise<void> {
  await requireKycEnabled(deps, principal);
  const endpoint = /^whe_[a-z0-9]{1,64}$/.test(id) ? await deps.store.webhooks.get(principal.orgId, id) : null;
  if (!endpoint || endpoint.deletedAt || endpoint.mode !== principal.mode) throw errors.notFound('Webhook endpoint');
  await deps.store.webhooks.delete(principal.orgId, id, deps.clock.now().toISOString());
}
