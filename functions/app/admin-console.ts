import { errors } from '../domain/errors';
import { stepsOfFlow } from '../domain/captures';
import type { FlowSettings } from '../domain/flows';
import {
  CAPTURE_KINDS,
  type Capture,
  type CheckName,
  type CheckOutcome,
  type Delivery,
  type Flow,
  type KycKey,
  MODES,
  type Mode,
  type Verification,
  type WebhookEventName,
} from '../domain/model';
import { isErased, toView } from '../domain/verification';
import { buildEnvelopeBody } from '../domain/webhooks';
import type { AuditEvent, ListPage, VerificationListOptions } from '../ports/persistence';
import { createFlow, keySummary, mintKey, revokeKey, setDefaultFlow, updateFlow } from './admin';
import { recordAudit } from './audit';
import type { AppDeps } from './deps';
import type { OperatorPrincipal } from './operators';
import { enqueueDelivery, redeliver } from './webhooks/deliver';
import { deleteWebhook, listWebhooks, registerWebhook, type WebhookEndpointView } from './webhook-endpoints';

/**
 * The dashboard's use cases (admin API). Every function is scoped to the operator's organisation: a
 * resource of another organisation is indistinguishable from an unknown one (404). Roles are checked by
 * the HTTP layer from the route table before any of these run. Every change is written to the audit log
 * with the operator as actor.
 */

const actorOf = (op: OperatorPrincipal) => `operator:${op.email}`;

async function audit(
  deps: AppDeps,
  op: OperatorPrincipal,
  type: string,
  data: Record<string, unknown>,
  verificationId: string | null = null,
): Promise<void> {
  await recordAudit(deps, { orgId: op.orgId, verificationId, type, actor: actorOf(op), data });
}

const ID = {
  key: /^key_[a-z0-9]{1,64}$/,
  flow: /^flow_[a-z0-9]{1,64}$/,
  webhook: /^whe_[a-z0-9]{1,64}$/,
  delivery: /^whd_[a-z0-9]{1,64}$/,
  verification: /^vrf_[a-z0-9]{1,64}$/,
};

// ---- Keys ---------------------------------------------------------------------------------------------

export function keyView(k: KycKey) {
  return { ...keySummary(k), previousSecretExpiresAt: activeOverlapEnd(k) };
}

function activeOverlapEnd(k: KycKey, now = Date.now()): string | null {
  return k.previousSecretExpiresAt && Date.parse(k.previousSecretExpiresAt) > now ? k.previousSecretExpiresAt : null;
}

async function ownKey(deps: AppDeps, op: OperatorPrincipal, keyId: string): Promise<KycKey> {
  const key = ID.key.test(keyId) ? await deps.store.keys.get(op.orgId, keyId) : null;
  if (!key) throw errors.notFound('Key');
  return key;
}

export async function listKeys(deps: AppDeps, op: OperatorPrincipal) {
  const now = deps.clock.now().getTime();
  const keys = await deps.store.keys.listByOrg(op.orgId);
  return keys
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((k) => ({ ...keySummary(k), previousSecretExpiresAt: activeOverlapEnd(k, now) }));
}

export async function mintOperatorKey(
  deps: AppDeps,
  op: OperatorPrincipal,
  input: { mode: Mode; flowId: string; name?: string },
) {
  if (!ID.flow.test(input.flowId) || !(await deps.store.flows.get(op.orgId, input.flowId)))
    throw errors.validation([{ field: 'flowId', issue: 'unknown flow' }]);
  const minted = await mintKey(deps, { orgId: op.orgId, mode: input.mode, flowId: input.flowId, name: input.name });
  const key = await ownKey(deps, op, minted.keyId);
  await audit(deps, op, 'key.minted', { keyId: key.id, prefix: key.prefix, mode: key.mode, flowId: key.flowId });
  return {
    keyId: key.id,
    key: minted.key,
    secret: minted.secret,
    prefix: key.prefix,
    mode: key.mode,
    flowId: key.flowId,
    name: key.name,
    createdAt: key.createdAt,
  };
}

export async function revokeOperatorKey(deps: AppDeps, op: OperatorPrincipal, keyId: string) {
  const key = await ownKey(deps, op, keyId);
  if (key.revokedAt) throw errors.conflict('key_revoked', 'The key is already revoked.');
  await revokeKey(deps, op.orgId, key.id);
  const after = await ownKey(deps, op, key.id);
  await audit(deps, op, 'key.revoked', { keyId: key.id, prefix: key.prefix });
  return { keyId: key.id, revokedAt: after.revokedAt ?? deps.clock.now().toISOString() };
}

/**
 * Rotates a key's webhook signing secret. The new secret signs at once (`X-Nextcap-Signature`); during the
 * overlap `webhook-signature` lists the new and the old signature, so receivers can switch without losing a
 * delivery; after `overlapSeconds` the old secret signs nothing. A rotation during an overlap drops the
 * oldest secret (only two are ever live). The new secret is returned once.
 */
export async function rotateSigningSecret(deps: AppDeps, op: OperatorPrincipal, keyId: string, overlapSeconds: number) {
  const key = await ownKey(deps, op, keyId);
  if (key.revokedAt) throw errors.conflict('key_revoked', 'A revoked key has no signing secret to rotate.');
  const now = deps.clock.now();
  const secret = `whsec_${Buffer.from(deps.crypto.randomToken(32), 'base64url').toString('base64')}`;
  const previousSecretExpiresAt =
    overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000).toISOString() : null;
  const ok = await deps.store.keys.rotateSecret(op.orgId, key.id, {
    encryptedSecret: await deps.secrets.encrypt(secret),
    previousEncryptedSecret: previousSecretExpiresAt ? key.encryptedSecret : null,
    previousSecretExpiresAt,
  });
  if (!ok) throw errors.conflict('key_revoked', 'The key was revoked meanwhile.');
  await audit(deps, op, 'key.secret_rotated', { keyId: key.id, prefix: key.prefix, previousSecretExpiresAt });
  return { keyId: key.id, secret, previousSecretExpiresAt };
}

// ---- Flows --------------------------------------------------------------------------------------------

export function flowView(flow: Flow, defaultFlowId: string | null) {
  const { orgId: _org, ...rest } = flow;
  return { ...rest, isDefault: flow.id === defaultFlowId, steps: stepsOfFlow(flow) };
}

async function defaultFlowIdOf(deps: AppDeps, orgId: string): Promise<string | null> {
  return (await deps.store.orgs.get(orgId))?.defaultFlowId ?? null;
}

async function ownFlow(deps: AppDeps, op: OperatorPrincipal, flowId: string): Promise<Flow> {
  const flow = ID.flow.test(flowId) ? await deps.store.flows.get(op.orgId, flowId) : null;
  if (!flow) throw errors.notFound('Flow');
  return flow;
}

export async function listFlows(deps: AppDeps, op: OperatorPrincipal) {
  const def = await defaultFlowIdOf(deps, op.orgId);
  return (await deps.store.flows.listByOrg(op.orgId)).map((f) => flowView(f, def));
}

export async function getFlow(deps: AppDeps, op: OperatorPrincipal, flowId: string) {
  return flowView(await ownFlow(deps, op, flowId), await defaultFlowIdOf(deps, op.orgId));
}

export async function createOperatorFlow(
  deps: AppDeps,
  op: OperatorPrincipal,
  input: FlowSettings & { setDefault?: boolean },
) {
  const { setDefault, ...settings } = input;
  const flow = await createFlow(deps, op.orgId, settings);
  if (setDefault) await setDefaultFlow(deps, op.orgId, flow.id);
  await audit(deps, op, 'flow.created', { flowId: flow.id, settings, setDefault: setDefault ?? false });
  return flowView(flow, await defaultFlowIdOf(deps, op.orgId));
}

export async function updateOperatorFlow(deps: AppDeps, op: OperatorPrincipal, flowId: string, settings: FlowSettings) {
  await ownFlow(deps, op, flowId);
  const flow = await updateFlow(deps, op.orgId, flowId, settings);
  await audit(deps, op, 'flow.updated', { flowId, settings });
  return flowView(flow, await defaultFlowIdOf(deps, op.orgId));
}

export async function setOperatorDefaultFlow(deps: AppDeps, op: OperatorPrincipal, flowId: string) {
  const flow = await ownFlow(deps, op, flowId);
  await setDefaultFlow(deps, op.orgId, flow.id);
  await audit(deps, op, 'flow.default_set', { flowId });
  return flowView(flow, flow.id);
}

// ---- Webhooks -----------------------------------------------------------------------------------------

async function ownEndpoint(deps: AppDeps, op: OperatorPrincipal, id: string) {
  const endpoint = ID.webhook.test(id) ? await deps.store.webhooks.get(op.orgId, id) : null;
  if (!endpoint || endpoint.deletedAt) throw errors.notFound('Webhook endpoint');
  return endpoint;
}

/** The endpoint as the integrator API shows it, plus the key that signs it. */
async function withKeyIds(deps: AppDeps, op: OperatorPrincipal, views: WebhookEndpointView[]) {
  return Promise.all(views.map(async (v) => ({ ...v, keyId: (await ownEndpoint(deps, op, v.id)).keyId })));
}

/** Endpoints of both modes (the integrator API lists one mode per key). */
export async function listOperatorWebhooks(deps: AppDeps, op: OperatorPrincipal) {
  const keys = await deps.store.keys.listByOrg(op.orgId);
  const views: WebhookEndpointView[] = [];
  for (const mode of MODES) {
    const anyKey = keys.find((k) => k.mode === mode);
    if (anyKey)
      views.push(...(await listWebhooks(deps, { orgId: op.orgId, keyId: anyKey.id, flowId: anyKey.flowId, mode })));
  }
  return (await withKeyIds(deps, op, views)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Registers an endpoint signed by one of the org's active keys: the same URL policy (https for live, SSRF
 * guard) as the integrator API, because it is the same use case.
 */
export async function registerOperatorWebhook(
  deps: AppDeps,
  op: OperatorPrincipal,
  input: { keyId: string; url: string; events: WebhookEventName[] },
) {
  const key = ID.key.test(input.keyId) ? await deps.store.keys.get(op.orgId, input.keyId) : null;
  if (!key || key.revokedAt) throw errors.validation([{ field: 'keyId', issue: 'unknown or revoked key' }]);
  const view = await registerWebhook(
    deps,
    { orgId: op.orgId, keyId: key.id, flowId: key.flowId, mode: key.mode },
    { url: input.url, events: input.events },
  );
  await audit(deps, op, 'webhook.registered', { endpointId: view.id, keyId: key.id, mode: key.mode, url: view.url });
  return { ...view, keyId: key.id };
}

export async function deleteOperatorWebhook(deps: AppDeps, op: OperatorPrincipal, id: string) {
  const endpoint = await ownEndpoint(deps, op, id);
  await deleteWebhook(deps, { orgId: op.orgId, keyId: endpoint.keyId, flowId: null, mode: endpoint.mode }, id);
  await audit(deps, op, 'webhook.deleted', { endpointId: id, url: endpoint.url });
  return { id, deleted: true as const };
}

export function deliveryView(d: Delivery) {
  const last = d.attempts[d.attempts.length - 1] ?? null;
  return {
    id: d.id,
    endpointId: d.endpointId,
    verificationId: d.publication === 'test' ? null : d.verificationId,
    event: d.event,
    status: d.status,
    createdAt: d.createdAt,
    requestBody: d.body,
    attempts: d.attempts.map((a) => ({ at: a.at, statusCode: a.statusCode, error: a.error, latencyMs: a.durationMs })),
    lastStatusCode: last?.statusCode ?? null,
    lastLatencyMs: last?.durationMs ?? null,
    nextAttemptAt: d.nextAttemptAt,
  };
}

/** Id of the sample verification a test event describes (never a real one). */
export const TEST_EVENT_VERIFICATION_ID = 'vrf_testevent000000000000';

/** Sends a signed `verification.completed` with sample data (marked as a test event) through the real queue. */
export async function sendTestEvent(deps: AppDeps, op: OperatorPrincipal, id: string) {
  const endpoint = await ownEndpoint(deps, op, id);
  const now = deps.clock.now();
  const at = now.toISOString();
  const deliveryId = deps.ids.next('whd');
  const event: WebhookEventName = 'verification.completed';
  const delivery: Delivery = {
    id: deliveryId,
    orgId: op.orgId,
    endpointId: endpoint.id,
    verificationId: TEST_EVENT_VERIFICATION_ID,
    event,
    body: buildEnvelopeBody(event, deliveryId, now, {
      verificationId: TEST_EVENT_VERIFICATION_ID,
      status: 'approved',
      decision: 'approved',
      declineType: null,
      reasonCodes: [],
      riskFlags: [],
      mode: endpoint.mode,
      createdAt: at,
      completedAt: at,
      flowId: 'flow_testevent000000000000',
      expiresAt: at,
      metadata: { test: true },
      attempts: 1,
      review: null,
      redacted: false,
    }),
    createdAt: at,
    status: 'pending',
    attempts: [],
    nextAttemptAt: at,
    updatedAt: at,
    publication: 'test',
  };
  await deps.store.deliveries.createMany([delivery]);
  await enqueueDelivery(deps, deliveryId);
  await audit(deps, op, 'webhook.test_sent', { endpointId: endpoint.id, deliveryId });
  return deliveryView(delivery);
}

/**
 * The delivery log of an endpoint, newest first, a page at a time (`cursor`: the previous page's `next`).
 * The endpoint belongs to the operator's organisation, and so does every delivery of it.
 */
export async function listDeliveries(
  deps: AppDeps,
  op: OperatorPrincipal,
  id: string,
  page: { limit: number; cursor?: string | null },
) {
  const endpoint = await ownEndpoint(deps, op, id);
  const { items, next } = await deps.store.deliveries.listByEndpoint(endpoint.id, page);
  return { items: items.filter((d) => d.orgId === op.orgId).map(deliveryView), next };
}

export async function redeliverOperatorDelivery(deps: AppDeps, op: OperatorPrincipal, id: string, deliveryId: string) {
  const endpoint = await ownEndpoint(deps, op, id);
  const d = ID.delivery.test(deliveryId) ? await deps.store.deliveries.get(deliveryId) : null;
  if (!d || d.orgId !== op.orgId || d.endpointId !== endpoint.id) throw errors.notFound('Delivery');
  const next = await redeliver(deps, d.id);
  if (!next) throw errors.notFound('Delivery');
  await audit(deps, op, 'webhook.redelivered', { endpointId: endpoint.id, deliveryId: d.id }, d.verificationId);
  return deliveryView(next);
}

// ---- Verifications ------------------------------------------------------------------------------------

export function verificationSummary(v: Verification) {
  return {
    verificationId: v.id,
    status: v.status,
    decision: v.decision,
    declineType: v.declineType,
    reasonCodes: v.reasonCodes,
    riskFlags: v.riskFlags,
    mode: v.mode,
    flowId: v.flowId,
    applicantEmail: v.applicantEmail,
    createdAt: v.createdAt,
    completedAt: v.completedAt,
    attempts: v.attempts.length,
    review: v.review ?? null,
  };
}

export async function listVerifications(
  deps: AppDeps,
  op: OperatorPrincipal,
  filters: Omit<VerificationListOptions, 'order'>,
): Promise<ListPage<ReturnType<typeof verificationSummary>>> {
  const page = await deps.store.verifications.listByOrg(op.orgId, filters);
  return { items: page.items.map(verificationSummary), next: page.next };
}

async function ownVerification(deps: AppDeps, op: OperatorPrincipal, id: string): Promise<Verification> {
  const v = ID.verification.test(id) ? await deps.store.verifications.get(id) : null;
  if (!v || v.orgId !== op.orgId) throw errors.notFound('Verification');
  return v;
}

const CAPTURE_ROUTE = (vid: string, captureId: string) =>
  `/api/v1/admin/verifications/${encodeURIComponent(vid)}/captures/${encodeURIComponent(captureId)}`;

/** Synthetic capture id for the document portrait crop of an attempt (stored by the document check). */
const portraitId = (attempt: number) => `portrait_${attempt}`;

interface CheckStepRecord {
  kind: 'check';
  result: {
    check: CheckName;
    outcome: CheckOutcome;
    scores: Record<string, number>;
    reasonCodes: string[];
    riskFlags: string[];
    provider: string;
  };
  portraitKey: string | null;
  error: string | null;
}

function isCheckStep(r: Record<string, unknown>): r is Record<string, unknown> & CheckStepRecord {
  return r.kind === 'check' && typeof r.result === 'object' && r.result !== null;
}

/** What the console lists as captures: the applicant's uploads and the portrait the document check cropped. */
export const CAPTURE_VIEW_KINDS = [...CAPTURE_KINDS, 'document_portrait'] as const;

interface CaptureView {
  id: string;
  attempt: number;
  kind: (typeof CAPTURE_VIEW_KINDS)[number];
  index: number;
  contentType: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  /** The operator-only route streaming the bytes; null once purged or never uploaded. */
  href: string | null;
}

function captureView(c: Capture, purged: boolean): CaptureView {
  return {
    id: c.id,
    attempt: c.attempt,
    kind: c.kind,
    index: c.index,
    contentType: c.contentType,
    bytes: c.bytes,
    width: c.width,
    height: c.height,
    href: c.status === 'uploaded' && !purged ? CAPTURE_ROUTE(c.verificationId, c.id) : null,
  };
}

function auditEntry(e: AuditEvent) {
  return {
    id: e.id,
    at: e.at,
    type: e.type,
    verificationId: e.verificationId,
    actor: e.actor ?? (e.type.startsWith('applicant.') || e.type.startsWith('consent.') ? 'applicant' : 'system'),
    data: e.data,
  };
}

/**
 * Everything an operator needs to judge a case: the data shape, consent, each attempt with its checks'
 * outcomes, scores, reason codes and captures (links to the operator-only capture route while retained),
 * the webhook deliveries and the audit trail.
 */
export async function verificationDetail(deps: AppDeps, op: OperatorPrincipal, id: string) {
  const v = await ownVerification(deps, op, id);
  const [flow, captures, deliveries, trail] = await Promise.all([
    deps.store.flows.get(v.orgId, v.flowId),
    deps.store.captures.listByVerification(v.id),
    deps.store.deliveries.listByVerification(v.id),
    deps.store.audit.listByVerification(v.id),
  ]);
  const purged = isErased(v);
  const timeline = await Promise.all(
    v.attempts.map(async (a) => {
      const steps = await deps.store.steps.listByAttempt(v.id, a.number);
      const checks = steps
        .map((s) => s.result)
        .filter(isCheckStep)
        .map((s) => ({
          check: s.result.check,
          outcome: s.result.outcome,
          scores: s.result.scores,
          reasonCodes: s.result.reasonCodes,
          riskFlags: s.result.riskFlags,
          provider: s.result.provider,
          error: s.error ?? null,
        }));
      const portrait = steps.map((s) => s.result).find((r) => isCheckStep(r) && r.portraitKey) as
        | CheckStepRecord
        | undefined;
      const attemptCaptures: CaptureView[] = captures
        .filter((c) => c.attempt === a.number)
        .map((c) => captureView(c, purged));
      if (portrait?.portraitKey)
        attemptCaptures.push({
          id: portraitId(a.number),
          attempt: a.number,
          kind: 'document_portrait',
          index: 0,
          contentType: 'image/jpeg',
          bytes: null,
          width: null,
          height: null,
          href: purged ? null : CAPTURE_ROUTE(v.id, portraitId(a.number)),
        });
      return {
        number: a.number,
        submittedAt: a.submittedAt,
        completedAt: a.completedAt,
        decision: a.decision,
        declineType: a.declineType,
        reasonCodes: a.reasonCodes,
        riskFlags: a.riskFlags,
        checks,
        captures: attemptCaptures,
      };
    }),
  );
  return {
    ...toView(v, flow),
    applicantEmail: v.applicantEmail,
    locale: v.locale,
    consent: v.consent,
    purgedAt: v.purgedAt,
    purgeAfter: v.purgeAfter,
    timeline,
    deliveries: deliveries.map(deliveryView).map(({ requestBody: _body, ...d }) => d),
    audit: trail.map(auditEntry),
  };
}

/** Cases waiting for a human, oldest first, each with its full evidence. */
export async function reviewQueue(deps: AppDeps, op: OperatorPrincipal, opts: { limit: number; cursor?: string }) {
  const page = await deps.store.verifications.listByOrg(op.orgId, {
    status: 'review',
    order: 'asc',
    limit: opts.limit,
    cursor: opts.cursor,
  });
  const undecided = page.items.filter((v) => !v.review);
  return { items: await Promise.all(undecided.map((v) => verificationDetail(deps, op, v.id))), next: page.next };
}

/** How long a signed link to a large capture stays valid: long enough to start the download, no more. */
export const CAPTURE_LINK_SECONDS = 60;

/** A capture for a signed-in operator: its bytes, or (too large for the API response) a short-lived link. */
export type CaptureContent =
  | { kind: 'bytes'; bytes: Buffer; contentType: string }
  | { kind: 'link'; url: string; contentType: string; expiresAt: string };

/**
 * One capture (or the document portrait crop) of the operator's organisation while retained, after checking
 * that the stored bytes still match the digest the checks validated; audited as `capture.viewed`. Bytes above
 * `maxInlineBytes` (the AWS Lambda response limit) come back as a {@link CAPTURE_LINK_SECONDS}-second signed
 * link instead, issued only here, after the operator's role, organisation and the verification's retention
 * were checked. Nothing is ever reachable by a guessable or long-lived URL.
 */
export async function captureContent(
  deps: AppDeps,
  op: OperatorPrincipal,
  id: string,
  captureId: string,
  opts: { maxInlineBytes?: number } = {},
): Promise<CaptureContent> {
  const v = await ownVerification(deps, op, id);
  if (isErased(v)) throw errors.notFound('Capture');
  let blobKey: string | null = null;
  let digest: string | null = null;
  let contentType = 'image/jpeg';
  const portrait = /^portrait_(\d{1,3})$/.exec(captureId);
  if (portrait) {
    const steps = await deps.store.steps.listByAttempt(v.id, Number(portrait[1]));
    const check = steps.map((s) => s.result).find((r) => isCheckStep(r) && r.portraitKey) as
      | CheckStepRecord
      | undefined;
    blobKey = check?.portraitKey ?? null;
  } else if (/^cap_[a-z0-9]{1,64}$/.test(captureId)) {
    const c = await deps.store.captures.get(v.id, captureId);
    if (c?.status === 'uploaded') {
      blobKey = c.blobKey;
      digest = c.sha256;
      contentType = c.contentType ?? contentType;
    }
  }
  const bytes = blobKey ? await deps.blobs.get(blobKey) : null;
  if (!blobKey || !bytes) throw errors.notFound('Capture');
  // The operator judges what the checks judged: bytes that no longer match the validated digest are not shown.
  if (digest && !deps.crypto.safeEqual(deps.crypto.sha256Hex(bytes), digest))
    throw errors.conflict('capture_integrity', 'The stored capture no longer matches its validated digest.');
  const tooLarge = opts.maxInlineBytes !== undefined && bytes.length > opts.maxInlineBytes;
  if (tooLarge && !deps.blobLinks)
    throw errors.tooLarge('capture_too_large', 'The capture is too large to return here.');
  await audit(deps, op, 'capture.viewed', { captureId, ...(tooLarge ? { via: 'signed_link' } : {}) }, v.id);
  if (tooLarge && deps.blobLinks) {
    const url = await deps.blobLinks.readLink(blobKey, { expiresSeconds: CAPTURE_LINK_SECONDS, contentType });
    const expiresAt = new Date(deps.clock.now().getTime() + CAPTURE_LINK_SECONDS * 1000).toISOString();
    return { kind: 'link', url, contentType, expiresAt };
  }
  return { kind: 'bytes', bytes, contentType };
}

// ---- Audit --------------------------------------------------------------------------------------------

export async function listAudit(
  deps: AppDeps,
  op: OperatorPrincipal,
  opts: { limit: number; cursor?: string; verificationId?: string },
) {
  if (opts.verificationId) {
    const v = await ownVerification(deps, op, opts.verificationId);
    const trail = (await deps.store.audit.listByVerification(v.id)).reverse();
    return { items: trail.map(auditEntry), next: null };
  }
  const page = await deps.store.audit.listByOrg(op.orgId, { limit: opts.limit, cursor: opts.cursor });
  return { items: page.items.map(auditEntry), next: page.next };
}
