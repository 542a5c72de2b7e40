import { buildFlow, applyFlowSettings, type FlowSettings } from '../domain/flows';
import { mintKeyMaterial } from '../domain/keys';
import type { Flow, KycKey, Mode, Organisation, Plan } from '../domain/model';
import { errors } from '../domain/errors';
import type { AppDeps } from './deps';

/**
 * Operator use cases behind the admin CLI: organisations, flows and keys. Not exposed over HTTP.
 */

export async function createOrganisation(
  deps: AppDeps,
  input: { name: string; plan: Plan },
): Promise<{ org: Organisation; flow: Flow }> {
  const now = deps.clock.now();
  const orgId = deps.ids.next('org');
  const flow = buildFlow(deps.ids.next('flow'), orgId, { name: 'Default flow' }, now);
  const org: Organisation = {
    id: orgId,
    name: input.name,
    plan: input.plan,
    defaultFlowId: flow.id,
    createdAt: now.toISOString(),
  };
  await deps.store.orgs.put(org);
  await deps.store.flows.put(flow);
  return { org, flow };
}

export async function requireOrg(deps: AppDeps, orgId: string): Promise<Organisation> {
  const org = await deps.store.orgs.get(orgId);
  if (!org) throw errors.notFound('Organisation');
  return org;
}

export async function createFlow(deps: AppDeps, orgId: string, settings: FlowSettings): Promise<Flow> {
  await requireOrg(deps, orgId);
  const flow = buildFlow(deps.ids.next('flow'), orgId, settings, deps.clock.now());
  await deps.store.flows.put(flow);
  return flow;
}

export async function updateFlow(deps: AppDeps, orgId: string, flowId: string, settings: FlowSettings): Promise<Flow> {
  const flow = await deps.store.flows.get(orgId, flowId);
  if (!flow) throw errors.notFound('Flow');
  const next = applyFlowSettings(flow, settings, deps.clock.now());
  await deps.store.flows.put(next);
  return next;
}

export async function setDefaultFlow(deps: AppDeps, orgId: string, flowId: string): Promise<Organisation> {
  const org = await requireOrg(deps, orgId);
  if (!(await deps.store.flows.get(orgId, flowId))) throw errors.notFound('Flow');
  const next = { ...org, defaultFlowId: flowId };
  await deps.store.orgs.put(next);
  return next;
}

export interface MintedKeyView {
  /** Shown exactly once. */
  key: string;
  /** Shown exactly once: verifies webhook signatures. */
  secret: string;
  keyId: string;
  flowId: string | null;
  mode: Mode;
}

/** Mints a key bound to a flow (or a legacy key with `flowId: null`). The key and secret are returned once. */
export async function mintKey(
  deps: AppDeps,
  input: { orgId: string; mode: Mode; flowId: string | null; legacy?: boolean; name?: string | null },
): Promise<MintedKeyView> {
  const org = await requireOrg(deps, input.orgId);
  let flowId = input.legacy ? null : (input.flowId ?? org.defaultFlowId);
  if (!input.legacy && !flowId)
    throw errors.validation(
      [{ field: 'flowId', issue: 'required' }],
      'The organisation has no default flow; pass a flow id.',
    );
  if (flowId && !(await deps.store.flows.get(org.id, flowId))) throw errors.notFound('Flow');
  const material = mintKeyMaterial(deps.crypto, input.mode);
  const key: KycKey = {
    id: deps.ids.next('key'),
    orgId: org.id,
    flowId,
    mode: input.mode,
    prefix: material.displayPrefix,
    keyHash: material.keyHash,
    encryptedSecret: await deps.secrets.encrypt(material.secret),
    name: input.name ?? null,
    createdAt: deps.clock.now().toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await deps.store.keys.create(key);
  flowId = key.flowId;
  return { key: material.key, secret: material.secret, keyId: key.id, flowId, mode: key.mode };
}

/** Keys as an operator may see them: never the key or its secret. */
export function keySummary(k: KycKey) {
  return {
    keyId: k.id,
    prefix: k.prefix,
    mode: k.mode,
    flowId: k.flowId,
    name: k.name,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}

export interface RevokedKey {
  keyId: string;
  /** Webhook endpoints the key registered, now disabled: its secret signs nothing any more. */
  disabledEndpoints: string[];
}

/**
 * Revokes a key and stops what it enabled: the key authenticates nothing (AWS: once the authorizer cache of at
 * most 60 s expires) and every endpoint it registered is disabled, so no delivery is signed with its secret
 * (the delivery path also refuses a revoked key, which covers the moment between the two writes). Running it
 * again for an already revoked key finishes an interrupted revocation, then answers 404 `Active key`.
 */
export async function revokeKey(deps: AppDeps, orgId: string, keyId: string): Promise<RevokedKey> {
  const at = deps.clock.now().toISOString();
  const revoked = await deps.store.keys.revoke(orgId, keyId, at);
  const key = revoked ? null : await deps.store.keys.get(orgId, keyId);
  if (!revoked && !key?.revokedAt) throw errors.notFound('Active key');
  const disabledEndpoints: string[] = [];
  for (const endpoint of await deps.store.webhooks.listActive(orgId)) {
    if (endpoint.keyId !== keyId || endpoint.disabledAt) continue;
    if (await deps.store.webhooks.disable(orgId, endpoint.id, at, 'key_revoked')) disabledEndpoints.push(endpoint.id);
  }
  if (!revoked) throw errors.notFound('Active key');
  return { keyId, disabledEndpoints };
}

/**
 * First start on an empty data directory: one enterprise organisation with a default flow, so a new user
 * can mint a key right away. Returns null when organisations already exist.
 */
export async function bootstrapIfEmpty(deps: AppDeps): Promise<{ org: Organisation; flow: Flow } | null> {
  if ((await deps.store.orgs.list()).length > 0) return null;
  return createOrganisation(deps, { name: 'Local organisation', plan: 'enterprise' });
}
