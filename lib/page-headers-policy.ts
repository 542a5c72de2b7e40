import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { PageSecurityHeaders } from '../functions/http/page-security-headers';

const REFERRER_POLICIES: Record<PageSecurityHeaders['referrerPolicy'], cloudfront.HeadersReferrerPolicy> = {
  'no-referrer': cloudfront.HeadersReferrerPolicy.NO_REFERRER,
};

/**
 * The CloudFront response headers of a page: its CSP plus the headers the local server sends too
 * (functions/http/page-security-headers.ts), and HSTS. Every header overrides whatever the origin sent.
 */
export function pageHeadersPolicyBehaviors(
  csp: string,
  headers: PageSecurityHeaders,
): Pick<cloudfront.ResponseHeadersPolicyProps, 'securityHeadersBehavior' | 'customHeadersBehavior'> {
  return {
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(headers.hstsMaxAgeSeconds),
        includeSubdomains: true,
        preload: true,
        override: true,
      },
      referrerPolicy: { referrerPolicy: REFERRER_POLICIES[headers.referrerPolicy], override: true },
      ...(headers.frameOptions
        ? { frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true } }
        : {}),
      contentTypeOptions: { override: true },
    },
    customHeadersBehavior: {
      customHeaders: [
        { header: 'Permissions-Policy', value: headers.permissionsPolicy, override: true },
        { header: 'Cross-Origin-Opener-Policy', value: headers.crossOriginOpenerPolicy, override: true },
        { header: 'Cross-Origin-Resource-Policy', value: headers.crossOriginResourcePolicy, override: true },
      ],
    },
  };
}
