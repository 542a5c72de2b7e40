import { createOperator } from '../../functions/app/operators';
import type { OperatorRole } from '../../functions/domain/operators';
import { readResponse, type TestServer } from './local-server';

/** A signed-in dashboard session against the real local server (cookie + CSRF token). */
export interface AdminSession {
  email: string;
  cookie: string;
  csrfToken: string;
  /** Calls the admin API with the session; state-changing methods send the CSRF header unless `csrf: false`. */
  call(
    method: string,
    path: string,
    opts?: { body?: unknown; csrf?: boolean | string; headers?: Record<string, string> },
  ): ReturnType<typeof readResponse>;
}

/** Creates an operator directly (as `operators create` does) and returns its generated password. */
export async function createTestOperator(
  srv: TestServer,
  role: OperatorRole,
  opts: { orgId?: string; email?: string } = {},
): Promise<{ email: string; password: string }> {
  const email = opts.email ?? `${role}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const { password } = await createOperator(srv.app.runtime.operators, {
    orgId: opts.orgId ?? srv.org.id,
    email,
    role,
  });
  return { email, password };
}

export async function signIn(srv: TestServer, email: string, password: string) {
  const res = await fetch(`${srv.baseUrl}/api/v1/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { ...(await readResponse(res)), setCookie: res.headers.get('set-cookie') };
}

/** Creates an operator of the role and signs it in. */
export async function adminSession(
  srv: TestServer,
  role: OperatorRole,
  opts: { orgId?: string; email?: string } = {},
): Promise<AdminSession> {
  const { email, password } = await createTestOperator(srv, role, opts);
  const res = await signIn(srv, email, password);
  if (res.status !== 200 || !res.setCookie) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
  const cookie = res.setCookie.split(';')[0] ?? '';
  const csrfToken = res.json.data.csrfToken as string;
  return sessionFrom(srv, email, cookie, csrfToken);
}

export function sessionFrom(srv: TestServer, email: string, cookie: string, csrfToken: string): AdminSession {
  return {
    email,
    cookie,
    csrfToken,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { Cookie: cookie, ...opts.headers };
      if (method !== 'GET' && opts.csrf !== false)
        headers['X-CSRF-Token'] = typeof opts.csrf === 'string' ? opts.csrf : csrfToken;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['Content-Type'] = 'application/json';
      }
      return readResponse(await fetch(`${srv.baseUrl}${path}`, { method, headers, body }));
    },
  };
}
