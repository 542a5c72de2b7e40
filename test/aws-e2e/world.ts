/**
 * The whole AWS runtime of the synthesized stack on emulators: DynamoDB Local (the template's table),
 * s3rver (its buckets), fauxqs (its queues and redrive), the AWS stand-ins (KMS, Rekognition, Textract,
 * Step Functions running the template's definition), every KYC Lambda from its bundled asset, API Gateway
 * from the template's methods, and the SQS event source mapping of the dispatcher. Every AWS call is
 * recorded per function and checked against that function's role in the template.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { KycSettingsInput } from '../../lib/settings';
import {
  type Emulator,
  type FauxqsServer,
  S3RVER_CREDENTIALS,
  startDynamoDbLocal,
  startS3rver,
} from '../support/emulators';
import { ApiGateway } from './api-gateway';
import { AwsStandIns } from './aws-standins';
import { warmUpPhotoFaces } from './photo-faces';
import { DYNAMODB_THROTTLE, FaultProxy, S3_SLOW_DOWN } from './fault-injection';
import { type ResolvedStatement, isAllowed, type IamRequest } from './iam';
import { type ArnLookup, type FunctionRuntime, LambdaHost, iamRequestsFor, type RecordedCall } from './lambda-host';
import { Resolver } from './resolver';
import { synthesizeWithAssets } from './synth';
import { TemplateModel, referencedLogicalId } from './template-model';

const REPO_NODE_MODULES = path.resolve(__dirname, '../../node_modules');
const FAUXQS_ENTRY = path.join(REPO_NODE_MODULES, 'fauxqs/dist/app.js');

export interface Denied {
  functionId: string;
  call: string;
  request: IamRequest;
}

export interface AwsWorld {
  model: TemplateModel;
  resolver: Resolver;
  host: LambdaHost;
  api: ApiGateway;
  standIns: AwsStandIns;
  /** Logical ids by role: integrator, applicant, authorizer, dispatcher, task, sweeper... */
  fnIds: Record<'integrator' | 'applicant' | 'authorizer' | 'dispatcher' | 'sweeper' | 'task', string>;
  tableName: string;
  capturesBucket: string;
  webhookQueueUrl: string;
  dlqUrl: string;
  s3: S3Client;
  sqs: SQSClient;
  /** The throttling proxies in front of DynamoDB Local and s3rver that the Lambdas talk to. */
  faults: { dynamodb: FaultProxy; s3: FaultProxy };
  /** The emulators themselves, for the test's own clients (never throttled). */
  emulatorEndpoints: { dynamodb: string; s3: string };
  /**
   * Polls the webhook queue once as the event source mapping does; returns how many messages it handed over.
   * With `duplicate`, every batch is handed to two concurrent invocations (SQS standard queues deliver at
   * least once: the same message can reach two consumers).
   */
  pollWebhookQueue(options?: { duplicate?: boolean }): Promise<number>;
  /**
   * Time passing for the webhook queue: every message a poll handed over and did not delete (hidden for the
   * queue's visibility timeout or the dispatcher's back-off) becomes visible again now.
   */
  releaseHiddenWebhooks(): Promise<number>;
  /** Invokes the sweeper with the event EventBridge sends for its schedule rule. */
  runScheduledSweep(): Promise<unknown>;
  /** Every recorded call that the calling function's role does not allow. */
  deniedCalls(calls?: RecordedCall[]): Denied[];
  /** Records the presigned POST upload (runs with the signer's permissions) on the signer's behalf. */
  recordPresignedUpload(signerId: string, bucket: string, key: string): void;
  stop(): Promise<void>;
}

function tlsCertificate(dir: string): { cert: string; key: string } {
  const certPath = path.join(dir, 'receiver.crt');
  const keyPath = path.join(dir, 'receiver.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { cert: certPath, key: keyPath };
}

/** Starts everything; the caller stops it in afterAll. */
export async function startAwsWorld(
  settings: KycSettingsInput,
): Promise<AwsWorld & { receiverTls: { cert: string; key: string } }> {
  // The Rekognition stand-in's face model loads on its worker threads while the stack synthesizes.
  const faceModel = warmUpPhotoFaces();
  faceModel.catch(() => undefined); // awaited (and thrown) below, once the world is up
  const synth = synthesizeWithAssets(settings);
  const model = new TemplateModel(synth.template, synth.outdir);
  const { region, account } = synth.settings;
  const stackUuid = '7b1e2c3d-4f5a-4b6c-8d9e-0fa1b2c3d4e5';
  const resolver = new Resolver({
    partition: 'aws',
    region,
    accountId: account,
    stackId: `arn:aws:cloudformation:${region}:${account}:stack/kyc-e2e/${stackUuid}`,
    stackName: 'kyc-e2e',
    urlSuffix: 'amazonaws.com',
  });
  const arn = (service: string, resource: string, r = region) => `arn:aws:${service}:${r}:${account}:${resource}`;

  // --- names and ARNs for every resource type the environments and policies refer to
  const [tableId, tableProps] = model.table();
  const tableName = `kyc-e2e-${tableId.toLowerCase()}`;
  resolver.set(tableId, { ref: tableName, attrs: { Arn: arn('dynamodb', `table/${tableName}`) } });
  const keyIds: Array<{ arn: string; id: string; usage: 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC' }> = [];
  for (const [id, r] of model.resources('AWS::KMS::Key')) {
    const keyId = randomUUID();
    const keyArn = arn('kms', `key/${keyId}`);
    resolver.set(id, { ref: keyId, attrs: { Arn: keyArn, KeyId: keyId } });
    keyIds.push({
      arn: keyArn,
      id: keyId,
      usage: r.Properties?.KeyUsage === 'GENERATE_VERIFY_MAC' ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT',
    });
  }
  for (const [id, r] of model.resources('AWS::S3::Bucket')) {
    const name = r.Properties?.BucketName
      ? resolver.resolveString(r.Properties.BucketName)
      : `kyc-e2e-${id.toLowerCase()}`;
    resolver.set(id, {
      ref: name,
      attrs: { Arn: `arn:aws:s3:::${name}`, RegionalDomainName: `${name}.s3.${region}.amazonaws.com` },
    });
  }
  for (const [id] of model.resources('AWS::Lambda::Function'))
    resolver.set(id, { ref: id, attrs: { Arn: arn('lambda', `function:${id}`) } });
  for (const [id] of model.resources('AWS::IAM::Role'))
    resolver.set(id, { ref: id, attrs: { Arn: `arn:aws:iam::${account}:role/${id}` } });
  for (const [id, r] of model.resources('AWS::Logs::LogGroup')) {
    const name = (r.Properties?.LogGroupName as string | undefined) ?? `/aws/lambda/${id}`;
    resolver.set(id, { ref: name, attrs: { Arn: arn('logs', `log-group:${name}:*`) } });
  }
  for (const [id, r] of model.resources('AWS::StepFunctions::StateMachine')) {
    const name = String(r.Properties?.StateMachineName ?? id);
    resolver.set(id, { ref: arn('states', `stateMachine:${name}`), attrs: { Name: name } });
  }
  for (const [id] of model.resources('AWS::CloudFront::Distribution'))
    resolver.set(id, { ref: 'E2E2E2E2E2E2E2', attrs: { DomainName: 'd1e2e3e4e5e6e7.cloudfront.net' } });
  for (const [id] of model.resources('AWS::Cognito::IdentityPool'))
    resolver.set(id, { ref: `${region}:${stackUuid}`, attrs: {} });
  for (const [id] of model.resources('AWS::Cognito::UserPool'))
    resolver.set(id, { ref: `${region}_e2eUsers`, attrs: { Arn: arn('cognito-idp', `userpool/${region}_e2eUsers`) } });
  for (const [id] of model.resources('AWS::ApiGateway::RestApi'))
    resolver.set(id, { ref: 'e2eapi0001', attrs: { RootResourceId: 'root' } });

  // --- emulators
  const buckets = model.resources('AWS::S3::Bucket').map(([id]) => resolver.resolveString({ Ref: id }));
  const [ddb, s3Emu, fauxqs] = await Promise.all([
    startDynamoDbLocal(),
    startS3rver(buckets),
    (async () => {
      const { startFauxqs } = (await import(FAUXQS_ENTRY)) as {
        startFauxqs(o: { port: number; logger: boolean; defaultRegion: string }): Promise<FauxqsServer>;
      };
      return startFauxqs({ port: 0, logger: false, defaultRegion: region });
    })(),
  ]);
  // The Lambdas reach DynamoDB and S3 through throttling proxies (disarmed unless a test arms them).
  const [ddbFaults, s3Faults] = await Promise.all([
    FaultProxy.start(ddb.endpoint, DYNAMODB_THROTTLE),
    FaultProxy.start(s3Emu.endpoint, S3_SLOW_DOWN),
  ]);
  const emulators: Emulator[] = [ddb, s3Emu, { endpoint: fauxqs.address, stop: () => fauxqs.stop() }];

  // The table exactly as the template declares it.
  const t = tableProps as {
    AttributeDefinitions: unknown[];
    KeySchema: unknown[];
    GlobalSecondaryIndexes?: unknown[];
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
  await ddb.client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: t.AttributeDefinitions as never,
      KeySchema: t.KeySchema as never,
      GlobalSecondaryIndexes: t.GlobalSecondaryIndexes as never,
    }),
  );
  if (t.TimeToLiveSpecification)
    await ddb.client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: t.TimeToLiveSpecification }),
    );

  // Queues, dead-letter queues first, with the template's attributes and redrive policy.
  const queueKeys = new Map<string, string | null>();
  const queueArns = new Map<string, string>();
  const queues = model
    .resources('AWS::SQS::Queue')
    .sort(([, a], [, b]) => Number(!!a.Properties?.RedrivePolicy) - Number(!!b.Properties?.RedrivePolicy));
  for (const [id, r] of queues) {
    const p = r.Properties ?? {};
    const attributes: Record<string, string> = {};
    for (const k of [
      'VisibilityTimeout',
      'MessageRetentionPeriod',
      'DelaySeconds',
      'ReceiveMessageWaitTimeSeconds',
      'MaximumMessageSize',
    ])
      if (p[k] !== undefined) attributes[k] = String(p[k]);
    if (p.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(resolver.resolve(p.RedrivePolicy));
    const q = fauxqs.createQueue(`kyc-e2e-${id}`, { attributes });
    resolver.set(id, { ref: q.queueUrl, attrs: { Arn: q.queueArn, QueueName: q.queueName, QueueUrl: q.queueUrl } });
    queueArns.set(q.queueUrl, q.queueArn);
    queueKeys.set(q.queueUrl, p.KmsMasterKeyId ? resolver.resolveString(p.KmsMasterKeyId) : null);
  }

  // --- AWS stand-ins and the Lambdas
  const host = new LambdaHostRef();
  const stateMachines = new Map<string, { definition: Record<string, unknown>; onInvoke(functionArn: string): void }>();
  const sfnInvokes: Array<{ roleId: string; functionArn: string }> = [];
  for (const [id, r] of model.resources('AWS::StepFunctions::StateMachine')) {
    const p = r.Properties as { DefinitionString: unknown; RoleArn: unknown };
    const roleId = referencedLogicalId(p.RoleArn)!;
    stateMachines.set(resolver.resolveString({ Ref: id }), {
      definition: JSON.parse(resolver.resolveString(p.DefinitionString)) as Record<string, unknown>,
      onInvoke: (functionArn) => sfnInvokes.push({ roleId, functionArn }),
    });
  }
  const s3 = new S3Client({
    region,
    endpoint: s3Emu.endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const standIns = new AwsStandIns({
    keys: keyIds,
    stateMachines,
    host: host.proxy,
    region,
    accountId: account,
    readObject: async (bucket, key) =>
      Buffer.from(
        await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray(),
      ),
  });
  const standInEndpoint = await standIns.endpoint;
  const tls = tlsCertificate(synth.root);

  // The runtime's SDK: @aws-sdk/* on NODE_PATH, nothing else.
  const runtimeModules = path.join(synth.root, 'runtime', 'node_modules');
  fs.mkdirSync(runtimeModules, { recursive: true });
  fs.symlinkSync(path.join(REPO_NODE_MODULES, '@aws-sdk'), path.join(runtimeModules, '@aws-sdk'));

  const functions = new Map<string, FunctionRuntime>();
  const statementsByFn = new Map<string, ResolvedStatement[]>();
  for (const id of synth.kycFunctionIds) {
    const spec = model.lambda(id);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.environment)) env[k] = resolver.resolveString(v);
    functions.set(id, {
      logicalId: id,
      functionArn: resolver.resolveString({ 'Fn::GetAtt': [id, 'Arn'] }),
      assetDir: spec.assetDir,
      handlerFile: spec.handlerFile,
      handlerExport: spec.handlerExport,
      timeoutSeconds: spec.timeoutSeconds,
      env: {
        ...env,
        // What the Lambda runtime sets.
        PATH: '/usr/local/bin:/usr/bin:/bin',
        LANG: 'en_US.UTF-8',
        TZ: ':UTC',
        NODE_PATH: runtimeModules,
        LAMBDA_TASK_ROOT: spec.assetDir,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_FUNCTION_NAME: id,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: 'e2e-session',
        // The emulators (the SDK's standard endpoint variables; product code is unchanged).
        AWS_ENDPOINT_URL_DYNAMODB: ddbFaults.endpoint,
        AWS_ENDPOINT_URL_S3: s3Faults.endpoint,
        AWS_ENDPOINT_URL_SQS: fauxqs.address,
        AWS_ENDPOINT_URL_SFN: standInEndpoint,
        AWS_ENDPOINT_URL_KMS: standInEndpoint,
        AWS_ENDPOINT_URL_REKOGNITION: standInEndpoint,
        AWS_ENDPOINT_URL_TEXTRACT: standInEndpoint,
        // s3rver stores streamed uploads corrupted under the SDK's default checksums (toolchain notes).
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        // Trusts the local webhook receiver's self-signed certificate (the receiver is HTTPS, as on AWS).
        NODE_EXTRA_CA_CERTS: tls.cert,
      },
    });
    statementsByFn.set(id, resolver.resolve(spec.statements) as ResolvedStatement[]);
  }
  const lambdaHost = new LambdaHost(functions);
  host.target = lambdaHost;

  // --- which function is which, from the template
  const methods = model.apiMethods();
  const byRoute = (pathPart: string) => methods.find((m) => m.resourcePath.startsWith(pathPart))!.functionLogicalId;
  const esm = model.eventSourceMappings();
  const dispatcherMapping = esm[0]!;
  const schedule = model.scheduledTargets()[0]!;
  const taskArn = [...stateMachines.values()]
    .map((m) => JSON.stringify(m.definition))
    .map((s) => /"Resource":"([^"]+)"/.exec(s)![1]!)[0]!;
  const fnIds = {
    integrator: byRoute('/api/v1/external/kyc'),
    applicant: byRoute('/api/v1/applicant'),
    authorizer: methods.find((m) => m.authorizerFunctionLogicalId)!.authorizerFunctionLogicalId!,
    dispatcher: dispatcherMapping.functionLogicalId,
    sweeper: schedule.functionLogicalId,
    task: lambdaHost.byArn(taskArn).logicalId,
  };
  const restApiId = 'e2eapi0001';
  const stage = synth.settings.stage;
  const api = new ApiGateway(methods, lambdaHost, { id: restApiId, stage, region, accountId: account });

  const capturesBucketId = model
    .resources('AWS::S3::Bucket')
    .find(([, r]) => JSON.stringify(r.Properties?.BucketEncryption ?? {}).includes('aws:kms'))![0];
  const bucketKeys = new Map<string, string | null>();
  for (const [id, r] of model.resources('AWS::S3::Bucket')) {
    const rule = (
      r.Properties?.BucketEncryption as
        | {
            ServerSideEncryptionConfiguration?: Array<{ ServerSideEncryptionByDefault?: { KMSMasterKeyID?: unknown } }>;
          }
        | undefined
    )?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
    bucketKeys.set(resolver.resolveString({ Ref: id }), rule ? resolver.resolveString(rule) : null);
  }
  const arns: ArnLookup = {
    tableArn: (name) => arn('dynamodb', `table/${name}`),
    bucketArn: (b) => `arn:aws:s3:::${b}`,
    bucketKeyArn: (b) => bucketKeys.get(b) ?? null,
    queueArn: (url) => {
      const a = queueArns.get(url);
      if (!a) throw new Error(`unknown queue ${url}`);
      return a;
    },
    queueKeyArn: (url) => queueKeys.get(url) ?? null,
    kmsKeyArn: (keyId) => keyIds.find((k) => k.arn === keyId || k.id === keyId)?.arn ?? keyId,
    collectionArn: (c) => arn('rekognition', `collection/${c}`),
  };
  const webhookQueueUrl = resolver.resolveString({ Ref: dispatcherMapping.queueLogicalId });
  const redrive = (
    model.resource(dispatcherMapping.queueLogicalId).Properties as { RedrivePolicy: { deadLetterTargetArn: unknown } }
  ).RedrivePolicy;
  const dlqId = referencedLogicalId(redrive.deadLetterTargetArn)!;
  const sqs = new SQSClient({
    region,
    endpoint: fauxqs.address,
    credentials: S3RVER_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
  });

  const onBehalf: RecordedCall[] = [];
  /** Receipt handles of messages handed over and not deleted, by message id. */
  const hidden = new Map<string, string>();
  const world: AwsWorld & { receiverTls: { cert: string; key: string } } = {
    model,
    resolver,
    host: lambdaHost,
    api,
    standIns,
    fnIds,
    tableName,
    capturesBucket: resolver.resolveString({ Ref: capturesBucketId }),
    webhookQueueUrl,
    dlqUrl: resolver.resolveString({ Ref: dlqId }),
    s3,
    sqs,
    receiverTls: tls,
    faults: { dynamodb: ddbFaults, s3: s3Faults },
    emulatorEndpoints: { dynamodb: ddb.endpoint, s3: s3Emu.endpoint },
    async pollWebhookQueue(options = {}) {
      const fnId = dispatcherMapping.functionLogicalId;
      const record = (command: string) =>
        onBehalf.push({ functionId: fnId, client: 'SQSClient', command, input: { QueueUrl: webhookQueueUrl } });
      record('GetQueueAttributesCommand');
      record('ReceiveMessageCommand');
      const res = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: webhookQueueUrl,
          MaxNumberOfMessages: dispatcherMapping.batchSize,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) return 0;
      const queueArn = queueArns.get(webhookQueueUrl)!;
      const event: SQSEvent = {
        Records: messages.map((m) => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body!,
          attributes: m.Attributes as never,
          messageAttributes: Object.fromEntries(
            Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
              k,
              { stringValue: v.StringValue, dataType: v.DataType!, stringListValues: [], binaryListValues: [] },
            ]),
          ),
          md5OfBody: m.MD5OfBody!,
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: region,
        })),
      };
      const failedIn = async (): Promise<Set<string>> => {
        try {
          const out = await lambdaHost.invoke<SQSBatchResponse>(fnId, event);
          return dispatcherMapping.reportBatchItemFailures
            ? new Set(out.batchItemFailures.map((f) => f.itemIdentifier))
            : new Set();
        } catch {
          // The whole batch failed: every message becomes visible again after its visibility timeout.
          return new Set(messages.map((m) => m.MessageId!));
        }
      };
      const outcomes = await Promise.all(options.duplicate ? [failedIn(), failedIn()] : [failedIn()]);
      // A message one consumer finished is deleted (the other copy's receipt then no longer matters).
      const failed = new Set([...outcomes[0]!].filter((id) => outcomes.every((o) => o.has(id))));
      for (const m of messages) {
        if (failed.has(m.MessageId!)) {
          hidden.set(m.MessageId!, m.ReceiptHandle!);
          continue;
        }
        hidden.delete(m.MessageId!);
        record('DeleteMessageCommand');
        await sqs.send(new DeleteMessageCommand({ QueueUrl: webhookQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
      return messages.length;
    },
    async releaseHiddenWebhooks() {
      let released = 0;
      for (const [id, receiptHandle] of hidden) {
        hidden.delete(id);
        try {
          await sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: webhookQueueUrl,
              ReceiptHandle: receiptHandle,
              VisibilityTimeout: 0,
            }),
          );
          released++;
        } catch {
          // Deleted since, or moved to the dead-letter queue: nothing to release.
        }
      }
      return released;
    },
    runScheduledSweep() {
      const ruleArn = arn('events', `rule/${schedule.ruleLogicalId}`);
      return lambdaHost.invoke(schedule.functionLogicalId, {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account,
        time: new Date().toISOString(),
        region,
        resources: [ruleArn],
        detail: {},
      });
    },
    recordPresignedUpload(signerId, bucket, key) {
      onBehalf.push({
        functionId: signerId,
        client: 'S3Client',
        command: 'PutObjectCommand',
        input: { Bucket: bucket, Key: key },
      });
    },
    deniedCalls(calls = [...lambdaHost.calls, ...onBehalf]) {
      const denied: Denied[] = [];
      for (const call of calls) {
        const statements = statementsByFn.get(call.functionId)!;
        for (const request of iamRequestsFor(call, arns))
          if (!isAllowed(statements, request))
            denied.push({ functionId: call.functionId, call: `${call.client}.${call.command}`, request });
      }
      // Step Functions invokes the task Lambda with the state machine's role.
      for (const inv of sfnInvokes) {
        const statements = resolver.resolve(model.roleStatements(inv.roleId)) as ResolvedStatement[];
        const request = { action: 'lambda:InvokeFunction', resource: inv.functionArn };
        if (!isAllowed(statements, request)) denied.push({ functionId: inv.roleId, call: 'states:Task', request });
      }
      return denied;
    },
    async stop() {
      await standIns.stop().catch(() => undefined);
      await lambdaHost.stop();
      await Promise.allSettled([ddbFaults.stop(), s3Faults.stop()]);
      s3.destroy();
      sqs.destroy();
      await Promise.allSettled(emulators.map((e) => e.stop()));
      fs.rmSync(synth.root, { recursive: true, force: true });
    },
  };
  await faceModel;
  return world;
}

/** The stand-ins need the host before the host exists (the functions' env names the stand-ins' endpoint). */
class LambdaHostRef {
  target: LambdaHost | null = null;
  readonly proxy = new Proxy({} as LambdaHost, {
    get: (_t, prop) => {
      if (!this.target) throw new Error('Lambda host not started');
      const v = Reflect.get(this.target, prop, this.target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(this.target) : v;
    },
  });
}
