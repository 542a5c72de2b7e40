/**
 * Operators: the people who sign in to the dashboard. `admin` may do everything; `reviewer` sees
 * verifications, decides review cases and reads the audit log, but manages no keys, flows or webhooks.
 */
export const OPERATOR_ROLES = ['admin', 'reviewer'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** The Cognito custom attribute holding an operator's organisation id (AWS runtime; immutable). */
export const COGNITO_ORG_ATTRIBUTE = 'custom:orgId';

/** Canonical form of an operator email (sign-in and uniqueness are case-insensitive). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Session lifetimes: an idle session ends after 30 minutes, any session after 12 hours. */
export const SESSION_IDLE_SECONDS = 30 * 60;
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;

/**
 * Sign-in backoff: after FREE_FAILURES failures for one account (or from one IP address: IP_FREE_FAILURES),
 * each further attempt is blocked for BASE * 2^(extra failures), capped at MAX. A success resets the
 * account's counter. Failures older than FAILURE_WINDOW are forgotten.
 */
export const SIGN_IN_BACKOFF = {
  freeFailures: 5,
  ipFreeFailures: 20,
  baseSeconds: 30,
  maxSeconds: 15 * 60,
  failureWindowSeconds: 60 * 60,
} as const;

/** Seconds an account/IP stays blocked after `failures` consecutive failures (0 = not blocked). */
export function backoffSeconds(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  const extra = failures - freeFailures;
  return Math.min(SIGN_IN_BACKOFF.maxSeconds, SIGN_IN_BACKOFF.baseSeconds * 2 ** Math.min(extra, 16));
}
