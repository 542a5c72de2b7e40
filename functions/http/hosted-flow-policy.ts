/**
 * Delivery policy of the hosted applicant page, shared by the local static server and the CloudFront
 * distribution so both serve the same files under the same Content-Security-Policy.
 */

/**
 * Sub-folders of the page build (served under `/v/<dir>/`) that hold files rather than verification pages:
 * hashed bundles, face-api weights, tfjs wasm binaries, and the Face Liveness face-detection model.
 */
export const HOSTED_FLOW_FILE_DIRS = ['assets', 'models', 'tfjs', 'liveness'] as const;

export interface HostedFlowCspOptions {
  /** Extra `connect-src` origins: the S3 upload origin on AWS, Face Liveness endpoints when enabled. */
  connectOrigins?: readonly string[];
  /** CSP frame-ancestors value, e.g. `'self' https://app.example.com`. Default `'none'`. */
  frameAncestors?: string;
}

/**
 * The page's Content-Security-Policy. Scripts, styles, models and fonts come from the page's own origin;
 * WebAssembly (tfjs in the browser) needs 'wasm-unsafe-eval'; camera frames are blob: URLs; no inline
 * script or style anywhere.
 */
export function hostedFlowCsp(opts: HostedFlowCspOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...(opts.connectOrigins ?? [])].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${opts.frameAncestors ?? "'none'"}`,
  ].join('; ');
}

/**
 * Endpoints the browser reaches during a Rekognition Face Liveness check: the streaming WebSocket and
 * Cognito identity (guest credentials that sign it).
 */
export function faceLivenessBrowserOrigins(region: string): string[] {
  return [`wss://streaming-rekognition.${region}.amazonaws.com`, `https://cognito-identity.${region}.amazonaws.com`];
}
