import type http from 'node:http';
import {
  DASHBOARD_BASE,
  DASHBOARD_CONFIG_FILE,
  DASHBOARD_FILE_DIRS,
  type DashboardConfig,
  dashboardCsp,
} from '../http/dashboard-policy';
import { DASHBOARD_SECURITY_HEADERS, securityHeaderFields } from '../http/page-security-headers';
import { serveStaticSite } from './static-site';

/**
 * Static serving of the built operator dashboard (dashboard/dist) for the local runtime: `/dashboard` and
 * every `/dashboard/<page>` return index.html (the app routes in the browser), `/dashboard/assets/*` are the
 * hashed bundles, and `/dashboard/config.json` tells the page to sign in with email and password.
 */

const LOCAL_CONFIG: DashboardConfig = { signIn: 'password' };

/** Page paths: letters, digits, `_`, `-` segments (ids included), at most a few deep. */
const PAGE_PATH = /^(\/[A-Za-z0-9_-]{1,100}){0,4}\/?$/;

/** Serves the dashboard if the request is for it; false lets the caller route the request. */
export function serveDashboard(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: {
    distDir: string;
    /** Extra `connect-src` origins, as the AWS dashboard has (the captures bucket's signed links): tests. */
    connectOrigins?: readonly string[];
  },
): boolean {
  return serveStaticSite(req, res, {
    base: DASHBOARD_BASE,
    distDir: opts.distDir,
    fileDirs: DASHBOARD_FILE_DIRS,
    isPage: (rest) =>
      PAGE_PATH.test(rest) && !DASHBOARD_FILE_DIRS.some((dir) => rest === `/${dir}` || rest.startsWith(`/${dir}/`)),
    headers: () =>
      securityHeaderFields(
        dashboardCsp({ connectOrigins: [...(opts.connectOrigins ?? [])] }),
        DASHBOARD_SECURITY_HEADERS,
        'http',
      ),
    generated: { [DASHBOARD_CONFIG_FILE]: () => LOCAL_CONFIG },
    buildCommand: 'npm run build:dashboard',
  });
}
