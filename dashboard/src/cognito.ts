/**
 * Sign-in through the Cognito hosted login (AWS): OAuth 2.0 authorization code with PKCE (RFC 7636) and a
 * public app client, so no secret lives in the browser. The verifier and state wait in sessionStorage for
 * the redirect back to `/dashboard/?code=&state=`; the tokens stay in memory only (a reload signs in again
 * through Cognito's own session, without a password prompt).
 */

export interface CognitoSettings {
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  cognitoDomain: string;
  clientId: string;
}

export interface PendingSignIn {
  state: string;
  verifier: string;
  /** The dashboard path to return to after sign-in. */
  returnTo: string;
}

export interface CognitoTokens {
  idToken: string;
  /** Epoch seconds when the ID token stops being accepted. */
  expiresAt: number;
}

const PENDING_KEY = 'kyc-dashboard-pkce';
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** A random string of `length` unreserved characters (an RFC 7636 verifier needs 43-128). */
export function randomToken(
  length = 64,
  random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes),
): string {
  let out = '';
  while (out.length < length) {
    // 66 symbols: dropping bytes >= 198 (3 * 66) keeps every symbol equally likely.
    for (const byte of random(new Uint8Array(length))) {
      if (byte < 198 && out.length < length) out += UNRESERVED[byte % UNRESERVED.length];
    }
  }
  return out;
}

/** base64url without padding. */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The S256 code challenge of a verifier. */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** The hosted-login URL the browser is sent to. */
export function authorizeUrl(settings: CognitoSettings, redirectUri: string, state: string, challenge: string): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${settings.cognitoDomain}/oauth2/authorize?${params}`;
}

/** The form body of the token request that redeems the code. */
export function tokenRequestBody(
  settings: CognitoSettings,
  redirectUri: string,
  code: string,
  verifier: string,
): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: settings.clientId,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  }).toString();
}

/** The hosted logout URL (ends Cognito's own session too, then back to the dashboard). */
export function logoutUrl(settings: CognitoSettings, logoutUri: string): string {
  return `${settings.cognitoDomain}/logout?${new URLSearchParams({ client_id: settings.clientId, logout_uri: logoutUri })}`;
}

/** The claims of a JWT payload (not verified here: the API's Cognito authorizer verifies every call). */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Starts a sign-in: remembers state + verifier, returns where to send the browser. */
export async function beginSignIn(
  settings: CognitoSettings,
  redirectUri: string,
  returnTo: string,
  storage: Pick<Storage, 'setItem'>,
): Promise<string> {
  const pending: PendingSignIn = { state: randomToken(32), verifier: randomToken(64), returnTo };
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  return authorizeUrl(settings, redirectUri, pending.state, await codeChallenge(pending.verifier));
}

/**
 * Finishes a sign-in on `/dashboard/?code=&state=`: checks the state against the one remembered
 * (a forged callback is refused), redeems the code with the verifier, and returns the ID token.
 */
export async function completeSignIn(
  settings: CognitoSettings,
  redirectUri: string,
  search: string,
  storage: Pick<Storage, 'getItem' | 'removeItem'>,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): Promise<{ tokens: CognitoTokens; returnTo: string }> {
  const params = new URLSearchParams(search);
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : null;
  if (params.get('error')) throw new Error(params.get('error_description') ?? params.get('error') ?? 'sign-in failed');
  const code = params.get('code');
  if (!pending || !code || params.get('state') !== pending.state) throw new Error('sign-in state mismatch');
  const response = await fetchImpl(`${settings.cognitoDomain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(settings, redirectUri, code, pending.verifier),
  });
  if (!response.ok) throw new Error(`token request failed (${response.status})`);
  const body = (await response.json()) as { id_token?: string };
  const exp = body.id_token ? jwtClaims(body.id_token)?.exp : undefined;
  if (!body.id_token || typeof exp !== 'number') throw new Error('no ID token in the token response');
  return { tokens: { idToken: body.id_token, expiresAt: exp }, returnTo: pending.returnTo };
}
