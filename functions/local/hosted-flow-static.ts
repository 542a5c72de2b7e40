import { createReadStream, existsSync, statSync } from 'node:fs';
import type http from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { HOSTED_FLOW_FILE_DIRS, hostedFlowCsp } from '../http/hosted-flow-policy';

/**
 * Static serving of the built hosted applicant page (hosted-flow/dist) for the local runtime.
 * `GET /v/<id>` returns index.html (the page reads its id from the path and its token from the query);
 * `/v/assets/*` (content-hashed, immutable), `/v/models/*` (face weights), `/v/tfjs/*` (wasm) and
 * `/v/liveness/*` (Face Liveness face model) are files. Every response carries the page's strict CSP.
 */

export interface HostedFlowOptions {
  /** Directory with the vite build output (index.html, assets/, models/, tfjs/). */
  distDir: string;
  /** CSP frame-ancestors value when the page may be embedded, e.g. `'self' https://app.example.com`. Default `'none'`. */
  frameAncestors?: string;
  /** Extra `connect-src` origins, read per response (Face Liveness endpoints when that mode is configured). */
  connectOrigins?: () => readonly string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const PAGE_PATH = /^\/v\/([A-Za-z0-9_-]{1,100})\/?$/;
const FILE_PATH = new RegExp(`^/v/(${HOSTED_FLOW_FILE_DIRS.join('|')})/([A-Za-z0-9._-]{1,200})$`);
const FILE_DIRS: ReadonlySet<string> = new Set(HOSTED_FLOW_FILE_DIRS);

function securityHeaders(opts: HostedFlowOptions): Record<string, string> {
  return {
    'Content-Security-Policy': hostedFlowCsp({
      frameAncestors: opts.frameAncestors,
      connectOrigins: opts.connectOrigins?.(),
    }),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...(opts.frameAncestors ? {} : { 'X-Frame-Options': 'DENY' }),
  };
}

/**
 * Serves the hosted flow if the request is for it. Returns true when the request was handled
 * (including 404/405 for paths under /v/ that are not pages or files), false to let the caller route it.
 */
export function serveHostedFlow(req: http.IncomingMessage, res: http.ServerResponse, opts: HostedFlowOptions): boolean {
  const path = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
  if (!path.startsWith('/v/')) return false;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    send(
      res,
      405,
      { ...securityHeaders(opts), Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
      'Method Not Allowed',
      method,
    );
    return true;
  }
  const distDir = resolve(opts.distDir);
  const fileMatch = FILE_PATH.exec(path);
  if (fileMatch) {
    const [, dir, name] = fileMatch as unknown as [string, string, string];
    const file = resolve(join(distDir, dir, name));
    if (!file.startsWith(distDir + sep)) return notFound(res, opts, method);
    // Hashed bundles never change; weights and wasm are versioned with the package, not the name.
    const cache = dir === 'assets' ? 'public, max-age=31536000, immutable' : 'public, max-age=86400';
    return sendFile(res, file, { ...securityHeaders(opts), 'Cache-Control': cache }, method, opts);
  }
  const page = PAGE_PATH.exec(path);
  if (page && !FILE_DIRS.has(page[1]!)) {
    const index = join(distDir, 'index.html');
    if (!existsSync(index)) {
      // A missing build is an operator problem: say how to fix it instead of a bare 404.
      send(
        res,
        503,
        { ...securityHeaders(opts), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
        'The hosted flow is not built. Run: npm run build:hosted-flow',
        method,
      );
      return true;
    }
    return sendFile(res, index, { ...securityHeaders(opts), 'Cache-Control': 'no-store' }, method, opts);
  }
  return notFound(res, opts, method);
}

function sendFile(
  res: http.ServerResponse,
  file: string,
  headers: Record<string, string>,
  method: string,
  opts: HostedFlowOptions,
): true {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return notFound(res, opts, method);
    size = stat.size;
  } catch {
    return notFound(res, opts, method);
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(size),
  });
  if (method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
  return true;
}

function notFound(res: http.ServerResponse, opts: HostedFlowOptions, method: string): true {
  send(
    res,
    404,
    { ...securityHeaders(opts), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    'Not Found',
    method,
  );
  return true;
}

function send(
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
  method: string,
): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(method === 'HEAD' ? undefined : body);
}
