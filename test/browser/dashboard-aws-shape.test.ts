/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { createAdminHandler } from '../../functions/handlers/admin';
import { matchPath, type RouteDef, routes } from '../../functions/http/routes';
import { serveDashboard } from '../../functions/local/dashboard-static';
import type { BlobReadLinks } from '../../functions/ports/blobs';
import {
  axeViolations,
  describeWithBrowser,
  ensureDashboardBuilt,
  launchBrowser,
  openPage,
  screenshot,
  type TestPage,
  waitForScreen,
} from '../support/browser';
import { api, startTestServer, type TestServer } from '../support/local-server';

/**
 * The dashboard as it runs on AWS, in real Chromium: `config.json` says Cognito, the operator signs in through
 * the hosted login (authorization code + PKCE against a stand-in Cognito that checks the verifier), every
 * admin API call carries the ID token as `Authorization: Bearer` (verified by a stand-in for the API Gateway
 * Cognito authorizer, which hands its claims to the real admin handler), and a capture over the Lambda
 * inline limit comes back as a signed link to a stand-in S3. That S3 behaves like the real one where it
 * matters: it refuses a presigned request that also carries an Authorization header (400), refuses a wrong
 * signature (403), and answers CORS only for the dashboard's origin, GET, no request headers (the bucket's
 * rule). The page must show the capture without ever sending the operator's token to S3.
 */

const INLINE_LIMIT = 1024;
const CLIENT_ID = 'dashboard-client';
const SIGNING_SECRET = 'test-signing-secret';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

interface S3Request {
  method: string;
  path: string;
  authorization: string | null;
  cookie: string | null;
  origin: string | null;
  requestHeaders: string | null;
}

describeWithBrowser('dashboard on the AWS shape (Cognito sign-in, signed links for large captures)', () => {
  jest.setTimeout(240_000);
  let srv: TestServer;
  let browser: Browser;
  let tab: TestPage | null = null;
  const servers: Server[] = [];
  let dashboardOrigin = '';
  let cognitoOrigin = '';
  let s3Origin = '';
  const s3Requests: S3Request[] = [];
  const apiRequests: Array<{ path: string; authorization: string | null; status: number }> = [];
  const orgClaims = { email: 'reviewer@example.com', sub: '6f1c2d3e-0000-4000-8000-000000000002' };

  /** Link signature the stand-in S3 accepts: HMAC of the key and expiry (a real one is SigV4). */
  const signatureOf = (key: string, expires: string) =>
    createHmac('sha256', SIGNING_SECRET).update(`${key}\n${expires}`).digest('hex');

  beforeAll(async () => {
    ensureDashboardBuilt();
    [srv, browser] = await Promise.all([startTestServer(), launchBrowser({ noCamera: true })]);
    const deps = srv.app.runtime.deps;

    // Stand-in S3 (its own origin): presigned GETs only.
    const s3 = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://s3');
      const origin = req.headers.origin ?? null;
      s3Requests.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization ?? null,
        cookie: req.headers.cookie ?? null,
        origin,
        requestHeaders: (req.headers['access-control-request-headers'] as string | undefined) ?? null,
      });
      const cors: Record<string, string> = origin === dashboardOrigin ? { 'Access-Control-Allow-Origin': origin } : {};
      if (req.method === 'OPTIONS') {
        // The bucket's CORS rule: GET from the dashboard origin, no request headers allowed.
        const ok = origin === dashboardOrigin && !req.headers['access-control-request-headers'];
        res.writeHead(ok ? 200 : 403, ok ? { ...cors, 'Access-Control-Allow-Methods': 'GET' } : {}).end();
        return;
      }
      if (req.headers.authorization) {
        res
          .writeHead(400, { ...cors, 'Content-Type': 'application/xml' })
          .end('<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>');
        return;
      }
      const key = decodeURIComponent(url.pathname.slice(1));
      const expires = url.searchParams.get('X-Amz-Expires') ?? '';
      const given = Buffer.from(url.searchParams.get('X-Amz-Signature') ?? '');
      const expected = Buffer.from(signatureOf(key, expires));
      if (req.method !== 'GET' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(403, cors).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
        return;
      }
      void deps.blobs.get(key).then((bytes) => {
        if (!bytes) return res.writeHead(404, cors).end();
        res
          .writeHead(200, {
            ...cors,
            'Content-Type': url.searchParams.get('response-content-type') ?? 'application/octet-stream',
            'Cache-Control': url.searchParams.get('response-cache-control') ?? '',
          })
          .end(bytes);
      });
    });
    s3Origin = `http://localhost:${await listen(s3)}`;
    servers.push(s3);
    const links: BlobReadLinks = {
      async readLink(key, opts) {
        const expires = String(opts.expiresSeconds);
        const query = new URLSearchParams({
          'X-Amz-Expires': expires,
          'X-Amz-Signature': signatureOf(key, expires),
          'response-content-type': opts.contentType,
          'response-cache-control': 'no-store, private',
        });
        return `${s3Origin}/${key.split('/').map(encodeURIComponent).join('/')}?${query}`;
      },
    };

    // Stand-in Cognito hosted login (its own origin): code + PKCE, ID tokens signed with a test key.
    const codes = new Map<string, { challenge: string; redirectUri: string }>();
    const cognito = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://cognito');
      const cors = { 'Access-Control-Allow-Origin': dashboardOrigin };
      if (url.pathname === '/oauth2/authorize') {
        const p = url.searchParams;
        expect(p.get('response_type')).toBe('code');
        expect(p.get('client_id')).toBe(CLIENT_ID);
        expect(p.get('code_challenge_method')).toBe('S256');
        const code = `code-${codes.size + 1}`;
        codes.set(code, { challenge: p.get('code_challenge') ?? '', redirectUri: p.get('redirect_uri') ?? '' });
        const back = new URL(p.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', p.get('state') ?? '');
        res.writeHead(302, { Location: back.toString() }).end();
        return;
      }
      if (url.pathname === '/oauth2/token' && req.method === 'POST') {
        void readBody(req).then((text) => {
          const form = new URLSearchParams(text);
          const pending = codes.get(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          codes.delete(form.get('code') ?? '');
          if (
            !pending ||
            form.get('client_id') !== CLIENT_ID ||
            form.get('redirect_uri') !== pending.redirectUri ||
            b64url(createHash('sha256').update(verifier).digest()) !== pending.challenge
          ) {
            res.writeHead(400, { ...cors, 'Content-Type': 'application/json' }).end('{"error":"invalid_grant"}');
            return;
          }
          const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
          const payload = b64url(
            JSON.stringify({
              ...orgClaims,
              'cognito:groups': ['reviewer'],
              'custom:orgId': srv.org.id,
              token_use: 'id',
              aud: CLIENT_ID,
              exp: Math.floor(Date.now() / 1000) + 3600,
            }),
          );
          const signature = b64url(createHmac('sha256', SIGNING_SECRET).update(`${header}.${payload}`).digest());
          res
            .writeHead(200, { ...cors, 'Content-Type': 'application/json' })
            .end(
              JSON.stringify({ id_token: `${header}.${payload}.${signature}`, token_type: 'Bearer', expires_in: 3600 }),
            );
        });
        return;
      }
      res.writeHead(404).end();
    });
    cognitoOrigin = `http://localhost:${await listen(cognito)}`;
    servers.push(cognito);

    // CloudFront + API Gateway stand-in: the dashboard files with the AWS CSP and config.json, and the admin
    // API behind a Cognito authorizer (signature and expiry checked, claims passed on as API Gateway does).
    const admin = createAdminHandler({ ...deps, blobLinks: links }, { maxInlineCaptureBytes: INLINE_LIMIT });
    const claimsOf = (authorization: string | undefined): Record<string, string> | null => {
      const [header, payload, signature] = (authorization ?? '').replace(/^Bearer /, '').split('.');
      if (!header || !payload || !signature) return null;
      const expected = b64url(createHmac('sha256', SIGNING_SECRET).update(`${header}.${payload}`).digest());
      if (expected !== signature) return null;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (Number(claims.exp) * 1000 < Date.now()) return null;
      // API Gateway hands claims over as strings; groups as "[a b]"-style text.
      return Object.fromEntries(
        Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
      );
    };
    const edge = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://edge');
      if (url.pathname === '/dashboard/config.json') {
        res
          .writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
          .end(JSON.stringify({ signIn: 'cognito', cognitoDomain: cognitoOrigin, clientId: CLIENT_ID }));
        return;
      }
      if (
        serveDashboard(req, res, {
          distDir: join(process.cwd(), 'dashboard/dist'),
          connectOrigins: [cognitoOrigin, s3Origin],
        })
      )
        return;
      const route = (routes as readonly RouteDef[]).find(
        (r) => r.lambda === 'admin' && r.method === req.method && matchPath(r.path, url.pathname),
      );
      if (!route || route.localOnly) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Missing Authentication Token"}');
        return;
      }
      const claims = claimsOf(req.headers.authorization);
      if (!claims) {
        apiRequests.push({ path: url.pathname, authorization: req.headers.authorization ?? null, status: 401 });
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"message":"Unauthorized"}');
        return;
      }
      void readBody(req).then(async (body) => {
        const event = {
          resource: route.path,
          path: url.pathname,
          httpMethod: route.method,
          pathParameters: matchPath(route.path, url.pathname),
          queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
          multiValueQueryStringParameters: null,
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          multiValueHeaders: {},
          body: body || null,
          isBase64Encoded: false,
          stageVariables: null,
          requestContext: { authorizer: { claims }, identity: { sourceIp: '203.0.113.9' } },
        } as unknown as APIGatewayProxyEvent;
        const result = (await admin(event, { awsRequestId: 'edge' } as Context)) as APIGatewayProxyResult;
        apiRequests.push({
          path: `${url.pathname}${url.search}`,
          authorization: req.headers.authorization ?? null,
          status: result.statusCode,
        });
        const bytes = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '');
        res.writeHead(result.statusCode, result.headers as Record<string, string>).end(bytes);
      });
    });
    dashboardOrigin = `http://127.0.0.1:${await listen(edge)}`;
    servers.push(edge);
  }, 120_000);

  afterEach(async () => {
    if (tab) expect(tab.problems.filter((p) => /Content Security Policy|pageerror/i.test(p))).toEqual([]);
    await tab?.context.close();
    tab = null;
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map(close));
    await srv?.stop();
  });

  /** A test-mode verification in review whose first attempt has a selfie of `pixels`² random pixels (PNG). */
  async function reviewCaseWithSelfie(pixels: number): Promise<{ id: string; png: Buffer }> {
    const deps = srv.app.runtime.deps;
    const { key } = await srv.mintKey('test');
    const created = await api(srv.baseUrl, 'POST', '/api/v1/external/kyc/verifications', { key, body: {} });
    const id = created.json.data.id as string;
    const png = await sharp(
      Buffer.from(Array.from({ length: pixels * pixels * 3 }, () => Math.floor(Math.random() * 256))),
      {
        raw: { width: pixels, height: pixels, channels: 3 },
      },
    )
      .png()
      .toBuffer();
    const now = new Date().toISOString();
    const blobKey = `captures/${id}/1/selfie.png`;
    await deps.blobs.put(blobKey, png, 'image/png');
    await deps.store.captures.create({
      id: `cap_${id.slice(4, 14)}`,
      verificationId: id,
      attempt: 1,
      kind: 'selfie',
      index: 0,
      blobKey,
      contentType: 'image/png',
      bytes: png.length,
      width: pixels,
      height: pixels,
      status: 'uploaded',
      sha256: deps.crypto.sha256Hex(png),
      uploadExpiresAt: now,
      createdAt: now,
    });
    const v = (await deps.store.verifications.get(id))!;
    const attempt = {
      number: 1,
      submittedAt: now,
      completedAt: now,
      decision: 'review' as const,
      declineType: null,
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
      riskFlags: [],
    };
    expect(
      await deps.store.verifications.update(
        { ...v, status: 'review', attempts: [attempt], version: v.version + 1 },
        v.version,
      ),
    ).toBe(true);
    return { id, png };
  }

  test('signs in through the hosted login and shows a large capture from its signed link, never sending the token to S3', async () => {
    const large = await reviewCaseWithSelfie(96);
    expect(large.png.length).toBeGreaterThan(INLINE_LIMIT);
    tab = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const { page } = tab;

    await page.goto(`${dashboardOrigin}/dashboard/verifications/${large.id}`);
    await waitForScreen(page, 'sign-in');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('main[data-screen="sign-in"] button');
    // Back from the hosted login with a code; redeemed with the PKCE verifier, then where the operator was going.
    await waitForScreen(page, 'verification');
    expect(await page.locator('[data-operator]').getAttribute('data-operator')).toBe(orgClaims.email);
    expect(new URL(page.url()).search).toBe('');

    const image = page.locator('figure[data-capture="selfie"] img');
    await image.waitFor({ timeout: 30_000 });
    await expect(image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(96);
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 30_000 });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-aws-large-capture');

    // The API gave the link as JSON (asked for with delivery=link), with the operator's token...
    const captureCalls = apiRequests.filter((r) => r.path.includes('/captures/'));
    expect(captureCalls).toEqual([
      {
        path: expect.stringMatching(/\?delivery=link$/),
        authorization: expect.stringMatching(/^Bearer /),
        status: 200,
      },
    ]);
    expect(apiRequests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    // ...and S3 saw one plain GET from the dashboard's origin: no token, no cookie, no preflight.
    expect(s3Requests).toEqual([
      {
        method: 'GET',
        path: `/captures/${large.id}/1/selfie.png`,
        authorization: null,
        cookie: null,
        origin: dashboardOrigin,
        requestHeaders: null,
      },
    ]);
    const trail = await srv.app.runtime.deps.store.audit.listByVerification(large.id);
    expect(trail.find((e) => e.type === 'capture.viewed')).toMatchObject({
      actor: `operator:${orgClaims.email}`,
      data: { via: 'signed_link' },
    });
  });

  test('a small capture stays inline: the bytes come from the API, S3 is not asked', async () => {
    const small = await reviewCaseWithSelfie(8);
    expect(small.png.length).toBeLessThanOrEqual(INLINE_LIMIT);
    const s3Before = s3Requests.length;
    tab = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const { page } = tab;
    await page.goto(`${dashboardOrigin}/dashboard/verifications/${small.id}`);
    await waitForScreen(page, 'sign-in');
    await page.click('main[data-screen="sign-in"] button');
    await waitForScreen(page, 'verification');
    const image = page.locator('figure[data-capture="selfie"] img');
    await image.waitFor({ timeout: 30_000 });
    await expect(image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(8);
    expect(s3Requests.length).toBe(s3Before);
  });
});
