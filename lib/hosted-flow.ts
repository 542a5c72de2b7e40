import * as fs from 'node:fs';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { routes } from '../functions/http/routes';
import { ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER } from '../functions/http/edge';
import { HOSTED_FLOW_FILE_DIRS, hostedFlowCsp as pageCsp } from '../functions/http/hosted-flow-policy';
import { hostedFlowSecurityHeaders } from '../functions/http/page-security-headers';
import type { Api } from './api';
import { pageHeadersPolicyBehaviors } from './page-headers-policy';

export interface HostedFlowProps {
  stage: string;
  api: Api;
  /** Built hosted flow (vite output, `hosted-flow/dist`). */
  assetDir: string;
  accessLogs: s3.IBucket;
  /** Where presigned POSTs go (the captures bucket endpoint): the only cross-origin `connect-src`. */
  uploadOrigin: string;
  /** Other endpoints the page may call (Face Liveness streaming and Cognito), added to `connect-src`. */
  extraConnectOrigins?: string[];
  domainName?: string;
  certificateArn?: string;
  /** Requests per 5 minutes per viewer IP on the whole distribution (page, assets and API). */
  perIpRequestsPer5Min: number;
  /** Existing CloudFront-scope web ACL to attach when the stack is outside us-east-1. */
  edgeWebAclArn?: string;
}

/** Name of the edge (CloudFront-scope) WAF rule that limits requests per viewer IP. */
export const EDGE_PER_IP_RULE = 'edge-per-viewer-ip-rate';

/**
 * Content-Security-Policy of the hosted flow (and of API responses through CloudFront): the same policy as
 * the local server, plus the S3 upload origin and, when given, the Face Liveness endpoints in `connect-src`.
 */
export function hostedFlowCsp(uploadOrigin: string, extraConnectOrigins: readonly string[] = []): string {
  return pageCsp({ connectOrigins: [uploadOrigin, ...extraConnectOrigins] });
}

/**
 * CloudFront Function (viewer request). The build's files live at the bucket root (`assets/`, `models/`, ...)
 * and the page addresses them as `/v/<dir>/<file>`: those drop the `/v` prefix. Every other `/v/...` path
 * is a verification page: the single-page app's index.html.
 */
export const SPA_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var file = uri.match(/^\\/v\\/(${HOSTED_FLOW_FILE_DIRS.join('|')})\\/([^/]+)$/);
  if (file) request.uri = '/' + file[1] + '/' + file[2];
  else if (uri === '/v' || uri.indexOf('/v/') === 0) request.uri = '/index.html';
  return request;
}`;

/**
 * CloudFront Function (viewer request) on every API behaviour: writes the viewer's address as CloudFront saw
 * it to {@link VIEWER_IP_HEADER}, replacing anything the client sent under that name. The API's WAF counts
 * per-IP limits on it and the applicant API records it as the consent IP.
 */
export const VIEWER_IP_CODE = `function handler(event) {
  var request = event.request;
  request.headers['${VIEWER_IP_HEADER}'] = { value: event.viewer.ip };
  return request;
}`;

/** Path patterns CloudFront sends to API Gateway: `/api/*` plus each top-level route outside /api. */
export function apiPathPatterns(): string[] {
  const patterns = new Set<string>();
  for (const route of routes) {
    const first = route.path.split('/')[1] ?? '';
    patterns.add(first === 'api' ? '/api/*' : `/${first}`);
  }
  return [...patterns].sort();
}

/**
 * The hosted applicant flow on CloudFront: a private S3 origin reached through Origin Access Control,
 * `/v/*` rewritten to index.html, and the API origin for `/api/*` (never cached, all viewer headers but
 * Host forwarded) so the page calls its own origin. Security headers (CSP, HSTS, Referrer-Policy
 * no-referrer — the verify URL carries the client token —, frame-ancestors/X-Frame-Options DENY) on
 * every response.
 */
export class HostedFlow extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly siteBucket: s3.Bucket;
  readonly headersPolicy: cloudfront.ResponseHeadersPolicy;
  /** https://<custom domain or CloudFront domain>, no trailing slash. */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: HostedFlowProps) {
    super(scope, id);
    if (!fs.existsSync(props.assetDir)) {
      throw new Error(`hosted flow not built: ${props.assetDir} is missing (run \`npm run build:hosted-flow\` first)`);
    }

    this.siteBucket = new s3.Bucket(this, 'SiteBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'site/',
      // Build output only: redeployed from the repository, nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // CloudFront names are global per account: the region keeps two regions' stacks of one name apart.
    const accountUniqueName = (what: string) => `${Stack.of(this).stackName}-${Stack.of(this).region}-${what}`;
    this.headersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: accountUniqueName('hosted-flow-headers'),
      comment: 'KYC hosted flow security headers',
      ...pageHeadersPolicyBehaviors(
        hostedFlowCsp(props.uploadOrigin, props.extraConnectOrigins),
        hostedFlowSecurityHeaders(),
      ),
    });

    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serve index.html for /v/*',
    });

    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket, {
      originAccessControl: new cloudfront.S3OriginAccessControl(this, 'SiteOriginAccess', {
        originAccessControlName: accountUniqueName('site-oac'),
        description: 'KYC hosted flow: CloudFront reads the site bucket',
      }),
    });
    const viewerIp = new cloudfront.Function(this, 'ViewerIp', {
      code: cloudfront.FunctionCode.fromInline(VIEWER_IP_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Pass the viewer IP to the API',
    });
    const apiOrigin = new origins.HttpOrigin(props.api.originDomain, {
      originPath: `/${props.api.stageName}`,
      // The API's WAF refuses requests without it: execute-api is reachable only through this distribution.
      customHeaders: { [ORIGIN_VERIFY_HEADER]: props.api.originVerifyValue },
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Host must be the execute-api domain for API Gateway to route the request.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headersPolicy,
      compress: true,
      functionAssociations: [{ function: viewerIp, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    };
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      '/v/*': {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
        functionAssociations: [{ function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    };
    for (const pattern of apiPathPatterns()) additionalBehaviors[pattern] = apiBehavior;

    const edgeAcl = this.edgeWebAcl(props);
    const custom =
      props.domainName && props.certificateArn
        ? { domainName: props.domainName, certificateArn: props.certificateArn }
        : null;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `KYC ${props.stage} hosted flow and API`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
      },
      additionalBehaviors,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // No standard logs: see the CFR3 acknowledgement below.
      enableLogging: false,
      ...(edgeAcl ? { webAclId: edgeAcl } : {}),
      ...(custom
        ? {
            domainNames: [custom.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn),
            // Only settable with a custom certificate (the *.cloudfront.net one has a fixed policy).
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.publicUrl = custom ? `https://${custom.domainName}` : `https://${this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Applicants may verify from any country; no geo restriction by design.' },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The API origin has its own regional WAF (per-IP and per-key rate, body size, CloudFront only); an edge web ACL for the static site is created in us-east-1 or attached with edgeWebAclArn (AWS allows CloudFront-scope ACLs only there).',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "The verify URL carries the applicant's client token in its query string, and CloudFront standard logs (legacy) always record it; v2 logs can leave the field out but must be configured in us-east-1, outside this regional stack. API requests are logged by API Gateway (route template, no query string or headers); site requests reach S3 without the query string and are in its server access logs.",
      },
    );
    if (!custom) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain the default *.cloudfront.net certificate is used, whose TLS policy cannot be set; deploy with domainName + certificateArn for TLSv1.2_2021.',
      });
    }

    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(props.assetDir)],
      destinationBucket: this.siteBucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      retainOnDelete: false,
      memoryLimit: 512,
    });
  }

  /**
   * Per-IP limit on the hosted page itself (its HTML, bundles and models are served by CloudFront without
   * reaching the API's regional WAF). AWS accepts CloudFront-scope web ACLs only in us-east-1: a stack there
   * creates one (rate-based on the viewer IP, 429); elsewhere `edgeWebAclArn` attaches one made there.
   */
  private edgeWebAcl(props: HostedFlowProps): string | null {
    if (Stack.of(this).region !== 'us-east-1') return props.edgeWebAclArn ?? null;
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: false,
    });
    const acl = new wafv2.CfnWebACL(this, 'EdgeWebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: { code: 'rate_limited', message: 'Too many requests from this address; retry later.', details: [] },
          }),
        },
      },
      visibilityConfig: visibility(`kyc-${props.stage}-edge`),
      rules: [
        {
          name: EDGE_PER_IP_RULE,
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited' } } },
          // At the edge the source address is the viewer's own.
          statement: { rateBasedStatement: { limit: props.perIpRequestsPer5Min, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility(EDGE_PER_IP_RULE),
        },
      ],
    });
    return acl.attrArn;
  }
}
