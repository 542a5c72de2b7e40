import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faceLivenessBrowserOrigins, hostedFlowCsp } from '../../functions/http/hosted-flow-policy';
import { serveHostedFlow } from '../../functions/local/hosted-flow-static';
import { ensureHostedFlowBuilt } from '../support/browser';

/**
 * Static serving of the hosted page (no browser needed): routes, security headers, cache policy,
 * path traversal, and a check that the real build has no inline script or style the CSP would block.
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

describe('serveHostedFlow', () => {
  let dist: string;
  let server: Server;
  let baseUrl: string;
  let framed: Server;
  let framedUrl: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'kyc-dist-'));
    for (const dir of ['assets', 'models', 'tfjs', 'liveness']) mkdirSync(join(dist, dir));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><title>x</title><script type="module" src="/v/assets/index-AbC123.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'models', 'tiny_face_detector_model-weights_manifest.json'), '[]');
    writeFileSync(join(dist, 'tfjs', 'tfjs-backend-wasm-simd.wasm'), Buffer.from([0, 97, 115, 109]));
    writeFileSync(join(dist, 'liveness', 'facemesh-detection-short.json'), '{}');
    writeFileSync(join(tmpdir(), 'kyc-secret.txt'), 'secret');
    const start = async (frameAncestors?: string): Promise<[Server, string]> => {
      const s = createServer((req, res) => {
        if (!serveHostedFlow(req, res, frameAncestors ? { distDir: dist, frameAncestors } : { distDir: dist }))
          res.writeHead(418).end('not mine');
      });
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
    };
    [server, baseUrl] = await start();
    [framed, framedUrl] = await start("'self' https://shop.example");
  });

  afterAll(async () => {
    await Promise.all([server, framed].map((s) => new Promise((r) => s.close(r))));
    rmSync(dist, { recursive: true, force: true });
  });

  test('GET /v/<id> serves index.html with the strict CSP and no caching', async () => {
    const res = await get(baseUrl, '/v/vrf_9a2b7c1d4e5f?token=abc');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('/v/assets/index-AbC123.js');
    const csp = String(res.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "connect-src 'self'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob:",
      "style-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['permissions-policy']).toMatch(/(^|, )camera=\(self\)/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('a missing build answers 503 with the fix', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kyc-empty-dist-'));
    const s = createServer((req, res) => void serveHostedFlow(req, res, { distDir: empty }));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await get(`http://127.0.0.1:${(s.address() as AddressInfo).port}`, '/v/vrf_abc');
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build:hosted-flow');
    } finally {
      await new Promise((r) => s.close(r));
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('frame-ancestors comes from the option', async () => {
    const res = await get(framedUrl, '/v/vrf_abc');
    expect(String(res.headers['content-security-policy']).split('; ')).toContain(
      "frame-ancestors 'self' https://shop.example",
    );
    expect(hostedFlowCsp()).toContain("frame-ancestors 'none'");
  });

  test('connect-src gains the Face Liveness endpoints only while that mode is configured', async () => {
    let origins: string[] = [];
    const s = createServer(
      (req, res) => void serveHostedFlow(req, res, { distDir: dist, connectOrigins: () => origins }),
    );
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      const csp = async (): Promise<string[]> =>
        String((await get(url, '/v/vrf_abc')).headers['content-security-policy']).split('; ');
      expect(await csp()).toContain("connect-src 'self'");
      origins = faceLivenessBrowserOrigins('eu-west-1');
      expect(await csp()).toContain(
        "connect-src 'self' wss://streaming-rekognition.eu-west-1.amazonaws.com https://cognito-identity.eu-west-1.amazonaws.com",
      );
      const model = await get(url, '/v/liveness/facemesh-detection-short.json');
      expect({ status: model.status, type: model.headers['content-type'] }).toEqual({
        status: 200,
        type: 'application/json; charset=utf-8',
      });
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  test('hashed assets are immutable; models and wasm have their types and a day of caching', async () => {
    const js = await get(baseUrl, '/v/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const model = await get(baseUrl, '/v/models/tiny_face_detector_model-weights_manifest.json');
    expect(model.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(model.headers['cache-control']).toBe('public, max-age=86400');
    const wasm = await get(baseUrl, '/v/tfjs/tfjs-backend-wasm-simd.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    const head = await get(baseUrl, '/v/vrf_abc', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  test('unknown files, traversal and non-GET methods are refused; other paths are left to the caller', async () => {
    expect((await get(baseUrl, '/v/assets/missing.js')).status).toBe(404);
    expect((await get(baseUrl, '/v/assets/../../kyc-secret.txt')).status).toBe(404);
    expect((await get(baseUrl, '/v/assets/..%2f..%2fkyc-secret.txt')).status).toBe(404);
    expect((await get(baseUrl, '/v/assets')).status).toBe(404);
    expect((await get(baseUrl, '/v/a/b/c')).status).toBe(404);
    const post = await get(baseUrl, '/v/vrf_abc', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(baseUrl, '/api/v1/applicant/session')).status).toBe(418);
    expect((await get(baseUrl, '/vx/abc')).status).toBe(418);
  });
});

describe('the built page', () => {
  test('has no inline script or style (the CSP allows neither) and ships only the tiny face models', () => {
    ensureHostedFlowBuilt();
    const root = join(__dirname, '..', '..', 'hosted-flow', 'dist');
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/v\/assets\/[\w.-]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    const models = readFileSync(join(root, 'models', 'tiny_face_detector_model-weights_manifest.json'), 'utf8');
    expect(JSON.parse(models)).toBeInstanceOf(Array);
    expect(readFileSync(join(root, 'models', 'face_landmark_68_tiny_model.bin')).length).toBeGreaterThan(10_000);
    // The Face Liveness detector model is served from the page's origin, weights beside the graph.
    const liveness = JSON.parse(readFileSync(join(root, 'liveness', 'facemesh-detection-short.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    for (const path of liveness.weightsManifest.flatMap((m) => m.paths))
      expect(readFileSync(join(root, 'liveness', path)).length).toBeGreaterThan(100_000);
  });

  test('the Face Liveness component (React, AWS streaming client) is a lazy chunk, not part of the entry', () => {
    const root = join(__dirname, '..', '..', 'hosted-flow', 'dist');
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const entry = /src="\/v\/assets\/([\w.-]+\.js)"/.exec(html)![1]!;
    const entryCode = readFileSync(join(root, 'assets', entry), 'utf8');
    expect(entryCode).not.toMatch(/FaceLivenessDetector|react-dom|StartFaceLivenessSession/);
    expect(html).not.toMatch(/modulepreload/);
    const lazy = readdirSync(join(root, 'assets')).filter((f) => f.endsWith('.js') && f !== entry);
    expect(lazy.some((f) => readFileSync(join(root, 'assets', f), 'utf8').includes('StartFaceLivenessSession'))).toBe(
      true,
    );
  });
});
