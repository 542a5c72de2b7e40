import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface CapturesProps {
  stage: string;
  /** Days after which capture objects expire (lifecycle backstop behind the purge sweep). */
  retentionDays: number;
  /** Days access logs are kept. */
  accessLogRetentionDays: number;
}

/**
 * Capture bytes (document images, selfies, liveness frames): a private bucket encrypted with its own
 * customer-managed KMS key, TLS only, versioning off (a purged capture must be really gone), lifecycle
 * expiration after the retention period, server access logs to a separate bucket. Browsers upload
 * with a presigned POST, so the bucket's CORS allows POST from the hosted flow's origin only
 * ({@link Captures.allowBrowserUploadsFrom}, called once the CloudFront domain is known).
 *
 * The bucket has a fixed name so the hosted flow's CSP (`connect-src`) can name it without making
 * the distribution depend on the bucket (the bucket's CORS already depends on the distribution).
 */
export class Captures extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;
  /** Server access logs of this bucket and of the hosted flow's site bucket. */
  readonly accessLogs: s3.Bucket;
  /** https://<bucket>.s3.<region>.amazonaws.com: where presigned POSTs go. */
  readonly uploadOrigin: string;

  constructor(scope: Construct, id: string, props: CapturesProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `KYC ${props.stage}: capture bytes in S3`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging only delivers to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays) }],
      // Access logs are audit evidence, and a non-empty bucket would fail the stack deletion anyway.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log destination bucket; logging it into itself would loop.',
    });

    // The name ends with a piece of this stack's own id, new at every stack creation: a bucket retained by an
    // earlier stack of the same name (destroyed, or a rolled-back first deploy) never blocks the next deploy with
    // "already exists". It is still known before the bucket exists (no resource reference), so the hosted
    // flow's CSP and the bucket's CORS rule (which names the distribution) need no cycle.
    const { account, region } = Stack.of(this);
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const bucketName = `kyc-${props.stage}-captures-${account}-${Fn.select(4, Fn.split('-', stackUuid))}`;
    this.uploadOrigin = `https://${bucketName}.s3.${region}.amazonaws.com`;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'captures/',
      lifecycleRules: [
        { id: 'retention', expiration: Duration.days(props.retentionDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
  }

  /** Allows presigned POST uploads from the hosted flow's origin (and nothing else). */
  allowBrowserUploadsFrom(origin: string): void {
    this.bucket.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: [s3.HttpMethods.POST],
      allowedHeaders: ['content-type'],
      maxAge: 3000,
    });
  }

  /**
   * Allows the dashboard (same origin as the hosted flow) to read a capture through the 60-second signed link
   * the admin API redirects to for captures too large for a Lambda response. GET only, no extra headers: the
   * signature in the link is the only credential.
   */
  allowOperatorReadsFrom(origin: string): void {
    this.bucket.addCorsRule({ allowedOrigins: [origin], allowedMethods: [s3.HttpMethods.GET], maxAge: 600 });
  }
}
