import { errors } from '../domain/errors';
import {
  SESSION_ABSOLUTE_SECONDS,
  SESSION_IDLE_SECONDS,
  SIGN_IN_BACKOFF,
  backoffSeconds,
  normalizeEmail,
  type OperatorRole,
} from '../domain/operators';
import type { Clock } from '../ports/clock';
import type { Crypto } from '../ports/crypto';
import type { IdGenerator } from '../ports/ids';
import type { OperatorAccount, OperatorAccounts } from '../ports/operator-accounts';
import type { PasswordHasher } from '../ports/passwords';
import { ConflictError, type Operator, type OperatorSession, type OperatorStore } from '../ports/persistence';

/**
 * Local operator accounts and sessions (the dashboard's sign-in on the local runtime; Cognito does this on
 * AWS). Passwords: scrypt (adapters/scrypt-password-hasher.ts). Sessions: a random 256-bit token in an
 * HttpOnly cookie, stored as its SHA-256; idle 30 min, absolute 12 h. CSRF: the token for a session is an
 * HMAC of the session token, so it needs no storage and is worthless without the cookie.
 */
export interface OperatorDeps {
  operators: OperatorStore;
  passwords: PasswordHasher;
  clock: Clock;
  crypto: Crypto;
  ids: IdGenerator;
}

/** The signed-in operator as the admin handlers see it (both runtimes). */
export interface OperatorPrincipal {
  /** Local operator id, or the Cognito `sub` on AWS. */
  operatorId: string;
  email: string;
  role: OperatorRole;
  orgId: string;
}

/** Generated passwords: 18 random bytes, base64url (24 characters, 144 bits). */
function generatePassword(crypto: Crypto): string {
  return crypto.randomToken(18);
}

export async function createOperator(
  deps: OperatorDeps,
  input: { orgId: string; email: string; role: OperatorRole },
): Promise<{ operator: Operator; password: string }> {
  const now = deps.clock.now().toISOString();
  const password = generatePassword(deps.crypto);
  const operator: Operator = {
    id: deps.ids.next('op'),
    orgId: input.orgId,
    email: normalizeEmail(input.email),
    role: input.role,
    passwordHash: await deps.passwords.hash(password),
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
    lastSignInAt: null,
  };
  try {
    await deps.operators.operators.create(operator);
  } catch (err) {
    if (err instanceof ConflictError)
      throw errors.conflict('operator_exists', 'An operator with this email already exists.', [
        { field: 'email', issue: 'already taken' },
      ]);
    throw err;
  }
  return { operator, password };
}

async function requireOperator(deps: OperatorDeps, email: string): Promise<Operator> {
  const op = await deps.operators.operators.getByEmail(normalizeEmail(email));
  if (!op) throw errors.notFound('Operator');
  return op;
}

/** Disables an operator and ends every session of it at once. */
export async function disableOperator(deps: OperatorDeps, email: string): Promise<Operator> {
  const op = await requireOperator(deps, email);
  const now = deps.clock.now().toISOString();
  const next = { ...op, disabledAt: op.disabledAt ?? now, updatedAt: now };
  await deps.operators.operators.save(next);
  await deps.operators.sessions.deleteByOperator(op.id);
  return next;
}

/** Sets a new generated password (shown once), re-enables nothing, and ends every session of the operator. */
export async function resetOperatorPassword(
  deps: OperatorDeps,
  email: string,
): Promise<{ operator: Operator; password: string }> {
  const op = await requireOperator(deps, email);
  const password = generatePassword(deps.crypto);
  const next = { ...op, passwordHash: await deps.passwords.hash(password), updatedAt: deps.clock.now().toISOString() };
  await deps.operators.operators.save(next);
  await deps.operators.sessions.deleteByOperator(op.id);
  await deps.operators.throttles.delete(accountKey(deps.crypto, op.email));
  return { operator: next, password };
}

const accountKey = (crypto: Crypto, email: string) => `account:${crypto.sha256Hex(normalizeEmail(email))}`;
const ipKey = (ip: string) => `ip:${ip}`;

/** The hash unknown emails are checked against, so they cost the same time as a wrong password. */
let decoyHash: Promise<string> | null = null;

const invalidCredentials = errors.invalidCredentials;

export interface SignedIn {
  /** The session token for the cookie; never stored. */
  token: string;
  csrfToken: string;
  operator: Operator;
  session: OperatorSession;
}

/**
 * Password sign-in. Primary course: not blocked (account, IP) -> scrypt check (against a decoy hash when the
 * email is unknown, so both answers take the same time and say the same thing) -> session.
 * Failures grow a per-account and a per-IP counter; past the free failures each key is blocked with an
 * exponential backoff (429 with Retry-After) during which no password is even checked.
 */
export async function signIn(
  deps: OperatorDeps,
  input: { email: string; password: string; ip: string },
): Promise<SignedIn> {
  const now = deps.clock.now();
  const account = accountKey(deps.crypto, input.email);
  const keys = [
    { key: account, free: SIGN_IN_BACKOFF.freeFailures },
    { key: ipKey(input.ip), free: SIGN_IN_BACKOFF.ipFreeFailures },
  ];
  const throttles = await Promise.all(keys.map((k) => deps.operators.throttles.get(k.key)));
  const blockedUntil = Math.max(0, ...throttles.map((t) => (t?.blockedUntil ? Date.parse(t.blockedUntil) : 0)));
  if (blockedUntil > now.getTime()) {
    const retryAfter = Math.ceil((blockedUntil - now.getTime()) / 1000);
    throw errors.rateLimited('too_many_attempts', 'Too many failed sign-ins. Wait before trying again.', {
      'Retry-After': String(retryAfter),
    });
  }
  const operator = await deps.operators.operators.getByEmail(normalizeEmail(input.email));
  decoyHash ??= deps.passwords.hash(deps.crypto.randomToken(18));
  const ok = await deps.passwords.verify(input.password, operator?.passwordHash ?? (await decoyHash));
  if (!operator || !ok || operator.disabledAt) {
    await Promise.all(
      keys.map(async ({ key, free }, i) => {
        const prev = throttles[i];
        const fresh =
          prev && now.getTime() - Date.parse(prev.lastFailureAt) < SIGN_IN_BACKOFF.failureWindowSeconds * 1000;
        const failures = (fresh ? prev.failures : 0) + 1;
        const wait = backoffSeconds(failures, free);
        await deps.operators.throttles.put({
          key,
          failures,
          lastFailureAt: now.toISOString(),
          blockedUntil: wait ? new Date(now.getTime() + wait * 1000).toISOString() : null,
        });
      }),
    );
    throw invalidCredentials();
  }
  await deps.operators.throttles.delete(account);
  const token = deps.crypto.randomToken(32);
  const session: OperatorSession = {
    tokenHash: deps.crypto.sha256Hex(token),
    operatorId: operator.id,
    orgId: operator.orgId,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_SECONDS * 1000).toISOString(),
  };
  await deps.operators.sessions.create(session);
  await deps.operators.operators.save({ ...operator, lastSignInAt: now.toISOString() });
  return { token, csrfToken: csrfTokenFor(deps.crypto, token), operator, session };
}

/** The CSRF token of a session: HMAC-SHA256(session token, "csrf"), base64url. */
export function csrfTokenFor(crypto: Crypto, sessionToken: string): string {
  return crypto.hmacSha256(sessionToken, 'kyc-dashboard-csrf').toString('base64url');
}

/** How often lastSeenAt is written (the idle timeout is 30 min; a write per request would be wasteful). */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Resolves a session cookie. Null when unknown, idle for 30 min, older than 12 h, or the operator is
 * disabled or gone (expired sessions are deleted on sight).
 */
export async function resolveSession(
  deps: OperatorDeps,
  token: string | undefined,
): Promise<{ principal: OperatorPrincipal; session: OperatorSession; csrfToken: string } | null> {
  if (!token || token.length > 128) return null;
  const tokenHash = deps.crypto.sha256Hex(token);
  const session = await deps.operators.sessions.get(tokenHash);
  if (!session) return null;
  const now = deps.clock.now().getTime();
  const idle = now - Date.parse(session.lastSeenAt) >= SESSION_IDLE_SECONDS * 1000;
  if (idle || now >= Date.parse(session.expiresAt)) {
    await deps.operators.sessions.delete(tokenHash);
    return null;
  }
  const operator = await deps.operators.operators.get(session.operatorId);
  if (!operator || operator.disabledAt) return null;
  if (now - Date.parse(session.lastSeenAt) > TOUCH_INTERVAL_MS)
    await deps.operators.sessions.touch(tokenHash, new Date(now).toISOString());
  return {
    principal: { operatorId: operator.id, email: operator.email, role: operator.role, orgId: operator.orgId },
    session,
    csrfToken: csrfTokenFor(deps.crypto, token),
  };
}

export async function signOut(deps: OperatorDeps, token: string | undefined): Promise<void> {
  if (token) await deps.operators.sessions.delete(deps.crypto.sha256Hex(token));
}

/**
 * First start on an empty installation: the first admin of the only organisation, with a generated
 * password to print once. Null when any operator exists.
 */
export async function bootstrapFirstAdmin(
  deps: OperatorDeps,
  orgId: string,
  email = 'admin@example.com',
): Promise<{ operator: Operator; password: string } | null> {
  if ((await deps.operators.operators.list()).length > 0) return null;
  return createOperator(deps, { orgId, email, role: 'admin' });
}

/** What an admin sees of a local operator: never its password hash. */
function accountOf(op: Operator): OperatorAccount {
  return {
    email: op.email,
    role: op.role,
    orgId: op.orgId,
    createdAt: op.createdAt,
    lastSignInAt: op.lastSignInAt,
    disabledAt: op.disabledAt,
  };
}

/** The operator-accounts port over the local operator store (the CLI's `operators ...` on the local runtime). */
export function localOperatorAccounts(deps: OperatorDeps): OperatorAccounts {
  return {
    async create(input) {
      const { operator, password } = await createOperator(deps, input);
      return { account: accountOf(operator), password };
    },
    async list(orgId) {
      return (await deps.operators.operators.list(orgId)).map(accountOf);
    },
    async disable(email) {
      return accountOf(await disableOperator(deps, email));
    },
    async resetPassword(email) {
      const { operator, password } = await resetOperatorPassword(deps, email);
      return { account: accountOf(operator), password };
    },
  };
}
