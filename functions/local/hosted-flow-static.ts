import type http from 'node:http';
import { HOSTED_FLOW_FILE_DIRS, hostedFlowCsp } from '../http/hosted-flow-policy';
import { hostedFlowSecurityHeaders, securityHeaderFields } from '../http/page-security-headers';
import { serveStaticSite } from './static-site';

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

const PAGE_PATH = /^\/([A-Za-z0-9_-]{1,100})\/?$/;
const FILE_DIRS: ReadonlySet<string> = new Set(HOSTED_FLOW_FILE_DIRS);

function securityHeaders(opts: HostedFlowOptions): Record<string, string> {
  const csp = hostedFlowCsp({ frameAncestors: opts.frameAncestors, connectOrigins: opts.connectOrigins?.() });
  // Embedding allowed by frame-ancestors: X-Frame-Options DENY would then contradict it.
  const embeddable = opts.frameAncestors !== undefined && opts.frameAncestors.trim() !== "'none'";
  return securityHeaderFields(csp, hostedFlowSecurityHeaders({ embeddable }), 'http');
}

/**
 * Serves the hosted flow if the request is for it. Returns true when the request was handled
 * (including 404/405 for paths under /v/ that are not pages or files), false to let the caller route it.
 */
export function serveHostedFlow(req: http.IncomingMessage, res: http.ServerResponse, opts: HostedFlowOptions): boolean {
  if (!(req.url ?? '/').startsWith('/v/')) return false;
  return serveStaticSite(req, res, {
    base: '/v',
    distDir: opts.distDir,
    fileDirs: HOSTED_FLOW_FILE_DIRS,
    isPage: (rest) => {
      const page = PAGE_PATH.exec(rest);
      return page?.[1] !== undefined && !FILE_DIRS.has(page[1]);
    },
    headers: () => securityHeaders(opts),
    buildCommand: 'npm run build:hosted-flow',
  });
}
