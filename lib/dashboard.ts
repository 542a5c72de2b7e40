import * as fs from 'node:fs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  DASHBOARD_BASE,
  DASHBOARD_CONFIG_FILE,
  DASHBOARD_FILE_DIRS,
  type DashboardConfig,
  dashboardCsp,
} from '../functions/http/dashboard-policy';
import { DASHBOARD_SECURITY_HEADERS } from '../functions/http/page-security-headers';
import { pageHeadersPolicyBehaviors } from './page-headers-policy';

export interface DashboardSignIn {
  /** Cognito hosted-login base URL, `https://<prefix>.auth.<region>.amazoncognito.com` (a token is fine). */
  cognitoDomain: string;
  /** The user pool's public app client (authorization code + PKCE, no secret). */
  clientId: string;
}

export interface DashboardProps {
  /** The distribution that already serves the hosted flow and the API (same origin: no CORS, cookie-less). */
  distribution: cloudfront.Distribution;
  /** Built dashboard (vite output, `dashboard/dist`). */
  assetDir: string;
  accessLogs: s3.IBucket;
  /** Cognito hosted login the page uses; deployed as `/dashboard/config.json`. */
  signIn: DashboardSignIn;
  /**
   * The captures bucket's origin: captures too large for a Lambda response are fetched from it through a
   * 60-second signed link the admin API redirects to (303) after its auth check.
   */
  captureOrigin: string;
}

/** The CloudFront behaviour path pattern: `/dashboard`, `/dashboard/` and everything below. */
export const DASHBOARD_PATH_PATTERN = `${DASHBOARD_BASE}*`;

/**
 * CloudFront Function (viewer request) of the dashboard behaviour. The build lives at its bucket's root:
 * `/dashboard/assets/<file>` and `/dashboard/config.json` drop the prefix; every other `/dashboard...` path
 * is a page of the single-page app (index.html). `/dashboardx` is not the dashboard: left as is (404).
 */
export const DASHBOARD_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var file = uri.match(/^\\/dashboard\\/(${DASHBOARD_FILE_DIRS.join('|')})\\/([^/]+)$/);
  if (file) request.uri = '/' + file[1] + '/' + file[2];
  else if (uri === '${DASHBOARD_BASE}/${DASHBOARD_CONFIG_FILE}') request.uri = '/${DASHBOARD_CONFIG_FILE}';
  else if (uri === '${DASHBOARD_BASE}' || uri.indexOf('${DASHBOARD_BASE}/') === 0) request.uri = '/index.html';
  return request;
}`;

/**
 * The operator dashboard on the hosted flow's CloudFront distribution: its own private bucket (a second
 * deployment into the site bucket would prune the other's files) behind Origin Access Control, a
 * `/dashboard*` behaviour with SPA routing, and its own response headers: the dashboard CSP (no inline
 * script, `frame-ancestors 'none'`, `connect-src` only itself and the stack's Cognito domain), HSTS,
 * no-referrer, DENY framing. Nothing is cached at the edge but hashed bundles; index.html and config.json
 * are invalidated on each deployment.
 */
export class Dashboard extends Construct {
  readonly bucket: s3.Bucket;
  readonly headersPolicy: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    if (!fs.existsSync(props.assetDir)) {
      throw new Error(`dashboard not built: ${props.assetDir} is missing (run \`npm run build:dashboard\` first)`);
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'dashboard/',
      // Build output only: redeployed from the repository, nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // CloudFront names are global per account: the region keeps two regions' stacks of one name apart.
    const accountUniqueName = (what: string) => `${Stack.of(this).stackName}-${Stack.of(this).region}-${what}`;
    this.headersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: accountUniqueName('dashboard-headers'),
      comment: 'KYC operator dashboard security headers',
      ...pageHeadersPolicyBehaviors(
        dashboardCsp({ connectOrigins: [props.signIn.cognitoDomain, props.captureOrigin] }),
        DASHBOARD_SECURITY_HEADERS,
      ),
    });

    const rewrite = new cloudfront.Function(this, 'SpaRewrite', {
      code: cloudfront.FunctionCode.fromInline(DASHBOARD_REWRITE_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Dashboard: index.html for /dashboard/*, files from the bucket root',
    });

    props.distribution.addBehavior(
      DASHBOARD_PATH_PATTERN,
      origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
        originAccessControl: new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
          originAccessControlName: accountUniqueName('dashboard-oac'),
          description: 'KYC dashboard: CloudFront reads the dashboard bucket',
        }),
      }),
      {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
        functionAssociations: [{ function: rewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
    );

    const config: DashboardConfig = {
      signIn: 'cognito',
      cognitoDomain: props.signIn.cognitoDomain,
      clientId: props.signIn.clientId,
    };
    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(props.assetDir), s3deploy.Source.jsonData(DASHBOARD_CONFIG_FILE, config)],
      destinationBucket: this.bucket,
      distribution: props.distribution,
      distributionPaths: [DASHBOARD_PATH_PATTERN],
      retainOnDelete: false,
      memoryLimit: 512,
    });
  }
}
