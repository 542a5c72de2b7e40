import { randomInt } from 'node:crypto';
import { newChallenge } from '../domain/challenge';
import { errors } from '../domain/errors';
import type { Flow, Verification, VerificationView } from '../domain/model';
import { isTerminal, toView } from '../domain/verification';
import type { CreateVerificationBody, SimulateBody } from './schemas';
import { simulatedOutcome } from './simulated-outcome';
import type { Principal } from './auth';
import type { AppDeps } from './deps';
import { recordAudit } from './audit';
import { erasePersonalData } from './erasure';
import { finalizeVerification } from './outcomes';

export interface CreatedVerification {
  id: string;
  status: 'pending';
  clientToken: string;
  verifyUrl: string;
  expiresAt: string;
}

/** KYC is an Enterprise feature: other plans get 403 feature_not_enabled on every call. */
export async function requireKycEnabled(deps: AppDeps, principal: Principal): Promise<void> {
  const org = await deps.store.orgs.get(principal.orgId);
  if (org?.plan !== 'enterprise') {
    throw errors.forbidden(
      'feature_not_enabled',
      'KYC Verification is an Enterprise feature; it is not enabled for this organisation.',
    );
  }
}

async function resolveFlow(deps: AppDeps, principal: Principal, requestedFlowId: string | undefined): Promise<Flow> {
  if (principal.flowId) {
    if (requestedFlowId !== undefined) {
      throw errors.validation(
        [{ field: 'flowId', issue: 'not allowed: this key is bound to a flow, and the key decides the flow' }],
        'The key decides the flow; do not send flowId.',
      );
    }
    const flow = await deps.store.flows.get(principal.orgId, principal.flowId);
    if (!flow) throw errors.conflict('flow_unavailable', "The key's flow no longer exists.");
    return flow;
  }
  const org = await deps.store.orgs.get(principal.orgId);
  const flowId = requestedFlowId ?? org?.defaultFlowId ?? null;
  const flow = flowId ? await deps.store.flows.get(principal.orgId, flowId) : null;
  if (!flow) {
    throw errors.validation([
      { field: 'flowId', issue: requestedFlowId ? 'unknown flow' : 'required: the organisation has no default flow' },
    ]);
  }
  return flow;
}

/** returnUrl must be https; plain http only for localhost on the local runtime. */
function checkReturnUrl(deps: AppDeps, url: string | undefined): void {
  if (!url) return;
  const u = new URL(url);
  const localhost = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.username || u.password)
    throw errors.validation([{ field: 'returnUrl', issue: 'must not contain credentials' }]);
  if (u.protocol === 'https:') return;
  if (u.protocol === 'http:' && localhost && deps.config.allowHttpLocalhost) return;
  throw errors.validation([
    {
      field: 'returnUrl',
      issue: deps.config.allowHttpLocalhost ? 'must use https (http only for localhost)' : 'must use https',
    },
  ]);
}

/**
 * Creates a verification session. Primary course: resolve the flow from the key -> new id and a random
 * client token (stored hashed) -> persist pending -> return the hosted verifyUrl.
 */
export async function createVerification(
  deps: AppDeps,
  principal: Principal,
  body: CreateVerificationBody,
): Promise<CreatedVerification> {
  await requireKycEnabled(deps, principal);
  const flow = await resolveFlow(deps, principal, body.flowId);
  checkReturnUrl(deps, body.returnUrl);
  const now = deps.clock.now();
  const id = deps.ids.next('vrf');
  const clientToken = deps.crypto.randomToken(32); // 256 bits
  const expiresAt = new Date(now.getTime() + flow.linkLifetimeSeconds * 1000).toISOString();
  const v: Verification = {
    id,
    orgId: principal.orgId,
    flowId: flow.id,
    keyId: principal.keyId,
    mode: principal.mode,
    status: 'pending',
    decision: null,
    declineType: null,
    reasonCodes: [],
    riskFlags: [],
    applicantEmail: body.applicantEmail ?? null,
    locale: body.locale ?? null,
    returnUrl: body.returnUrl ?? null,
    metadata: body.metadata ?? {},
    clientTokenHash: deps.crypto.sha256Hex(clientToken),
    expiresAt,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    completedAt: null,
    consent: null,
    challenge: flow.checks.includes('liveness') ? newChallenge(flow.livenessPrompts, (n) => randomInt(n)) : null,
    attempts: [],
    publishedAt: null,
    purgeAfter: null,
    purgedAt: null,
    version: 1,
  };
  // The record itself is the creation audit entry (createdAt, keyId, flowId, mode): one write on the hot path.
  await deps.store.verifications.create(v);
  const verifyUrl = `${deps.config.publicUrl.replace(/\/+$/, '')}/v/${encodeURIComponent(id)}?token=${encodeURIComponent(clientToken)}`;
  return { id, status: 'pending', clientToken, verifyUrl, expiresAt };
}

/**
 * Loads a verification of the caller's organisation and mode: another org's id, and a verification of the other
 * mode (a test key reading live data, or the reverse), are indistinguishable from an unknown one.
 */
export async function loadOwnVerification(deps: AppDeps, principal: Principal, id: string): Promise<Verification> {
  const v = /^vrf_[a-z0-9]{1,64}$/.test(id) ? await deps.store.verifications.get(id) : null;
  if (!v || v.orgId !== principal.orgId || v.mode !== principal.mode) throw errors.notFound('Verification');
  return v;
}

/** Polling: the webhook `data` shape; decision null while pending. */
export async function getVerification(deps: AppDeps, principal: Principal, id: string): Promise<VerificationView> {
  await requireKycEnabled(deps, principal);
  const v = await loadOwnVerification(deps, principal, id);
  const flow = await deps.store.flows.get(v.orgId, v.flowId);
  return toView(v, flow);
}

/**
 * Test mode: drives a non-terminal test verification to the requested outcome through the normal
 * decision -> events -> webhook path. Live keys get 403.
 */
export async function simulateVerification(
  deps: AppDeps,
  principal: Principal,
  id: string,
  body: SimulateBody,
): Promise<VerificationView> {
  await requireKycEnabled(deps, principal);
  if (principal.mode !== 'test')
    throw errors.forbidden('test_mode_only', 'simulate is only available with test keys (nextcap_kk_test_...).');
  const v = await loadOwnVerification(deps, principal, id);
  if (v.mode !== 'test') throw errors.forbidden('test_mode_only', 'Only test-mode verifications can be simulated.');
  if (isTerminal(v.status)) throw errors.conflict('verification_finished', `The verification is already ${v.status}.`);
  const ok = await finalizeVerification(deps, v.id, simulatedOutcome(body));
  if (!ok) throw errors.conflict('verification_finished', 'The verification already reached a decision.');
  return getVerification(deps, principal, id);
}

/**
 * Redact (Stripe Identity's `redact` is the model): erases the verification's personal data at once: capture
 * bytes, face vector and face index entries, applicant email, metadata, return URL, consent IP and user agent,
 * and the metadata in stored webhook bodies; keeps the decision record and marks it `redacted: true`.
 * A session still collecting captures (`pending`) is ended first (status `expired`, its outcome published as
 * usual); while checks run (`in_progress`) it is refused with 409, so no check reads half-erased data.
 * Idempotent: a repeated call erases nothing more and answers the same shape.
 */
export async function redactVerification(deps: AppDeps, principal: Principal, id: string): Promise<VerificationView> {
  await requireKycEnabled(deps, principal);
  return redact(deps, await loadOwnVerification(deps, principal, id), { keyId: principal.keyId });
}

/** Operator redact (admin CLI): the same erasure for a verification of the organisation, whatever its mode. */
export async function redactVerificationAsOperator(
  deps: AppDeps,
  orgId: string,
  id: string,
): Promise<VerificationView> {
  const v = /^vrf_[a-z0-9]{1,64}$/.test(id) ? await deps.store.verifications.get(id) : null;
  if (!v || v.orgId !== orgId) throw errors.notFound('Verification');
  return redact(deps, v, { operator: true });
}

async function redact(
  deps: AppDeps,
  v: Verification,
  actor: { keyId: string } | { operator: true },
): Promise<VerificationView> {
  if (v.status === 'pending')
    await finalizeVerification(deps, v.id, { decision: null, declineType: null, reasonCodes: [], riskFlags: [] });
  const at = deps.clock.now().toISOString();
  let firstTime = false;
  const erased = await erasePersonalData(deps, v.id, (cur) => {
    if (cur.status === 'in_progress' || cur.status === 'pending')
      throw errors.conflict(
        'verification_in_progress',
        'Checks are running for this verification; redact it once it has a decision.',
      );
    firstTime = !cur.redactedAt;
    return cur.redactedAt ? cur : { ...cur, redactedAt: at, updatedAt: at };
  });
  if (!erased) throw errors.notFound('Verification');
  await deps.store.flushErasures();
  if (firstTime) {
    await recordAudit(deps, {
      orgId: v.orgId,
      verificationId: v.id,
      type: 'verification.redacted',
      at,
      data: { ...actor, ...erased.report },
    });
  }
  const flow = await deps.store.flows.get(v.orgId, v.flowId);
  return toView(erased.verification, flow);
}
