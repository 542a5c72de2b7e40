import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { dashboardCsp } from '../../functions/http/dashboard-policy';
import { Dashboard, DASHBOARD_PATH_PATTERN, DASHBOARD_REWRITE_CODE } from '../../lib/dashboard';
import { fastApp, placeholderDashboardDir } from './synth';
import { logicalId, resources } from './template-helpers';

/**
 * The dashboard's CloudFront behaviour on the hosted flow's distribution: its own private bucket, SPA
 * routing for /dashboard*, the dashboard CSP and security headers, and the sign-in config it deploys.
 */

const app = fastApp();
const stack = new Stack(app, 'dashboard-test');
const siteBucket = new s3.Bucket(stack, 'Site');
const logs = new s3.Bucket(stack, 'Logs');
const distribution = new cloudfront.Distribution(stack, 'Distribution', {
  defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(siteBucket) },
});
const cognitoDomain = 'https://kyc-test-123.auth.eu-west-1.amazoncognito.com';
const captureOrigin = 'https://kyc-test-captures-123.s3.eu-west-1.amazonaws.com';
const dashboard = new Dashboard(stack, 'Dashboard', {
  distribution,
  assetDir: placeholderDashboardDir(),
  accessLogs: logs,
  // A token, like the real app client's id: the deployment fills it in at deploy time.
  signIn: { cognitoDomain, clientId: new CfnParameter(stack, 'DashboardClientId').valueAsString },
  captureOrigin,
});
const template = Template.fromStack(stack);
const [, distributionResource] = Object.entries(resources(template, 'AWS::CloudFront::Distribution'))[0]!;
const config = (distributionResource.Properties as Record<string, any>).DistributionConfig;
const behaviour = (config.CacheBehaviors as Array<Record<string, any>>).find(
  (b) => b.PathPattern === DASHBOARD_PATH_PATTERN,
)!;

describe('dashboard on CloudFront', () => {
  it('serves /dashboard* from its own private bucket through Origin Access Control, HTTPS only, GET/HEAD', () => {
    expect(DASHBOARD_PATH_PATTERN).toBe('/dashboard*');
    const origin = (config.Origins as Array<Record<string, any>>).find((o) => o.Id === behaviour.TargetOriginId)!;
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [logicalId(dashboard.bucket), 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(behaviour.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD']);
    const bucket = resources(template, 'AWS::S3::Bucket')[logicalId(dashboard.bucket)]!.Properties as Record<
      string,
      any
    >;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('routes every /dashboard page to index.html and files to the bucket root (CloudFront Function)', () => {
    expect(behaviour.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } },
    ]);
    const rewrite = new Function(`${DASHBOARD_REWRITE_CODE}; return handler;`)() as (e: {
      request: { uri: string };
    }) => { uri: string };
    const uri = (u: string) => rewrite({ request: { uri: u } }).uri;
    expect(uri('/dashboard')).toBe('/index.html');
    expect(uri('/dashboard/')).toBe('/index.html');
    expect(uri('/dashboard/verifications/vrf_1')).toBe('/index.html');
    expect(uri('/dashboard/review')).toBe('/index.html');
    expect(uri('/dashboard/assets/index-abc.js')).toBe('/assets/index-abc.js');
    expect(uri('/dashboard/config.json')).toBe('/config.json');
    expect(uri('/dashboard/assets/../config.json')).toBe('/index.html');
    expect(uri('/dashboardx')).toBe('/dashboardx');
  });

  it('answers with the dashboard CSP (only the Cognito domain and the captures bucket besides itself), HSTS, DENY framing, no-referrer', () => {
    const policy = resources(template, 'AWS::CloudFront::ResponseHeadersPolicy')[logicalId(dashboard.headersPolicy)]!
      .Properties as Record<string, any>;
    expect(behaviour.ResponseHeadersPolicyId).toEqual({ Ref: logicalId(dashboard.headersPolicy) });
    const security = policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = security.ContentSecurityPolicy.ContentSecurityPolicy as string;
    expect(csp).toBe(dashboardCsp({ connectOrigins: [cognitoDomain, captureOrigin] }));
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        // The captures bucket: large captures are read through the admin API's 60-second signed link (303).
        `connect-src 'self' ${cognitoDomain} ${captureOrigin}`,
        "img-src 'self' blob:",
      ]),
    );
    expect(csp).not.toContain('unsafe-inline');
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Preload: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
  });

  it('deploys the build plus config.json with the hosted-login settings, invalidating /dashboard*', () => {
    const [, deployment] = Object.entries(resources(template, 'Custom::CDKBucketDeployment'))[0]!;
    const props = deployment.Properties as Record<string, any>;
    expect(props.DestinationBucketName).toEqual({ Ref: logicalId(dashboard.bucket) });
    expect(props.DistributionPaths).toEqual(['/dashboard*']);
    expect(props.SourceObjectKeys).toHaveLength(2);
    // The second source is config.json, its client id a marker replaced at deploy time.
    const [, markers] = props.SourceMarkers as Array<Record<string, unknown>>;
    const [marker, value] = Object.entries(markers!)[0]!;
    expect(value).toEqual({ Ref: 'DashboardClientId' });
    const hash = (props.SourceObjectKeys[1] as string).replace(/\.zip$/, '');
    const configFile = path.join(app.outdir, `asset.${hash}`, 'config.json');
    expect(JSON.parse(fs.readFileSync(configFile, 'utf8'))).toEqual({
      signIn: 'cognito',
      cognitoDomain,
      clientId: marker,
    });
  });
});
