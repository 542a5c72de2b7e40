import { createReadStream, existsSync, statSync } from 'node:fs';
import type http from 'node:http';
import { basename, extname, join, resolve, sep } from 'node:path';
import { describeError } from '../http/errors';
import { logger } from '../http/observability';

/**
 * Static serving of a built single-page app (a vite output directory) for the local runtime: the hosted
 * applicant page under `/v/` and the operator dashboard under `/dashboard/`. Files come from a fixed set of
 * sub-folders (hashed bundles are immutable); every page path returns index.html; every response carries
 * the site's security headers.
 */

export interface StaticSite {
  /** URL prefix without trailing slash, e.g. `/v` or `/dashboard`. */
  base: string;
  /** Directory with the vite build output (index.html and the file folders). */
  distDir: string;
  /** Folders served as files (`<base>/<dir>/<file>`); `assets` holds content-hashed bundles. */
  fileDirs: readonly string[];
  /** Whether a path below the base (without the base, e.g. `/abc`) is a page of the app. */
  isPage(rest: string): boolean;
  /** Security headers (CSP included) for every response, computed per response. */
  headers(): Record<string, string>;
  /** Documents generated at run time rather than built (`<base>/<name>`), e.g. the dashboard's config.json. */
  generated?: Readonly<Record<string, () => unknown>>;
  /** What to run when the build is missing, shown in the 503 body. */
  buildCommand: string;
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

const FILE_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Serves the site if the request is for it. Returns true when the request was handled (including 404/405
 * for paths under the base that are neither pages nor files), false to let the caller route it.
 */
export function serveStaticSite(req: http.IncomingMessage, res: http.ServerResponse, site: StaticSite): boolean {
  // The raw path, not a normalised one: `..` segments must reach the checks below and fail there.
  const path = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  if (path !== site.base && !path.startsWith(`${site.base}/`)) return false;
  const rest = path.slice(site.base.length);
  const method = req.method ?? 'GET';
  const textHeaders = { ...site.headers(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, 405, { ...textHeaders, Allow: 'GET, HEAD' }, 'Method Not Allowed', method);
    return true;
  }
  const generate =
    site.generated && Object.hasOwn(site.generated, rest.slice(1)) ? site.generated[rest.slice(1)] : null;
  if (generate) {
    const body = JSON.stringify(generate());
    const headers = {
      ...site.headers(),
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
    };
    send(res, 200, headers, body, method);
    return true;
  }
  const [dir, name, ...deeper] = rest.split('/').slice(1);
  if (dir !== undefined && name !== undefined && deeper.length === 0 && site.fileDirs.includes(dir)) {
    const distDir = resolve(site.distDir);
    const file = resolve(join(distDir, dir, name));
    if (!FILE_NAME.test(name) || !file.startsWith(distDir + sep)) return notFound(res, textHeaders, method);
    // Hashed bundles never change; other files are versioned with the package, not the name.
    const cache = dir === 'assets' ? 'public, max-age=31536000, immutable' : 'public, max-age=86400';
    return sendFile(res, file, { ...site.headers(), 'Cache-Control': cache }, method, textHeaders);
  }
  if (!site.isPage(rest)) return notFound(res, textHeaders, method);
  const index = join(site.distDir, 'index.html');
  if (!existsSync(index)) {
    // A missing build is an operator problem: say how to fix it instead of a bare 404.
    send(res, 503, textHeaders, `Not built. Run: ${site.buildCommand}`, method);
    return true;
  }
  return sendFile(res, index, { ...site.headers(), 'Cache-Control': 'no-store' }, method, textHeaders);
}

function sendFile(
  res: http.ServerResponse,
  file: string,
  headers: Record<string, string>,
  method: string,
  notFoundHeaders: Record<string, string>,
): true {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return notFound(res, notFoundHeaders, method);
    size = stat.size;
  } catch {
    return notFound(res, notFoundHeaders, method);
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
    .on('error', (err) => {
      // Headers are out: all that is left is to cut the response short, and say why in the log.
      logger.error('static file read failed', { file: basename(file), error: describeError(err) });
      res.destroy();
    })
    .pipe(res);
  return true;
}

function notFound(res: http.ServerResponse, headers: Record<string, string>, method: string): true {
  send(res, 404, headers, 'Not Found', method);
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
