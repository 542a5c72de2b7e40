import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboardCsp } from '../../functions/http/dashboard-policy';
import { serveDashboard } from '../../functions/local/dashboard-static';
import { serveHostedFlow } from '../../functions/local/hosted-flow-static';
import { ensureDashboardBuilt } from '../support/browser';

/**
 * Static serving of the operator dashboard by the local runtime (no browser needed): SPA routes, the
 * sign-in config document, security headers, caching, traversal; and the real build has no inline script
 * or style and reaches no third-party origin.
 */

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(baseUrl: string, path: string, method = 'GET'): Promise<Reply> {
  // node:http keeps the raw path (fetch would normalise "../").
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const req = request({ hostname, port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveDashboard', () => {
  let dist: string;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'kyc-dashboard-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><title>x</title><script type="module" src="/dashboard/assets/index-AbC123.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'kyc-secret.txt'), 'secret');
    // The same chain as the local app: hosted flow first, then the dashboard, else the caller's 418.
    server = createServer((req, res) => {
      if (serveHostedFlow(req, res, { distDir: dist }) || serveDashboard(req, res, { distDir: dist })) return;
      res.writeHead(418).end('not mine');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dist, { recursive: true, force: true });
  });

  test.each([
    '/dashboard',
    '/dashboard/',
    '/dashboard/verifications?status=review',
    '/dashboard/verifications/vrf_abc',
    '/dashboard/review/vrf_abc',
    '/dashboard/flows/new',
    '/dashboard/sign-in',
    '/dashboard/?code=abc&state=xyz',
  ])('GET %s is the app (index.html) with the strict CSP, never cached', async (path) => {
    const res = await get(baseUrl, path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('/dashboard/assets/index-AbC123.js');
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toBe(dashboardCsp());
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' blob:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['permissions-policy']).toMatch(/camera=\(\)/);
  });

  test('config.json tells the page to sign in with email and password (the local runtime has no Cognito)', async () => {
    const res = await get(baseUrl, '/dashboard/config.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({ signIn: 'password' });
  });

  test('hashed bundles are immutable; HEAD has no body', async () => {
    const js = await get(baseUrl, '/dashboard/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const head = await get(baseUrl, '/dashboard/keys', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  test('unknown files, traversal, deep paths and writes are refused; other paths are left to the caller', async () => {
    expect((await get(baseUrl, '/dashboard/assets/missing.js')).status).toBe(404);
    expect((await get(baseUrl, '/dashboard/assets')).status).toBe(404);
    expect((await get(baseUrl, '/dashboard/assets/../../kyc-secret.txt')).status).toBe(404);
    expect((await get(baseUrl, '/dashboard/assets/..%2f..%2fkyc-secret.txt')).status).toBe(404);
    expect((await get(baseUrl, '/dashboard/a/b/c/d/e')).status).toBe(404);
    expect((await get(baseUrl, '/dashboard/<script>')).status).toBe(404);
    const post = await get(baseUrl, '/dashboard/keys', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(baseUrl, '/dashboardx')).status).toBe(418);
    expect((await get(baseUrl, '/api/v1/admin/session')).status).toBe(418);
  });

  test('a missing build answers 503 with the fix', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kyc-empty-dashboard-'));
    const s = createServer((req, res) => void serveDashboard(req, res, { distDir: empty }));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await get(`http://127.0.0.1:${(s.address() as AddressInfo).port}`, '/dashboard/verifications');
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build:dashboard');
    } finally {
      await new Promise((r) => s.close(r));
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the built dashboard', () => {
  test('has no inline script or style, and references only its own origin', () => {
    ensureDashboardBuilt();
    const root = join(__dirname, '..', '..', 'dashboard', 'dist');
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/dashboard\/assets\/[\w.-]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    // Every URL in the page is its own (no CDN fonts, analytics or scripts).
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^\/dashboard\/assets\//);
    const entry = /src="\/dashboard\/assets\/([\w.-]+\.js)"/.exec(html)![1]!;
    const code = readFileSync(join(root, 'assets', entry), 'utf8');
    // The bundle carries no server code (only types and pure domain rules are imported from functions/).
    expect(code).not.toMatch(/better-sqlite3|node:fs|process\.env\.KYC/);
  });
});
