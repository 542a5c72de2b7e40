import { isIP } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AppConfig } from '../app/deps';
import { header } from './responses';

/**
 * What CloudFront tells the API about a request on AWS. Behind CloudFront, API Gateway's `sourceIp` is an
 * edge server; the viewer's address comes from a header that a CloudFront Function sets on every API
 * request (overwriting whatever the client sent). API Gateway only accepts requests that carry the origin
 * secret CloudFront adds ({@link ORIGIN_VERIFY_HEADER}, checked by WAF), so no client can set the viewer
 * header directly.
 */

/** Set by the CloudFront Function on API behaviours to `event.viewer.ip` (the address CloudFront saw). */
export const VIEWER_IP_HEADER = 'x-kyc-viewer-ip';

/** Secret origin header CloudFront adds to API requests; WAF blocks execute-api requests without it. */
export const ORIGIN_VERIFY_HEADER = 'x-kyc-origin-verify';

/**
 * The applicant's IP address: on AWS the viewer address CloudFront saw (never the edge's `sourceIp`);
 * locally the socket's peer address.
 */
export function viewerIp(event: APIGatewayProxyEvent, runtime: AppConfig['runtime']): string | null {
  if (runtime === 'aws') {
    const viewer = header(event, VIEWER_IP_HEADER)?.trim() ?? '';
    return isIP(viewer) ? viewer : null;
  }
  return event.requestContext?.identity?.sourceIp ?? null;
}
