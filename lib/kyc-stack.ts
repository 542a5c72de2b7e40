import * as path from 'node:path';
import { type CfnElement, CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AWS_ENV, METRICS, type AwsEnvName } from '../functions/adapters/aws/table-design';
import { Api } from './api';
import { Captures } from './captures';
import { Dashboard } from './dashboard';
import { Data } from './data';
import { FaceLiveness } from './face-liveness';
import { HostedFlow } from './hosted-flow';
import { KycFunction, PROJECT_ROOT, type FunctionDefaults } from './kyc-function';
import { Maintenance } from './maintenance';
import { Monitoring } from './monitoring';
import { Operators } from './operators';
import { Pipeline, pipelineNames } from './pipeline';
import type { KycSettings } from './settings';
import { Webhooks } from './webhooks';
import { faceLivenessBrowserOrigins } from '../functions/http/hosted-flow-policy';

export interface KycStackProps extends Omit<StackProps, 'env'> {
  settings: KycSettings;
  /** Built hosted flow; defaults to hosted-flow/dist (tests pass a placeholder directory). */
  hostedFlowDir?: string;
  /** Built operator dashboard; defaults to dashboard/dist (tests pass a placeholder directory). */
  dashboardDir?: string;
}

/** Stack outputs, named after the environment variables they feed (see docs/deploy.md, "Stack outputs"). */
export const OUTPUTS = {
  tableName: 'KycTableName',
  secretsKeyArn: 'KycSecretsKeyArn',
  capturesBucket: 'KycCapturesBucket',
  capturesKeyArn: 'KycCapturesKeyArn',
  webhookQueueUrl: 'KycWebhookQueueUrl',
  stateMachineArn: 'KycPipelineStateMachineArn',
  faceCollectionId: 'KycFaceCollectionId',
  publicUrl: 'KycPublicUrl',
  apiUrl: 'KycApiUrl',
  distributionId: 'KycDistributionId',
  alarmTopicArn: 'KycAlarmTopicArn',
  region: 'KycRegion',
  faceLivenessIdentityPoolId: 'KycFaceLivenessIdentityPoolId',
  operatorsUserPoolId: 'KycOperatorsUserPoolId',
  dashboardClientId: 'KycDashboardClientId',
  hostedLoginUrl: 'KycHostedLoginUrl',
} as const;

/**
 * The whole AWS runtime of the KYC service. Each construct owns one responsibility and grants its own
 * functions their permissions; the stack only wires shared environment and outputs.
 */
export class KycStack extends Stack {
  readonly data: Data;
  readonly captures: Captures;
  readonly webhooks: Webhooks;
  readonly pipeline: Pipeline;
  readonly api: Api;
  readonly hostedFlow: HostedFlow;
  /** Cognito identity pool whose guest role streams Face Liveness video from the hosted page. */
  readonly faceLiveness: FaceLiveness;
  readonly maintenance: Maintenance;
  readonly monitoring: Monitoring;
  /** Cognito user pool of the dashboard's operators. */
  readonly operators: Operators;
  /** The operator dashboard at /dashboard on the hosted flow's distribution. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: KycStackProps) {
    const { settings } = props;
    super(scope, id, { ...props, env: { account: settings.account, region: settings.region } });

    const defaults: FunctionDefaults = {
      logRetention: settings.logRetentionDays as logs.RetentionDays,
      environment: {
        KYC_RUNTIME: 'aws',
        POWERTOOLS_SERVICE_NAME: METRICS.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        POWERTOOLS_LOG_LEVEL: settings.logLevel,
        LOG_LEVEL: settings.logLevel,
        // Responses and errors can carry personal data: keep them out of X-Ray.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
      },
    };

    this.data = new Data(this, 'Data', { stage: settings.stage });
    this.captures = new Captures(this, 'Captures', {
      stage: settings.stage,
      retentionDays: settings.retentionDays,
      accessLogRetentionDays: Math.max(90, settings.logRetentionDays),
    });
    this.webhooks = new Webhooks(this, 'Webhooks', {
      stage: settings.stage,
      defaults,
      data: this.data,
      retryDelaysSeconds: settings.webhookRetryDelaysSeconds,
    });
    const queueAccess = { webhookQueue: this.webhooks.queue, webhookQueueKey: this.webhooks.key };
    this.pipeline = new Pipeline(this, 'Pipeline', {
      stage: settings.stage,
      defaults,
      data: this.data,
      captures: this.captures,
      ...queueAccess,
    });
    const names = pipelineNames(this, settings.stage);
    this.operators = new Operators(this, 'Operators', { stage: settings.stage });
    this.api = new Api(this, 'Api', {
      userPool: this.operators.userPool,
      settings,
      defaults,
      data: this.data,
      captures: this.captures,
      stateMachineArn: names.stateMachineArn,
      faceCollectionsArn: this.pipeline.faceCollectionsArn,
      ...queueAccess,
    });
    this.maintenance = new Maintenance(this, 'Maintenance', {
      stage: settings.stage,
      defaults,
      data: this.data,
      captures: this.captures,
      faceCollectionsArn: this.pipeline.faceCollectionsArn,
      stateMachineArn: names.stateMachineArn,
      every: Duration.minutes(15),
      ...queueAccess,
    });
    this.faceLiveness = new FaceLiveness(this, 'FaceLiveness', { stage: settings.stage });
    this.hostedFlow = new HostedFlow(this, 'HostedFlow', {
      stage: settings.stage,
      api: this.api,
      assetDir: props.hostedFlowDir ?? path.join(PROJECT_ROOT, 'hosted-flow', 'dist'),
      accessLogs: this.captures.accessLogs,
      uploadOrigin: this.captures.uploadOrigin,
      extraConnectOrigins: faceLivenessBrowserOrigins(this.region),
      perIpRequestsPer5Min: settings.perIpRequestsPer5Min,
      ...(settings.edgeWebAclArn ? { edgeWebAclArn: settings.edgeWebAclArn } : {}),
      ...(settings.domainName && settings.certificateArn
        ? { domainName: settings.domainName, certificateArn: settings.certificateArn }
        : {}),
    });
    this.captures.allowBrowserUploadsFrom(this.hostedFlow.publicUrl);
    this.captures.allowOperatorReadsFrom(this.hostedFlow.publicUrl);
    const dashboardClient = this.operators.addDashboardClient(this.hostedFlow.publicUrl);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      distribution: this.hostedFlow.distribution,
      assetDir: props.dashboardDir ?? path.join(PROJECT_ROOT, 'dashboard', 'dist'),
      accessLogs: this.captures.accessLogs,
      signIn: { cognitoDomain: this.operators.domain.baseUrl(), clientId: dashboardClient.userPoolClientId },
      captureOrigin: this.captures.uploadOrigin,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: settings.stage,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
      restApi: this.api.restApi,
      stateMachine: this.pipeline.stateMachine,
      webhookDeadLetterQueue: this.webhooks.deadLetterQueue,
      sweeper: this.maintenance.sweeper,
      dispatcher: this.webhooks.dispatcher,
    });

    // One environment for every function: names are not secrets; IAM decides what each may touch.
    const shared: Record<AwsEnvName, string> = {
      [AWS_ENV.tableName]: this.data.table.tableName,
      [AWS_ENV.capturesBucket]: this.captures.bucket.bucketName,
      [AWS_ENV.capturesKeyArn]: this.captures.key.keyArn,
      [AWS_ENV.secretsKeyArn]: this.data.secretsKey.keyArn,
      [AWS_ENV.identityMacKeyArn]: this.data.identityMacKey.keyArn,
      [AWS_ENV.webhookQueueUrl]: this.webhooks.queue.queueUrl,
      [AWS_ENV.pipelineStateMachineArn]: names.stateMachineArn,
      [AWS_ENV.faceCollectionId]: names.faceCollectionPrefix,
      [AWS_ENV.publicUrl]: this.hostedFlow.publicUrl,
      [AWS_ENV.webhookAllowHosts]: settings.webhookAllowHosts.join(','),
      [AWS_ENV.webhookRetryDelaysMs]: settings.webhookRetryDelaysSeconds.map((s) => s * 1000).join(','),
      [AWS_ENV.faceLivenessIdentityPoolId]: this.faceLiveness.identityPool.ref,
      [AWS_ENV.operatorsUserPoolId]: this.operators.userPool.userPoolId,
    };
    for (const fn of this.kycFunctions()) {
      for (const [name, value] of Object.entries(shared)) fn.addEnvironment(name, value);
    }

    this.acknowledgeGeneratedResources();

    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out(OUTPUTS.tableName, this.data.table.tableName, `${AWS_ENV.tableName} for the CLI (KYC_RUNTIME=aws)`);
    out(
      OUTPUTS.secretsKeyArn,
      this.data.secretsKey.keyArn,
      `${AWS_ENV.secretsKeyArn} for the CLI (encrypts minted signing secrets)`,
    );
    out(OUTPUTS.capturesBucket, this.captures.bucket.bucketName, AWS_ENV.capturesBucket);
    out(OUTPUTS.capturesKeyArn, this.captures.key.keyArn, AWS_ENV.capturesKeyArn);
    out(OUTPUTS.webhookQueueUrl, this.webhooks.queue.queueUrl, AWS_ENV.webhookQueueUrl);
    out(OUTPUTS.stateMachineArn, this.pipeline.stateMachine.stateMachineArn, AWS_ENV.pipelineStateMachineArn);
    out(
      OUTPUTS.faceCollectionId,
      names.faceCollectionPrefix,
      `${AWS_ENV.faceCollectionId}: prefix of the per-organisation Rekognition collections`,
    );
    out(OUTPUTS.publicUrl, this.hostedFlow.publicUrl, `${AWS_ENV.publicUrl}: hosted flow and API base URL`);
    out(
      OUTPUTS.apiUrl,
      this.api.restApi.url,
      'API Gateway stage URL: answers only requests sent through CloudFront (use the public URL)',
    );
    out(OUTPUTS.distributionId, this.hostedFlow.distribution.distributionId, 'CloudFront distribution id');
    out(OUTPUTS.alarmTopicArn, this.monitoring.topic.topicArn, 'SNS topic receiving the alarms');
    out(OUTPUTS.region, this.region, 'AWS_REGION for the CLI');
    out(
      OUTPUTS.faceLivenessIdentityPoolId,
      this.faceLiveness.identityPool.ref,
      `${AWS_ENV.faceLivenessIdentityPoolId}: Cognito identity pool (guest role: StartFaceLivenessSession only)`,
    );
    out(
      OUTPUTS.operatorsUserPoolId,
      this.operators.userPool.userPoolId,
      `${AWS_ENV.operatorsUserPoolId}: dashboard operators (the CLI's operators create)`,
    );
    out(OUTPUTS.dashboardClientId, dashboardClient.userPoolClientId, 'Dashboard app client (code + PKCE, no secret)');
    out(OUTPUTS.hostedLoginUrl, this.operators.domain.baseUrl(), 'Cognito hosted login of the dashboard');
  }

  /** Every Lambda of the service (not CDK's own helper functions). */
  kycFunctions(): KycFunction[] {
    return this.node.findAll().filter((c): c is KycFunction => c instanceof KycFunction);
  }

  /** Findings on resources CDK generates itself (custom-resource Lambdas, roles), with the reason they stay. */
  private acknowledgeGeneratedResources(): void {
    // BucketDeployment's singleton Lambda (copies the hosted-flow and dashboard builds into their buckets on deploy).
    const deployer = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!deployer) return;
    const reason =
      'CDK BucketDeployment custom resource: its role and runtime are generated by aws-cdk-lib and used only during deployment to copy the hosted-flow and dashboard builds from the CDK asset bucket into their buckets.';
    Validations.of(deployer).acknowledge(
      { id: 'AwsSolutions-L1', reason },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${reason} CloudFront invalidation has no resource-level permission.`,
      },
      { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason },
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason },
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason },
      { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.hostedFlow.siteBucket.node.defaultChild as CfnElement)}.Arn>/*]`,
        reason,
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.dashboard.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
        reason,
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${this.account}-${this.region}/*]`,
        reason,
      },
    );
  }
}
