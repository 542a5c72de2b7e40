/**
 * The operator and review commands of the admin CLI, run in-process on the data directory of a running local
 * server (as an operator does in a second terminal): `operators create|list|disable|reset-password` and
 * `verifications decide`, whose final webhooks the server's worker sends.
 */
import { userInfo } from 'node:os';
import { runCli } from '../../functions/local/cli';
import { signIn } from '../support/admin-client';
import { api, startTestServer, type TestServer } from '../support/local-server';
import { startReceiver } from '../support/webhook-receiver';

const INTEGRATOR = '/api/v1/external/kyc';

let srv: TestServer;
const previous = process.env.KYC_DATA_DIR;
beforeAll(async () => {
  srv = await startTestServer({ env: { KYC_WEBHOOK_RETRY_DELAYS_MS: '200,400', KYC_WEBHOOK_TIMEOUT_MS: '1000' } });
  process.env.KYC_DATA_DIR = srv.dataDir;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.KYC_DATA_DIR;
  else process.env.KYC_DATA_DIR = previous;
  await srv.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; text: string; json: any }> {
  const lines: string[] = [];
  const code = await runCli(argv, (s) => lines.push(s));
  const text = lines.join('\n');
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { code, text, json };
}

describe('operators', () => {
  it('create --json prints email, role and the generated password once; the operator signs in with it', async () => {
    const created = await cli('operators', 'create', '--email', 'Rev.One@Example.com', '--role', 'reviewer', '--json');
    expect(created.code).toBe(0);
    expect(Object.keys(created.json).sort()).toEqual(['email', 'password', 'role']);
    expect(created.json).toMatchObject({ email: 'rev.one@example.com', role: 'reviewer' });
    expect(created.json.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const res = await signIn(srv, 'rev.one@example.com', created.json.password);
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ role: 'reviewer', orgId: srv.org.id });
    // The password is not retrievable afterwards: nothing lists it, and the store holds only a scrypt hash.
    const listed = await cli('operators', 'list', '--json');
    expect(listed.text).not.toContain(created.json.password);
    const row = srv.app.runtime.db
      .prepare('SELECT * FROM operators WHERE email = ?')
      .get('rev.one@example.com') as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(created.json.password);
  });

  it('create prints the password in text mode, and refuses a second operator with the same email', async () => {
    const created = await cli('operators', 'create', '--email', 'admin.two@example.com', '--role', 'admin');
    expect(created.code).toBe(0);
    const password = /password \(shown once, store it now\): (\S+)/.exec(created.text)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await signIn(srv, 'admin.two@example.com', password!)).status).toBe(200);
    const again = await cli('operators', 'create', '--email', 'ADMIN.TWO@example.com', '--role', 'reviewer', '--json');
    expect(again.code).toBe(2);
    expect(again.json.error.code).toBe('operator_exists');
  });

  it('validates the email and the role, naming the flag', async () => {
    const badRole = await cli('operators', 'create', '--email', 'x@example.com', '--role', 'owner', '--json');
    expect(badRole.code).toBe(2);
    expect(badRole.json.error.details).toEqual([{ field: '--role', issue: 'admin or reviewer' }]);
    const badEmail = await cli('operators', 'create', '--email', 'not-an-email', '--role', 'admin', '--json');
    expect(badEmail.json.error.details[0].field).toBe('--email');
    const missing = await cli('operators', 'create', '--role', 'admin', '--json');
    expect(missing.code).toBe(2);
    expect(missing.json.error.details[0].field).toBe('--email');
  });

  it('list shows every operator without secrets; disable signs it out and blocks sign-in', async () => {
    const created = await cli('operators', 'create', '--email', 'leaver@example.com', '--role', 'admin', '--json');
    const first = await signIn(srv, 'leaver@example.com', created.json.password);
    const cookie = first.setCookie!.split(';')[0]!;
    const listed = await cli('operators', 'list', '--json');
    const row = listed.json.find((o: { email: string }) => o.email === 'leaver@example.com');
    expect(row).toMatchObject({ role: 'admin', orgId: srv.org.id, disabledAt: null });
    expect(Object.keys(row)).not.toContain('passwordHash');
    expect((await cli('operators', 'list')).text).toMatch(
      /^email\s+role\s+orgId\s+createdAt\s+lastSignInAt\s+disabledAt\n/,
    );

    const disabled = await cli('operators', 'disable', 'leaver@example.com');
    expect(disabled.code).toBe(0);
    expect(disabled.text).toContain('Disabled leaver@example.com');
    expect((await api(srv.baseUrl, 'GET', '/api/v1/admin/session', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await signIn(srv, 'leaver@example.com', created.json.password)).status).toBe(401);
    const after = (await cli('operators', 'list', '--json')).json.find(
      (o: { email: string }) => o.email === 'leaver@example.com',
    );
    expect(after.disabledAt).toEqual(expect.any(String));
    expect((await cli('operators', 'disable', 'nobody@example.com', '--json')).json.error.code).toBe('not_found');
  });

  it('reset-password prints a new password once; the old one stops working and sessions end', async () => {
    const created = await cli(
      'operators',
      'create',
      '--email',
      'forgetful@example.com',
      '--role',
      'reviewer',
      '--json',
    );
    const session = await signIn(srv, 'forgetful@example.com', created.json.password);
    const cookie = session.setCookie!.split(';')[0]!;
    const reset = await cli('operators', 'reset-password', 'forgetful@example.com', '--json');
    expect(reset.code).toBe(0);
    expect(reset.json).toMatchObject({ email: 'forgetful@example.com', role: 'reviewer' });
    expect(reset.json.password).not.toBe(created.json.password);
    expect((await api(srv.baseUrl, 'GET', '/api/v1/admin/session', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await signIn(srv, 'forgetful@example.com', created.json.password)).status).toBe(401);
    expect((await signIn(srv, 'forgetful@example.com', reset.json.password)).status).toBe(200);
  });

  it('create defaults to the only organisation; with several it names the choices; --org picks one', async () => {
    const { org: other } = await srv.createOrg('pro');
    const ambiguous = await cli('operators', 'create', '--email', 'where@example.com', '--role', 'admin');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.text).toContain(srv.org.id);
    expect(ambiguous.text).toContain(other.id);
    const json = await cli('operators', 'create', '--email', 'where@example.com', '--role', 'admin', '--json');
    expect(json.json.error.details[0].field).toBe('--org');
    const picked = await cli(
      'operators',
      'create',
      '--email',
      'where@example.com',
      '--role',
      'admin',
      '--org',
      other.id,
    );
    expect(picked.code).toBe(0);
    const res = await signIn(srv, 'where@example.com', /: (\S+)$/m.exec(picked.text)![1]!);
    expect(res.json.data.orgId).toBe(other.id);
    const scoped = await cli('operators', 'list', '--org', other.id, '--json');
    expect(scoped.json.map((o: { email: string }) => o.email)).toEqual(['where@example.com']);
    const unknown = await cli(
      'operators',
      'create',
      '--email',
      'x@example.com',
      '--role',
      'admin',
      '--org',
      'org_nope',
    );
    expect(unknown.code).toBe(2);
  });
});

describe('verifications decide', () => {
  it('decides a review case: final data, the final webhooks from the server, the audit trail names the CLI user; 409 twice', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const minted = await srv.mintKey('test');
      await api(srv.baseUrl, 'POST', `${INTEGRATOR}/webhooks`, {
        key: minted.key,
        body: {
          url: receiver.url,
          events: ['verification.completed', 'verification.approved', 'verification.rejected'],
        },
      });
      const created = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
      const id = created.json.data.id as string;
      await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${id}/simulate`, {
        key: minted.key,
        body: { decision: 'review', reasonCodes: ['LIVENESS_INCONCLUSIVE'] },
      });
      await receiver.waitFor(1); // the automated `completed` (decision review)

      const decided = await cli(
        'verifications',
        'decide',
        id,
        '--decision',
        'declined',
        '--decline-type',
        'retry',
        '--reason',
        'LIVENESS_FAILED',
        '--reason',
        'NO_FACE_IN_SELFIE',
        '--note',
        'Replay attack visible in frame 3',
        '--json',
      );
      expect(decided.code).toBe(0);
      expect(decided.json).toMatchObject({
        verificationId: id,
        status: 'declined',
        declineType: 'retry',
        reasonCodes: ['LIVENESS_FAILED', 'NO_FACE_IN_SELFIE'],
        review: { decision: 'declined', note: 'Replay attack visible in frame 3', decidedAt: expect.any(String) },
      });
      // The server's worker sends what the CLI queued.
      const final = (await receiver.waitFor(3, 45_000)).slice(1); // the worker polls for jobs other processes queue
      expect(final.map((d) => d.json.event).sort()).toEqual(['verification.completed', 'verification.rejected']);
      for (const d of final) expect(d.json.data.review).toMatchObject({ decision: 'declined' });
      await new Promise((r) => setTimeout(r, 600));
      expect(receiver.received).toHaveLength(3);

      const trail = await srv.app.runtime.deps.store.audit.listByVerification(id);
      expect(trail.find((e) => e.type === 'verification.reviewed')).toMatchObject({
        actor: `cli:${userInfo().username}`,
        data: { decision: 'declined', note: 'Replay attack visible in frame 3' },
      });

      const again = await cli('verifications', 'decide', id, '--decision', 'approved', '--note', 'changed my mind');
      expect(again.code).toBe(2);
      expect(again.text).toContain('already decided');
    } finally {
      await receiver.close();
    }
  });

  it('text output, and 409 for a verification not in review', async () => {
    const minted = await srv.mintKey('test');
    const created = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key: minted.key, body: {} });
    const id = created.json.data.id as string;
    const pending = await cli('verifications', 'decide', id, '--decision', 'approved', '--note', 'x', '--json');
    expect(pending.code).toBe(2);
    expect(pending.json.error.code).toBe('not_in_review');
    await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications/${id}/simulate`, {
      key: minted.key,
      body: { decision: 'review' },
    });
    const ok = await cli('verifications', 'decide', id, '--decision', 'approved', '--note', 'Checked by hand');
    expect(ok.code).toBe(0);
    expect(ok.text).toMatch(new RegExp(`^Decided ${id}: approved\\.`));
  });

  it('validates the flags, naming them', async () => {
    const bad = await cli(
      'verifications',
      'decide',
      'vrf_x',
      '--decision',
      'approved',
      '--reason',
      'NOT_A_CODE',
      '--note',
      ' ',
      '--json',
    );
    expect(bad.code).toBe(2);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['--note', '--reason.0']);
    const typeWithoutDecline = await cli(
      'verifications',
      'decide',
      'vrf_x',
      '--decision',
      'approved',
      '--decline-type',
      'final',
      '--note',
      'n',
      '--json',
    );
    expect(typeWithoutDecline.json.error.details).toEqual([
      { field: '--decline-type', issue: 'only with decision "declined"' },
    ]);
    const missing = await cli('verifications', 'decide', 'vrf_x', '--note', 'n', '--json');
    expect(missing.json.error.details.map((d: { field: string }) => d.field)).toEqual(['--decision']);
    const unknown = await cli('verifications', 'decide', 'vrf_nope', '--decision', 'approved', '--note', 'n', '--json');
    expect(unknown.json.error.code).toBe('not_found');
    expect((await cli('verifications', 'decide', '--help')).text).toContain('[--reason <CODE>]...');
  });
});
