import {
  TERMINAL_STATUSES,
  type Attempt,
  type Decision,
  type DeclineType,
  type Flow,
  type Verification,
  type VerificationStatus,
  type VerificationView,
} from './model';

/**
 * Verification lifecycle rules: pending -> in_progress -> approved | declined | review, or expired.
 * A terminal state is never downgraded or overwritten; every function here returns a new record
 * (or null when the transition is not allowed) and leaves persistence to the caller.
 */

/** True for a status after which nothing changes any more. */
export function isTerminal(status: VerificationStatus): boolean {
  return (TERMINAL_STATUSES as readonly VerificationStatus[]).includes(status);
}

export function statusForDecision(decision: Decision): VerificationStatus {
  return decision;
}

export function isExpired(v: Verification, now: Date): boolean {
  return now.getTime() >= Date.parse(v.expiresAt);
}

/** Attempts used: every submitted attempt counts, including the one in progress. */
export function attemptsUsed(v: Verification): number {
  return v.attempts.length;
}

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

export interface TerminalOutcome {
  decision: Decision | null;
  declineType: DeclineType | null;
  reasonCodes: string[];
  riskFlags: string[];
}

/**
 * Moves a verification to its terminal state. Returns null if it already is terminal (first outcome wins).
 * `purgeAfter` starts the flow's retention window.
 */
export function finalize(
  v: Verification,
  outcome: TerminalOutcome,
  flow: Pick<Flow, 'retentionDays'>,
  now: Date,
): Verification | null {
  if (isTerminal(v.status)) return null;
  const at = now.toISOString();
  const declineType = outcome.decision === 'declined' ? (outcome.declineType ?? 'final') : null;
  const reasonCodes = [...new Set(outcome.reasonCodes)];
  const riskFlags = [...new Set(outcome.riskFlags)];
  return {
    ...v,
    status: outcome.decision ? statusForDecision(outcome.decision) : 'expired',
    decision: outcome.decision,
    declineType,
    reasonCodes,
    riskFlags,
    // An attempt still running when the verification ends another way (consent withdrawn during the checks)
    // ends with it: its checks can no longer decide, and it must not read as running for ever.
    attempts: v.attempts.map((a) =>
      a.completedAt === null
        ? { ...a, completedAt: at, decision: outcome.decision, declineType, reasonCodes, riskFlags }
        : a,
    ),
    completedAt: at,
    updatedAt: at,
    publishedAt: null,
    purgeAfter: addDays(at, flow.retentionDays),
    version: v.version + 1,
  };
}

/**
 * Records a retry-type decline of one attempt while attempts remain: the session goes back to pending
 * so the applicant can try again; nothing terminal is written.
 */
export function reopenForRetry(
  v: Verification,
  attempt: Attempt,
  now: Date,
  nextChallenge: Verification['challenge'],
): Verification | null {
  if (isTerminal(v.status)) return null;
  const at = now.toISOString();
  return {
    ...v,
    status: 'pending',
    attempts: v.attempts.map((a) => (a.number === attempt.number ? attempt : a)),
    challenge: nextChallenge,
    updatedAt: at,
    version: v.version + 1,
  };
}

/** The webhook/polling `data` shape: the spec's fields first, then our extensions. */
export function toView(v: Verification, flow?: Pick<Flow, 'maxAttempts'> | null): VerificationView {
  return {
    verificationId: v.id,
    status: v.status,
    decision: v.decision,
    declineType: v.declineType,
    reasonCodes: v.reasonCodes,
    riskFlags: v.riskFlags,
    mode: v.mode,
    createdAt: v.createdAt,
    completedAt: v.completedAt,
    flowId: v.flowId,
    expiresAt: v.expiresAt,
    metadata: v.metadata,
    attempts: v.attempts.length,
    ...(flow ? { maxAttempts: flow.maxAttempts } : {}),
    review: v.review ?? null,
    redacted: isErased(v),
  };
}

/** Whether the verification's personal data was erased (by a redact request or by retention). */
export function isErased(v: Pick<Verification, 'purgedAt' | 'redactedAt'>): boolean {
  return Boolean(v.purgedAt || v.redactedAt);
}

/**
 * The verification reduced to what a compliance record needs: ids, flow, mode, status, decision, declineType,
 * reason codes, risk flags, timestamps, attempts' outcomes, and the consent's text version and time (the page
 * language stays). Email, metadata, the return URL (it may carry the integrator's user id) and the consent's IP
 * and user agent are dropped.
 */
export function withoutPersonalData(v: Verification): Verification {
  return {
    ...v,
    applicantEmail: null,
    metadata: {},
    returnUrl: null,
    consent: v.consent ? { ...v.consent, ip: null, userAgent: null } : null,
  };
}
