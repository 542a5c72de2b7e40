/**
 * The security headers of the two browser pages, the hosted applicant page and the operator dashboard,
 * besides their Content-Security-Policies (hosted-flow-policy.ts, dashboard-policy.ts). Defined once: the
 * local static server sends them as header fields ({@link securityHeaderFields}) and the CDK builds the
 * CloudFront response headers policies from the same values (lib/page-headers-policy.ts).
 */

/** What a page's responses declare besides the CSP. */
export interface PageSecurityHeaders {
  /** Referrer-Policy: no-referrer (the verify URL carries the client token in its query). */
  referrerPolicy: 'no-referrer';
  /** X-Frame-Options; null when the page may be embedded (its CSP `frame-ancestors` then says by whom). */
  frameOptions: 'DENY' | null;
  /** Permissions-Policy: which powerful features the page may use (the camera, on the applicant page only). */
  permissionsPolicy: string;
  crossOriginOpenerPolicy: 'same-origin';
  crossOriginResourcePolicy: 'same-origin';
  /**
   * Strict-Transport-Security max-age (seconds), with includeSubDomains and preload. Sent over HTTPS only
   * (CloudFront): browsers ignore it on plain HTTP, which is all the local server speaks.
   */
  hstsMaxAgeSeconds: number;
}

/** Two years, the HSTS preload list's expectation. */
const HSTS_MAX_AGE_SECONDS = 730 * 24 * 3600;

/** Features neither page uses: denied to the page and to anything it embeds. */
const DENIED_FEATURES = 'microphone=(), geolocation=(), payment=(), usb=()';

/** The hosted applicant page's headers: the camera for its own origin only; never framed unless configured. */
export function hostedFlowSecurityHeaders(opts: { embeddable?: boolean } = {}): PageSecurityHeaders {
  return {
    referrerPolicy: 'no-referrer',
    frameOptions: opts.embeddable ? null : 'DENY',
    permissionsPolicy: `camera=(self), ${DENIED_FEATURES}`,
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    hstsMaxAgeSeconds: HSTS_MAX_AGE_SECONDS,
  };
}

/** The operator dashboard's headers: no camera, never framed (a signed-in page must not be clickjacked). */
export const DASHBOARD_SECURITY_HEADERS: PageSecurityHeaders = {
  referrerPolicy: 'no-referrer',
  frameOptions: 'DENY',
  permissionsPolicy: `camera=(), ${DENIED_FEATURES}`,
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  hstsMaxAgeSeconds: HSTS_MAX_AGE_SECONDS,
};

/** The Strict-Transport-Security value of a page. */
export function hstsValue(headers: PageSecurityHeaders): string {
  return `max-age=${headers.hstsMaxAgeSeconds}; includeSubDomains; preload`;
}

/**
 * A page's security headers as HTTP header fields, CSP first. `transport: 'http'` (the local server) leaves
 * out Strict-Transport-Security.
 */
export function securityHeaderFields(
  csp: string,
  headers: PageSecurityHeaders,
  transport: 'http' | 'https',
): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'Referrer-Policy': headers.referrerPolicy,
    'X-Content-Type-Options': 'nosniff',
    ...(headers.frameOptions ? { 'X-Frame-Options': headers.frameOptions } : {}),
    'Permissions-Policy': headers.permissionsPolicy,
    'Cross-Origin-Opener-Policy': headers.crossOriginOpenerPolicy,
    'Cross-Origin-Resource-Policy': headers.crossOriginResourcePolicy,
    ...(transport === 'https' ? { 'Strict-Transport-Security': hstsValue(headers) } : {}),
  };
}
