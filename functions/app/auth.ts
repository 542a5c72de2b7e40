import { isUsable, modeOfKey } from '../domain/keys';
import { MODES, type Mode } from '../domain/model';
import type { AppDeps } from './deps';

/** Who is calling the integrator API: resolved from X-Api-Key by the authorizer (AWS) or the local server. */
export interface Principal {
  orgId: string;
  keyId: string;
  /** Bound flow, or null for a legacy key. */
  flowId: string | null;
  mode: Mode;
}

/** Context values API Gateway passes from the authorizer to the handler (strings only). */
export type PrincipalContext = { orgId: string; keyId: string; flowId: string; mode: Mode };

export const toContext = (p: Principal): PrincipalContext => ({
  orgId: p.orgId,
  keyId: p.keyId,
  flowId: p.flowId ?? '',
  mode: p.mode,
});

export function fromContext(ctx: Record<string, unknown> | null | undefined): Principal | null {
  if (!ctx || typeof ctx.orgId !== 'string' || typeof ctx.keyId !== 'string') return null;
  const mode = MODES.find((m) => m === ctx.mode) ?? null;
  if (!mode) return null;
  return {
    orgId: ctx.orgId,
    keyId: ctx.keyId,
    flowId: typeof ctx.flowId === 'string' && ctx.flowId ? ctx.flowId : null,
    mode,
  };
}

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Resolves a KYC key. Primary course: well-formed key -> SHA-256 -> lookup by hash -> not revoked.
 * Unknown, malformed and revoked keys all return null, so the 401 reveals nothing about which.
 */
export async function authenticateKey(
  deps: Pick<AppDeps, 'store' | 'crypto' | 'clock'>,
  apiKey: string | undefined | null,
): Promise<Principal | null> {
  if (!apiKey || !modeOfKey(apiKey)) return null;
  const key = await deps.store.keys.getByHash(deps.crypto.sha256Hex(apiKey));
  if (!key || !isUsable(key)) return null;
  const now = deps.clock.now();
  // lastUsedAt is informative; writing it on every request would cost a write per call.
  if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > TOUCH_INTERVAL_MS) {
    await deps.store.keys.touch(key.orgId, key.id, now.toISOString());
  }
  return { orgId: key.orgId, keyId: key.id, flowId: key.flowId, mode: key.mode };
}
