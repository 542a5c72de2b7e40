/**
 * Delivery policy of the operator dashboard (Dashboard -> Identity (KYC)), shared by the local static
 * server and the CloudFront distribution so both serve the same files under the same Content-Security-Policy.
 */

/** Where the dashboard lives on both runtimes (`/dashboard`, `/dashboard/<page>`, `/dashboard/assets/...`). */
export const DASHBOARD_BASE = '/dashboard';

/** Sub-folders of the dashboard build served as files (hashed bundles); every other path is the app. */
export const DASHBOARD_FILE_DIRS = ['assets'] as const;

/**
 * The sign-in document the page reads at start (`/dashboard/config.json`): the local runtime answers
 * `{"signIn": "password"}` (email/password against `POST /api/v1/admin/session`); the AWS stack deploys the
 * Cognito hosted-login settings (authorization code + PKCE, public app client: no secret in the browser).
 */
export type DashboardConfig =
  | { signIn: 'password' }
  | {
      signIn: 'cognito';
      /** Hosted-login base URL, e.g. `https://kyc-prod.auth.eu-west-1.amazoncognito.com`. */
      cognitoDomain: string;
      clientId: string;
    };

export const DASHBOARD_CONFIG_FILE = 'config.json';

export interface DashboardCspOptions {
  /** Extra `connect-src` origins: the Cognito hosted-login domain on AWS (token exchange). */
  connectOrigins?: readonly string[];
}

/**
 * The dashboard's Content-Security-Policy: everything from its own origin, no inline script or style,
 * never framed (`frame-ancestors 'none'`: a signed-in operator page must not be clickjacked), captures
 * shown from blob: URLs fetched with the operator's credentials. No third-party origin; on AWS only the
 * stack's own Cognito domain for the token exchange.
 */
export function dashboardCsp(opts: DashboardCspOptions = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...(opts.connectOrigins ?? [])].join(' ')}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
