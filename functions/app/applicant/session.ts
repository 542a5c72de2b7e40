import { errors } from '../../domain/errors';
import {
  acceptedDocumentTypes,
  DOCUMENT_HAS_BACK,
  stepsOfFlow,
  type ApplicantStep,
  type LivenessMode,
} from '../../domain/captures';
import type {
  Decision,
  DeclineType,
  DocumentType,
  Flow,
  HeadPrompt,
  Mode,
  Verification,
  VerificationStatus,
} from '../../domain/model';
import { isExpired, isTerminal } from '../../domain/verification';
import type { AppDeps } from '../deps';
import { livenessModeOf } from './liveness-mode';
import { requeueIfStalled } from '../pipeline/enqueue';
import { updateVerification } from '../optimistic-update';

/** Version of the consent text the hosted page shows; the consent record names the version accepted. */
export const CONSENT_TEXT_VERSION = '2026-11-01';

/** What the hosted page reads (`GET /session`). */
export interface SessionView {
  verificationId: string;
  status: VerificationStatus;
  mode: Mode;
  locale: string | null;
  expiresAt: string;
  returnUrl: string | null;
  steps: ApplicantStep[];
  document: { types: DocumentType[]; issuingCountries: string[]; needsBack: Record<DocumentType, boolean> } | null;
  consent: { given: boolean; textVersion: string };
  /** Head-turn prompts and the turn they need (degrees); null in face_liveness mode or without a liveness step. */
  challenge: { prompts: HeadPrompt[]; minTurnDegrees: number } | null;
  /** How the liveness step is done (null without a liveness step). */
  liveness: { mode: LivenessMode } | null;
  attempts: { used: number; max: number; left: number };
  lastAttempt: { decision: Decision | null; declineType: DeclineType | null; reasonCodes: string[] } | null;
  decision: Decision | null;
  declineType: DeclineType | null;
  reasonCodes: string[];
}

/** A session the caller holds the token of, with its flow. */
export interface OpenSession {
  verification: Verification;
  flow: Flow;
  /** The flow's liveness mode on this runtime (null without a liveness step). */
  livenessMode: LivenessMode | null;
}

/**
 * `read`: GET /session. `write`: every other route (refused once the verification is terminal).
 */
export type SessionAccess = 'read' | 'write';

const BEARER = /^Bearer\s+([A-Za-z0-9_-]{16,256})\s*$/i;

const invalidToken = () =>
  errors.unauthenticated(
    'invalid_token',
    'The session link is not valid. Ask the service that sent you for a new link.',
    'Bearer error="invalid_token"',
  );

/**
 * Resolves the verification a client token opens. Primary course: `Authorization: Bearer <token>` ->
 * SHA-256 -> lookup by hash (no comparison of secrets in our code, so nothing to time) -> not expired ->
 * (for writes) not terminal. A token opens only its own verification.
 *
 * A token past `expiresAt` is refused (401 session_expired), except that GET /session still answers once
 * the verification left `pending` (checks running, or finished), so a page that submitted just before
 * expiry can show the result.
 */
export async function openSession(
  deps: AppDeps,
  authorization: string | undefined,
  access: SessionAccess,
): Promise<OpenSession> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (!token) throw invalidToken();
  const verification = await deps.store.verifications.getByTokenHash(deps.crypto.sha256Hex(token));
  if (!verification) throw invalidToken();
  const readable = access === 'read' && verification.status !== 'pending';
  if (!readable && (isExpired(verification, deps.clock.now()) || verification.status === 'expired')) {
    throw errors.unauthenticated(
      'session_expired',
      'This verification session has expired. Ask the service that sent you for a new link.',
      'Bearer error="invalid_token", error_description="expired"',
    );
  }
  if (access === 'write' && isTerminal(verification.status)) {
    throw errors.conflict('session_finished', `This verification is already finished (${verification.status}).`);
  }
  const flow = await deps.store.flows.get(verification.orgId, verification.flowId);
  if (!flow) throw new Error(`flow ${verification.flowId} of verification ${verification.id} is missing`);
  return { verification, flow, livenessMode: livenessModeOf(flow, deps.config) };
}

/** Nothing is accepted before the applicant consented. */
export function requireConsent(v: Verification): void {
  if (!v.consent?.accepted)
    throw errors.conflict('consent_required', 'The applicant must accept the consent text first (POST /consent).');
}

/** Captures and submits are refused while the checks of an attempt run. */
export function requirePending(v: Verification): void {
  if (v.status === 'in_progress')
    throw errors.conflict(
      'attempt_in_progress',
      'The checks of the submitted attempt are still running; poll GET /session.',
    );
}

/** The attempt number captures are collected for: the next one to be submitted. */
export function currentAttempt(v: Verification): number {
  return v.attempts.length + 1;
}

/** The session as the hosted page sees it. */
export function toSessionView(v: Verification, flow: Flow, livenessMode: LivenessMode | null): SessionView {
  const steps = stepsOfFlow(flow);
  const used = v.attempts.length;
  const last = [...v.attempts].reverse().find((a) => a.completedAt !== null);
  return {
    verificationId: v.id,
    status: v.status,
    mode: v.mode,
    locale: v.locale,
    expiresAt: v.expiresAt,
    returnUrl: v.returnUrl,
    steps,
    document: steps.includes('document')
      ? {
          types: acceptedDocumentTypes(flow),
          issuingCountries: [...flow.issuingCountries],
          needsBack: { ...DOCUMENT_HAS_BACK },
        }
      : null,
    consent: { given: v.consent?.accepted === true, textVersion: CONSENT_TEXT_VERSION },
    challenge:
      livenessMode === 'challenge' && v.challenge
        ? { prompts: [...v.challenge], minTurnDegrees: flow.thresholds.livenessMinTurnDegrees }
        : null,
    liveness: livenessMode ? { mode: livenessMode } : null,
    attempts: { used, max: flow.maxAttempts, left: Math.max(0, flow.maxAttempts - used) },
    lastAttempt: last
      ? { decision: last.decision, declineType: last.declineType, reasonCodes: [...last.reasonCodes] }
      : null,
    decision: v.decision,
    declineType: v.declineType,
    reasonCodes: [...v.reasonCodes],
  };
}

/**
 * Reads the session (`GET /session`), opened with `read` access. The page polls it while checks run, which
 * is also when a run lost between submit and its enqueue gets re-queued (see requeueIfStalled).
 */
export async function getSession(deps: AppDeps, session: OpenSession): Promise<SessionView> {
  await requeueIfStalled(deps, session.verification);
  return toSessionView(session.verification, session.flow, session.livenessMode);
}

/** Re-reads the session after a change, for the response. */
export async function reloadSession(deps: AppDeps, id: string, flow: Flow): Promise<SessionView> {
  const v = await deps.store.verifications.get(id);
  if (!v) throw errors.notFound('Verification');
  return toSessionView(v, flow, livenessModeOf(flow, deps.config));
}

/**
 * Optimistic update of a verification: re-reads, applies `change` (which re-checks its preconditions and
 * may throw), writes with the version check; retries on a lost race.
 */
export async function updateSession(
  deps: AppDeps,
  id: string,
  change: (v: Verification) => Verification,
): Promise<Verification> {
  const result = await updateVerification(deps, id, change, () =>
    errors.conflict('concurrent_update', 'The session changed while this request was processed; retry.'),
  );
  if (!result) throw errors.notFound('Verification');
  return result.after;
}
