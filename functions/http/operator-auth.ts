import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { OperatorPrincipal } from '../app/operators';
import { errors } from '../domain/errors';
import { COGNITO_ORG_ATTRIBUTE, OPERATOR_ROLES, type OperatorRole } from '../domain/operators';
import { header } from './responses';
import type { RouteDef } from './routes';

/**
 * Who the signed-in operator is, on both runtimes:
 * - local: the local server resolved the session cookie (and checked the CSRF header) and put the operator
 *   in `requestContext.authorizer`, as an API Gateway authorizer would;
 * - AWS: API Gateway's Cognito authorizer verified the ID token and passes its claims: the role comes from
 *   the `cognito:groups` claim, the organisation from the `custom:orgId` attribute.
 */

/** Context the local server passes for a valid session (strings only, like an API Gateway authorizer context). */
export interface OperatorContext {
  operatorId: string;
  email: string;
  role: OperatorRole;
  orgId: string;
  csrfToken: string;
  sessionExpiresAt: string;
}

export const SESSION_COOKIE = { secure: '__Host-kyc_session', plain: 'kyc_session' } as const;
export const CSRF_HEADER = 'X-CSRF-Token';
export { COGNITO_ORG_ATTRIBUTE };

const unauthorized = errors.signInRequired;

/** The role a Cognito `cognito:groups` claim grants (admin wins over reviewer); null without either group. */
export function roleFromGroups(claim: unknown): OperatorRole | null {
  const groups = Array.isArray(claim)
    ? claim.map(String)
    : typeof claim === 'string'
      ? claim
          .replace(/^\[|\]$/g, '')
          .split(/[,\s]+/)
          .filter(Boolean)
      : [];
  if (groups.includes('admin')) return 'admin';
  if (groups.includes('reviewer')) return 'reviewer';
  return null;
}

export function operatorOf(
  event: APIGatewayProxyEvent,
): OperatorPrincipal & { csrfToken: string | null; expiresAt: string | null } {
  const ctx = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const claims = ctx?.claims as Record<string, unknown> | undefined;
  if (claims && typeof claims === 'object') {
    const role = roleFromGroups(claims['cognito:groups']);
    const orgId = claims[COGNITO_ORG_ATTRIBUTE];
    const email = claims.email;
    const sub = claims.sub;
    if (typeof sub !== 'string' || typeof email !== 'string') throw unauthorized();
    if (!role || typeof orgId !== 'string' || !orgId)
      throw errors.forbidden('forbidden', 'Your account has no dashboard role or organisation; ask an admin.');
    const exp = Number(claims.exp);
    return {
      operatorId: sub,
      email,
      role,
      orgId,
      csrfToken: null,
      expiresAt: Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : null,
    };
  }
  if (
    ctx &&
    typeof ctx.operatorId === 'string' &&
    typeof ctx.email === 'string' &&
    typeof ctx.orgId === 'string' &&
    (OPERATOR_ROLES as readonly unknown[]).includes(ctx.role)
  ) {
    return {
      operatorId: ctx.operatorId,
      email: ctx.email,
      role: ctx.role as OperatorRole,
      orgId: ctx.orgId,
      csrfToken: typeof ctx.csrfToken === 'string' ? ctx.csrfToken : null,
      expiresAt: typeof ctx.sessionExpiresAt === 'string' ? ctx.sessionExpiresAt : null,
    };
  }
  throw unauthorized();
}

/** 403 unless the route's roles include the operator's. */
export function requireRole(route: Pick<RouteDef, 'roles' | 'id'>, role: OperatorRole): void {
  if (!route.roles?.includes(role))
    throw errors.forbidden(
      'forbidden',
      `Your role (${role}) may not do this; it needs: ${(route.roles ?? []).join(', ')}.`,
    );
}

/** Reads a cookie value from the Cookie header(s). */
export function cookie(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const raw = header(event, 'cookie');
  if (!raw) return undefined;
  for (const part of raw.split(/;\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The session cookie: `Secure` (and the `__Host-` prefix) except when the dashboard is on http://localhost. */
export function sessionCookieName(secure: boolean): string {
  return secure ? SESSION_COOKIE.secure : SESSION_COOKIE.plain;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${sessionCookieName(secure)}=${token}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

/** Secure cookies unless the public URL is plain http on a loopback host (local development). */
export function cookiesAreSecure(publicUrl: string): boolean {
  try {
    const u = new URL(publicUrl);
    return !(u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
  } catch {
    return true;
  }
}

/** Methods that change state and therefore need the CSRF header. */
export function isStateChanging(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}
