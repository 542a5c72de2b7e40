import { Match } from 'aws-cdk-lib/assertions';
import { AWS_ENV, GSI, KEY_ATTRIBUTES, METRICS } from '../../functions/adapters/aws/table-design';
import { pipelinePlan } from '../../functions/domain/pipeline-plan';
import { type RouteDef, routes } from '../../functions/http/routes';
import { Api, AUTHORIZER_CACHE_SECONDS, MAX_API_BODY_BYTES } from '../../lib/api';
import { apiPathPatterns, SPA_REWRITE_CODE, VIEWER_IP_CODE } from '../../lib/hosted-flow';
import { ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER } from '../../functions/http/edge';
import { INTEGRATOR_BASE } from '../../functions/http/routes';
import { installNativeModulesCommands, KYC_BUNDLING, SHARP } from '../../lib/kyc-function';
import { DASHBOARD_PATH_PATTERN } from '../../lib/dashboard';
import { OUTPUTS } from '../../lib/kyc-stack';
import { buildPipelineDefinition } from '../../lib/pipeline-state-machine';
import {
  actionsOf,
  joinToString,
  logicalId,
  resources,
  roleStatements,
  statementsFor,
  type CfnResource,
} from './template-helpers';
import { synthKycStack } from './synth';

// One synthesis for the whole file (non-default retention and an alarm email, to see settings wired through).
const { stack, template } = synthKycStack({
  retentionDays: 45,
  alarmEmail: 'ops@example.com',
  webhookAllowHosts: 'hooks.example.com',
});

const ref = (construct: Parameters<typeof logicalId>[0]) => ({ Ref: logicalId(construct) });
const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const only = <T>(record: Record<string, T>): [string, T] => {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

describe('data: DynamoDB table', () => {
  const [, table] = only(resources(template, 'AWS::DynamoDB::GlobalTable'));
  const props = table.Properties as Record<string, any>;

  it('has the key schema and GSIs of the shared table design', () => {
    expect(props.KeySchema).toEqual([
      { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
      { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes).toEqual(
      Object.values(GSI).map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });

  it('expires records through the TTL attribute, keeps point-in-time recovery, encrypts with its own KMS key', () => {
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: KEY_ATTRIBUTES.ttl, Enabled: true });
    expect(props.Replicas[0].PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: 35,
    });
    expect(props.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(props.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: arnOf(stack.data.tableKey) });
  });

  it("is retained on update or delete (but removed by a failed first deploy's rollback), as are its keys", () => {
    expect(table).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    for (const key of [stack.data.tableKey, stack.data.secretsKey, stack.captures.key]) {
      expect(resources(template)[logicalId(key)]).toMatchObject({
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    }
  });
});

describe('captures bucket', () => {
  const bucket = resources(template)[logicalId(stack.captures.bucket)]!;
  const props = bucket.Properties as Record<string, any>;

  it('is SSE-KMS with the captures key, private, unversioned, retained', () => {
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: arnOf(stack.captures.key),
    });
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.VersioningConfiguration).toBeUndefined();
    expect(bucket).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  it('is named after this stack instance, so a bucket retained by an earlier stack never blocks a new deploy', () => {
    // kyc-<stage>-captures-<account>-<last group of the stack's UUID>
    const name = JSON.stringify(props.BucketName);
    expect(name).toContain('kyc-dev-captures-000000000000-');
    expect(name).toContain('AWS::StackId');
    expect(
      (resources(template)[logicalId(stack.captures.accessLogs)]!.Properties as Record<string, unknown>).BucketName,
    ).toBeUndefined();
  });

  it('expires objects after the retention period', () => {
    expect(props.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 45, Status: 'Enabled' }),
    );
  });

  it('allows browser POST uploads and (signed-link) GET reads from the hosted flow origin only', () => {
    const origin = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.hostedFlow.distribution), 'DomainName'] }]],
    };
    expect(props.CorsConfiguration.CorsRules).toEqual([
      {
        AllowedOrigins: [
          {
            'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.hostedFlow.distribution), 'DomainName'] }]],
          },
        ],
        AllowedMethods: ['POST'],
        AllowedHeaders: ['content-type'],
        MaxAge: 3000,
      },
      { AllowedOrigins: [origin], AllowedMethods: ['GET'], MaxAge: 600 },
    ]);
  });

  it('logs access to the access-log bucket and denies non-TLS requests', () => {
    expect(props.LoggingConfiguration).toEqual({
      DestinationBucketName: ref(stack.captures.accessLogs),
      LogFilePrefix: 'captures/',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(stack.captures.bucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('webhooks: queue, DLQ, dispatcher', () => {
  it('redrives to a DLQ after 1 try + 3 retries, both queues KMS-encrypted', () => {
    const queue = resources(template)[logicalId(stack.webhooks.queue)]!.Properties as Record<string, any>;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(stack.webhooks.deadLetterQueue),
      maxReceiveCount: 4,
    });
    expect(queue.KmsMasterKeyId).toEqual(arnOf(stack.webhooks.key));
    const dlq = resources(template)[logicalId(stack.webhooks.deadLetterQueue)]!.Properties as Record<string, any>;
    expect(dlq.KmsMasterKeyId).toEqual(arnOf(stack.webhooks.key));
  });

  it('feeds the dispatcher with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.webhooks.queue),
      FunctionName: ref(stack.webhooks.dispatcher),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('gives the dispatcher the env its back-off needs and the permission to change visibility', () => {
    const env = lambdaEnv(stack.webhooks.dispatcher);
    expect(env[AWS_ENV.webhookQueueUrl]).toEqual(ref(stack.webhooks.queue));
    expect(env[AWS_ENV.webhookRetryDelaysMs]).toBe('60000,300000,1800000');
    expect(actionsOf(statementsOfFunction(stack.webhooks.dispatcher))).toContain('sqs:ChangeMessageVisibility');
  });
});

describe('pipeline state machine', () => {
  const [, machine] = only(resources(template, 'AWS::StepFunctions::StateMachine'));
  const props = machine.Properties as Record<string, any>;

  it('is the definition generated from pipelinePlan, calling the task Lambda', () => {
    const taskArn = arnOf(stack.pipeline.taskFunction);
    const json = joinToString(props.DefinitionString, (intrinsic) => {
      expect(intrinsic).toEqual(taskArn);
      return 'TASK_ARN';
    });
    expect(JSON.parse(json)).toEqual(buildPipelineDefinition(pipelinePlan, 'TASK_ARN'));
  });

  it('has a fixed name (other functions reference it), logging and X-Ray', () => {
    expect(props.StateMachineName).toBe('kyc-dev-pipeline');
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(lambdaEnv(stack.api.functions.applicant)[AWS_ENV.pipelineStateMachineArn]).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':states:eu-west-1:000000000000:stateMachine:kyc-dev-pipeline'],
      ],
    });
  });

  it('may invoke the task Lambda and nothing else', () => {
    const roleId = (props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const invoke = statementsFor(roleStatements(template, roleId), 'lambda:InvokeFunction');
    expect(invoke.map((s) => s.Resource)).toEqual([arnOf(stack.pipeline.taskFunction)]);
  });
});

describe('API Gateway', () => {
  const methods = Object.values(resources(template, 'AWS::ApiGateway::Method'));
  const paths = resourcePaths();

  it('has exactly the routes of the route table (method + path), and no CORS preflight methods', () => {
    const deployed = methods
      .map((m) => `${m.Properties!.HttpMethod} ${paths[(m.Properties!.ResourceId as { Ref: string }).Ref] ?? '?'}`)
      .sort();
    // Password sign-in/out is the local runtime's (Cognito's hosted login on AWS).
    const deployable = (routes as readonly RouteDef[]).filter((r) => !r.localOnly);
    expect(deployed).toEqual(deployable.map((r) => `${r.method} ${r.path}`).sort());
    expect(deployed.some((m) => m.startsWith('OPTIONS'))).toBe(false);
  });

  it('sends each route to the Lambda of its group, with the KYC-key authorizer on kycKey routes and Cognito on operator routes', () => {
    const authorizers = Object.entries(resources(template, 'AWS::ApiGateway::Authorizer'));
    const authorizerId = authorizers.find(([, a]) => a.Properties!.Type === 'REQUEST')![0];
    const cognitoId = authorizers.find(([, a]) => a.Properties!.Type === 'COGNITO_USER_POOLS')![0];
    expect(authorizers).toHaveLength(2);
    for (const route of (routes as readonly RouteDef[]).filter((r) => !r.localOnly)) {
      const method = methods.find(
        (m) =>
          m.Properties!.HttpMethod === route.method &&
          paths[(m.Properties!.ResourceId as { Ref: string }).Ref] === route.path,
      )!;
      const uri = JSON.stringify((method.Properties!.Integration as Record<string, unknown>).Uri);
      expect(uri).toContain(logicalId(stack.api.functions[route.lambda]));
      if (route.auth === 'kycKey')
        expect(method.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      else if (route.auth === 'operator')
        expect(method.Properties).toMatchObject({
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: cognitoId },
        });
      else expect(method.Properties!.AuthorizationType).toBe('NONE');
    }
  });

  it('authorizes X-Api-Key with a REQUEST authorizer cached 60 s per key', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.X-Api-Key',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_SECONDS,
    });
    expect(AUTHORIZER_CACHE_SECONDS).toBe(60);
  });

  it('throttles the stage, writes access logs, traces, and never logs bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: arnOf(stack.api.accessLogs) },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          DataTraceEnabled: false,
        }),
      ]),
    });
  });

  it("gives every applicant route throttling of its own, apart from the integrators' stage default", () => {
    const [, stage] = only(resources(template, 'AWS::ApiGateway::Stage'));
    const settings = (stage.Properties as { MethodSettings: Record<string, unknown>[] }).MethodSettings;
    const applicantRoutes = routes.filter((r) => r.lambda === 'applicant');
    expect(applicantRoutes.length).toBeGreaterThan(3);
    for (const route of applicantRoutes) {
      // API Gateway names a method's settings "/<path with '/' escaped as '~1'>".
      expect(settings).toContainEqual(
        expect.objectContaining({
          HttpMethod: route.method,
          ResourcePath: `/${route.path.replaceAll('/', '~1')}`,
          ThrottlingRateLimit: 200,
          ThrottlingBurstLimit: 400,
        }),
      );
    }
    const ownLimits = settings.filter((m) => m.ResourcePath !== '/*');
    expect(ownLimits).toHaveLength(applicantRoutes.length);
  });

  it('validates requests and limits body size and per-key rate with WAF on the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            SizeConstraintStatement: Match.objectLike({ Size: MAX_API_BODY_BYTES, ComparisonOperator: 'GT' }),
          },
          Action: { Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'tooLarge' } } },
        }),
        Match.objectLike({
          Statement: {
            RateBasedStatement: Match.objectLike({
              AggregateKeyType: 'CUSTOM_KEYS',
              CustomKeys: [{ Header: Match.objectLike({ Name: 'x-api-key' }) }],
            }),
          },
        }),
      ]),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } },
      CustomResponseBodies: {
        tooLarge: Match.objectLike({ ContentType: 'APPLICATION_JSON' }),
        rateLimited: Match.objectLike({ ContentType: 'APPLICATION_JSON' }),
      },
    });
    const [, association] = only(resources(template, 'AWS::WAFv2::WebACLAssociation'));
    const arn = JSON.stringify(association.Properties!.ResourceArn);
    expect(arn).toContain(`"/stages/",{"Ref":"${logicalId(stack.api.restApi.deploymentStage)}"}`);
  });
});

describe('gateway responses', () => {
  it('answer in the API error shape for what API Gateway rejects itself', () => {
    for (const [type, status, code] of [
      ['UNAUTHORIZED', '401', 'unauthorized'],
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'route_not_found'],
      ['THROTTLED', '429', 'rate_limited'],
      ['DEFAULT_5XX', '500', 'internal_error'],
    ]) {
      const [, res] = only(
        Object.fromEntries(
          Object.entries(resources(template, 'AWS::ApiGateway::GatewayResponse')).filter(
            ([, r]) => r.Properties!.ResponseType === type,
          ),
        ),
      );
      expect(res.Properties!.StatusCode).toBe(status);
      const body = JSON.parse((res.Properties!.ResponseTemplates as Record<string, string>)['application/json']!);
      expect(body).toEqual({ error: { code, message: expect.any(String), details: [] } });
    }
  });
});

describe('Lambda functions', () => {
  const functions = stack.kycFunctions();

  it('are the eight entries: nodejs22.x, X-Ray active, Powertools env, shared resource env', () => {
    expect(functions).toHaveLength(8);
    for (const fn of functions) {
      const props = resources(template)[logicalId(fn)]!.Properties as Record<string, any>;
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', TracingConfig: { Mode: 'Active' } });
      const env = props.Environment.Variables as Record<string, unknown>;
      expect(env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: METRICS.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        LOG_LEVEL: 'INFO',
        [AWS_ENV.tableName]: ref(stack.data.table),
        [AWS_ENV.webhookAllowHosts]: 'hooks.example.com',
        // PUBLIC_URL = the distribution's domain when there is no custom domain.
        [AWS_ENV.publicUrl]: {
          'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.hostedFlow.distribution), 'DomainName'] }]],
        },
      });
      for (const name of Object.values(AWS_ENV)) expect(env).toHaveProperty([name]);
    }
  });

  it('run on arm64, except the pipeline task (it decodes images), which ships sharp built for linux-x64', () => {
    const arch = (fn: Parameters<typeof logicalId>[0]) =>
      (resources(template)[logicalId(fn)]!.Properties as Record<string, any>).Architectures;
    const withSharp = [stack.pipeline.taskFunction];
    for (const fn of functions.filter((f) => !withSharp.includes(f))) expect(arch(fn)).toEqual(['arm64']);
    for (const fn of withSharp) expect(arch(fn)).toEqual(['x86_64']);
    // sharp is installed for Lambda's platform at bundling time, never copied from the deployer's node_modules.
    expect(installNativeModulesCommands('/out', [SHARP])).toEqual([
      expect.stringMatching(
        new RegExp(
          `^npm install --prefix "/out" .*--os=linux --cpu=x64 --libc=glibc sharp@${SHARP.version.replace(/\./g, '\\.')}$`,
        ),
      ),
    ]);
  });

  it('bundle with esbuild: minified, source maps, AWS SDK external', () => {
    // Bundling is skipped in these tests (no esbuild run), so the shared options are asserted directly.
    expect(KYC_BUNDLING).toMatchObject({
      minify: true,
      sourceMap: true,
      externalModules: ['@aws-sdk/*', 'sharp', 'onnxruntime-node'],
    });
  });
});

describe('least-privilege IAM per function', () => {
  const actions = (fn: Parameters<typeof statementsOfFunction>[0]) => actionsOf(statementsOfFunction(fn));
  const { integrator, applicant, public: publicFn } = stack.api.functions;

  it('no function role uses an action wildcard', () => {
    for (const fn of stack.kycFunctions()) for (const a of actions(fn)) expect(a).not.toContain('*');
  });

  it('grants Resource "*" only for actions without resource-level permissions (X-Ray; Rekognition/Textract on the pipeline task; Face Liveness sessions on the applicant API)', () => {
    const noResourceLevel = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    const pipelineOnly = [
      'rekognition:DetectFaces',
      'rekognition:CompareFaces',
      'rekognition:GetFaceLivenessSessionResults',
      'textract:AnalyzeID',
      'textract:DetectDocumentText',
    ];
    const applicantOnly = ['rekognition:CreateFaceLivenessSession'];
    for (const fn of stack.kycFunctions()) {
      const star = actionsOf(statementsOfFunction(fn).filter((st) => st.Resource === '*'));
      const extra =
        fn === stack.pipeline.taskFunction ? pipelineOnly : fn === stack.api.functions.applicant ? applicantOnly : [];
      const allowed = [...noResourceLevel, ...extra];
      expect(star.filter((a) => !allowed.includes(a))).toEqual([]);
    }
  });

  it('integrator: table + enqueue webhooks; redact lists and deletes captures and indexed faces; no checks, reads, Step Functions or secrets decrypt', () => {
    const a = actions(integrator);
    expect(a).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'sqs:SendMessage']));
    expect(a.filter((x) => /^(rekognition|textract|s3|states):/.test(x)).sort()).toEqual([
      'rekognition:DeleteFaces',
      'rekognition:ListFaces',
      's3:DeleteObject',
      's3:ListBucket',
    ]);
    const deleteFaces = statementsFor(statementsOfFunction(integrator), 'rekognition:DeleteFaces');
    expect(deleteFaces).toHaveLength(1);
    expect(JSON.stringify(deleteFaces[0]!.Resource)).toContain(':collection/kyc-dev-faces-*');
    expect(keyActions(integrator, stack.data.secretsKey)).toEqual([]);
  });

  it('admin: table, enqueue webhooks, reads captures, encrypts new signing secrets; never decrypts them, deletes captures or runs checks', () => {
    const { admin } = stack.api.functions;
    const a = actions(admin);
    expect(a).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'sqs:SendMessage', 's3:GetObject']),
    );
    expect(a).not.toContain('s3:DeleteObject');
    expect(a.filter((x) => /^(rekognition|textract|states):/.test(x))).toEqual([]);
    expect(keyActions(admin, stack.data.secretsKey)).toContain('kms:Encrypt');
    expect(keyActions(admin, stack.data.secretsKey)).not.toContain('kms:Decrypt');
  });

  it('applicant: uploads, reads and deletes single captures, starts the pipeline, opens Face Liveness sessions; cannot list-delete or call other Rekognition actions', () => {
    const a = actions(applicant);
    // DeleteObject: `complete` removes the slot's object, rejected bytes and the capture a retake replaced.
    expect(a).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 'states:StartExecution']),
    );
    expect(a).not.toContain('rekognition:DeleteFaces');
    expect(a.filter((x) => /^(rekognition|textract):/.test(x))).toEqual(['rekognition:CreateFaceLivenessSession']);
  });

  it('pipeline task: Rekognition/Textract, reads captures and writes portraits; cannot delete or start executions', () => {
    const a = actions(stack.pipeline.taskFunction);
    expect(a).toEqual(
      expect.arrayContaining([
        'rekognition:CompareFaces',
        'rekognition:DetectFaces',
        'textract:AnalyzeID',
        's3:GetObject',
        'kms:Decrypt',
      ]),
    );
    expect(a).not.toContain('s3:DeleteObject');
    expect(a).not.toContain('states:StartExecution');
    // Collection actions are scoped to this stage's per-organisation collections.
    const indexFaces = statementsFor(statementsOfFunction(stack.pipeline.taskFunction), 'rekognition:IndexFaces');
    expect(indexFaces).toHaveLength(1);
    expect(JSON.stringify(indexFaces[0]!.Resource)).toContain(':collection/kyc-dev-faces-*');
  });

  it('identity MAC key: an HMAC_256 KMS key only the pipeline task may GenerateMac with', () => {
    expect(resources(template)[logicalId(stack.data.identityMacKey)]).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
    });
    const users = stack.kycFunctions().filter((fn) => keyActions(fn, stack.data.identityMacKey).length > 0);
    expect(users).toEqual([stack.pipeline.taskFunction]);
    expect(keyActions(stack.pipeline.taskFunction, stack.data.identityMacKey)).toEqual(['kms:GenerateMac']);
  });

  it('dispatcher: SQS + table + secrets decrypt; no S3, Rekognition, Step Functions', () => {
    const a = actions(stack.webhooks.dispatcher);
    // SendMessage: a job whose delivery hit an infrastructure fault is re-queued as a fresh message.
    expect(a).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage', 'dynamodb:GetItem']),
    );
    expect(a.filter((x) => /^(s3|rekognition|textract|states):/.test(x))).toEqual([]);
    expect(keyActions(stack.webhooks.dispatcher, stack.data.secretsKey)).toEqual(['kms:Decrypt']);
  });

  it('authorizer: reads keys and touches lastUsedAt only', () => {
    const a = actions(stack.api.authorizerFunction);
    expect(a).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    for (const forbidden of [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'sqs:SendMessage',
      's3:GetObject',
    ]) {
      expect(a).not.toContain(forbidden);
    }
  });

  it('public: no data access at all', () => {
    expect(actions(publicFn).filter((x) => /^(dynamodb|s3|sqs|kms|states|rekognition):/.test(x))).toEqual([]);
  });

  it('maintenance and redact: the only functions that purge captures and faces (the applicant deletes single replaced or rejected captures)', () => {
    const deleters = stack.kycFunctions().filter((fn) => actions(fn).includes('s3:DeleteObject'));
    expect(deleters).toHaveLength(3);
    expect(deleters).toEqual(
      expect.arrayContaining([
        stack.api.functions.applicant,
        stack.api.functions.integrator,
        stack.maintenance.sweeper,
      ]),
    );
    const faceDeleters = stack.kycFunctions().filter((fn) => actions(fn).includes('rekognition:DeleteFaces'));
    expect(faceDeleters).toEqual(expect.arrayContaining([stack.api.functions.integrator, stack.maintenance.sweeper]));
    expect(faceDeleters).toHaveLength(2);
    expect(actions(stack.maintenance.sweeper)).toContain('rekognition:DeleteFaces');
    // The sweep re-starts submitted attempts left undecided, and asks whether a named run has ended.
    const sweeperStatements = statementsOfFunction(stack.maintenance.sweeper);
    const start = statementsFor(sweeperStatements, 'states:StartExecution');
    expect(start).toHaveLength(1);
    expect(JSON.stringify(start[0]!.Resource)).toContain(':stateMachine:kyc-dev-pipeline');
    const describe = statementsFor(sweeperStatements, 'states:DescribeExecution');
    expect(describe).toHaveLength(1);
    expect(JSON.stringify(describe[0]!.Resource)).toContain(':execution:kyc-dev-pipeline:*');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: arnOf(stack.maintenance.sweeper) })],
    });
  });
});

describe('abuse limits at the edge', () => {
  const [, acl] = only(resources(template, 'AWS::WAFv2::WebACL'));
  const rules = (acl.Properties as Record<string, any>).Rules as Record<string, any>[];
  const rule = (name: string) => rules.find((r) => r.Name === name)!;
  const config = (only(resources(template, 'AWS::CloudFront::Distribution'))[1].Properties as Record<string, any>)
    .DistributionConfig;
  const apiOrigin = (config.Origins as Record<string, any>[]).find((o) => o.CustomOriginConfig)!;

  it('answers on execute-api only what CloudFront sent: WAF blocks requests without the origin secret', () => {
    const r = rule(Api.CLOUDFRONT_ONLY_RULE);
    expect(r.Priority).toBe(0);
    expect(r.Action).toEqual({
      Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'notThroughCloudFront' } },
    });
    const match = r.Statement.NotStatement.Statement.ByteMatchStatement;
    expect(match).toMatchObject({
      FieldToMatch: { SingleHeader: { Name: ORIGIN_VERIFY_HEADER } },
      PositionalConstraint: 'EXACTLY',
    });
    // CloudFront adds exactly that value: both are the same generated Secrets Manager value, resolved at deploy.
    const header = (apiOrigin.OriginCustomHeaders as { HeaderName: string; HeaderValue: unknown }[]).find(
      (h) => h.HeaderName === ORIGIN_VERIFY_HEADER,
    )!;
    expect(header.HeaderValue).toEqual(match.SearchString);
    expect(JSON.stringify(header.HeaderValue)).toContain('{{resolve:secretsmanager:');
    const secretIds = Object.keys(resources(template, 'AWS::SecretsManager::Secret'));
    expect(secretIds.some((id) => JSON.stringify(header.HeaderValue).includes(id))).toBe(true);
  });

  it('rate-limits the unauthenticated surface per viewer IP as CloudFront saw it', () => {
    const r = rule(Api.PER_IP_RULE);
    expect(r.Action.Block.CustomResponse.ResponseCode).toBe(429);
    const rate = r.Statement.RateBasedStatement;
    expect(rate).toMatchObject({
      Limit: 2000,
      AggregateKeyType: 'FORWARDED_IP',
      ForwardedIPConfig: { HeaderName: VIEWER_IP_HEADER, FallbackBehavior: 'MATCH' },
    });
    // Everything but the integrator API (which has its per-key limit): applicant API, health, OpenAPI.
    expect(rate.ScopeDownStatement.NotStatement.Statement.ByteMatchStatement).toMatchObject({
      FieldToMatch: { UriPath: {} },
      PositionalConstraint: 'CONTAINS',
      SearchString: `${INTEGRATOR_BASE}/`,
    });
    // The origin check runs first, so the viewer header can only come from CloudFront.
    expect(r.Priority).toBeGreaterThan(rule(Api.CLOUDFRONT_ONLY_RULE).Priority);
  });

  it('writes the viewer IP on every API behaviour with a CloudFront Function, over any client value', () => {
    const [fnId, fn] = Object.entries(resources(template, 'AWS::CloudFront::Function')).find(([, f]) =>
      String((f.Properties as Record<string, any>).FunctionCode).includes(VIEWER_IP_HEADER),
    )!;
    expect((fn.Properties as Record<string, any>).FunctionCode).toBe(VIEWER_IP_CODE);
    for (const pattern of apiPathPatterns()) {
      const b = (config.CacheBehaviors as Record<string, any>[]).find((x) => x.PathPattern === pattern)!;
      expect(b.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
      ]);
    }
    const handler = new Function(`${VIEWER_IP_CODE}; return handler;`)() as (e: unknown) => {
      headers: Record<string, { value: string }>;
    };
    const out = handler({
      viewer: { ip: '198.51.100.7' },
      request: { headers: { [VIEWER_IP_HEADER]: { value: '10.0.0.1' } } },
    });
    expect(out.headers[VIEWER_IP_HEADER]).toEqual({ value: '198.51.100.7' });
  });
});

describe('hosted flow on CloudFront', () => {
  const [, distribution] = only(resources(template, 'AWS::CloudFront::Distribution'));
  const config = (distribution.Properties as Record<string, any>).DistributionConfig;
  const behaviours = config.CacheBehaviors as Record<string, any>[];
  const apiOrigin = (config.Origins as Record<string, any>[]).find((o) => o.CustomOriginConfig)!;
  const siteOrigin = (config.Origins as Record<string, any>[]).find((o) => o.S3OriginConfig)!;

  it('serves the site bucket through Origin Access Control', () => {
    expect(siteOrigin.OriginAccessControlId).toBeDefined();
    expect(siteOrigin.DomainName).toEqual({
      'Fn::GetAtt': [logicalId(stack.hostedFlow.siteBucket), 'RegionalDomainName'],
    });
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(siteOrigin.Id);
  });

  it('rewrites /v/<id> to index.html and /v/<dir>/<file> to the file at the bucket root', () => {
    const v = behaviours.find((b) => b.PathPattern === '/v/*')!;
    expect(v.TargetOriginId).toBe(siteOrigin.Id);
    expect(v.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } },
    ]);
    const rewrite = new Function(`${SPA_REWRITE_CODE}; return handler;`)() as (e: { request: { uri: string } }) => {
      uri: string;
    };
    expect(rewrite({ request: { uri: '/v/vrf_123' } }).uri).toBe('/index.html');
    expect(rewrite({ request: { uri: '/assets/app.js' } }).uri).toBe('/assets/app.js');
    // The page addresses its bundles, models and wasm under /v/ (vite base); the bucket holds them at the root.
    expect(rewrite({ request: { uri: '/v/assets/index-abc.js' } }).uri).toBe('/assets/index-abc.js');
    expect(rewrite({ request: { uri: '/v/tfjs/tfjs-backend-wasm-simd.wasm' } }).uri).toBe(
      '/tfjs/tfjs-backend-wasm-simd.wasm',
    );
    expect(rewrite({ request: { uri: '/v/liveness/face-detection-short.json' } }).uri).toBe(
      '/liveness/face-detection-short.json',
    );
    expect(rewrite({ request: { uri: '/v/assets/../index.html' } }).uri).toBe('/index.html');
  });

  it('proxies /api/* and the public routes to API Gateway: no caching, all viewer headers except Host', () => {
    expect(apiPathPatterns()).toEqual(['/api/*', '/healthz', '/openapi.json']);
    for (const pattern of apiPathPatterns()) {
      const b = behaviours.find((x) => x.PathPattern === pattern)!;
      expect(b).toMatchObject({
        TargetOriginId: apiOrigin.Id,
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
        ViewerProtocolPolicy: 'https-only',
      });
      expect(b.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
    }
    expect(apiOrigin.OriginPath).toBe('/dev');
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(logicalId(stack.api.restApi));
  });

  it('adds CSP, HSTS, Referrer-Policy no-referrer and frame DENY to every behaviour', () => {
    const policyRef = ref(stack.hostedFlow.headersPolicy);
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(policyRef);
    // The dashboard's behaviour has its own (stricter) headers: see "operator dashboard on CloudFront".
    for (const b of behaviours.filter((x) => x.PathPattern !== DASHBOARD_PATH_PATTERN))
      expect(b.ResponseHeadersPolicyId).toEqual(policyRef);
    const headers = (resources(template)[logicalId(stack.hostedFlow.headersPolicy)]!.Properties as Record<string, any>)
      .ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      IncludeSubdomains: true,
    });
    // The upload origin is the captures bucket's virtual-host domain; its name ends with the stack id's last group.
    const csp = joinToString(headers.ContentSecurityPolicy.ContentSecurityPolicy, (intrinsic) =>
      JSON.stringify(intrinsic).includes('AWS::StackId') ? '<stack-uuid-group>' : '?',
    );
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(
      "connect-src 'self' https://kyc-dev-captures-000000000000-<stack-uuid-group>.s3.eu-west-1.amazonaws.com",
    );
  });

  it('names its account-global CloudFront resources after stack and region (two regions never collide)', () => {
    const names = (type: string, config: string) =>
      Object.values(resources(template, type))
        .map((r) => (r.Properties as Record<string, any>)[config].Name as string)
        .sort();
    expect(names('AWS::CloudFront::ResponseHeadersPolicy', 'ResponseHeadersPolicyConfig')).toEqual([
      `${stack.stackName}-eu-west-1-dashboard-headers`,
      `${stack.stackName}-eu-west-1-hosted-flow-headers`,
    ]);
    expect(names('AWS::CloudFront::OriginAccessControl', 'OriginAccessControlConfig')).toEqual([
      `${stack.stackName}-eu-west-1-dashboard-oac`,
      `${stack.stackName}-eu-west-1-site-oac`,
    ]);
    for (const [, fn] of Object.entries(resources(template, 'AWS::CloudFront::Function'))) {
      expect((fn.Properties as Record<string, any>).Name).toContain('eu-west-1');
    }
  });

  it('deploys the hosted flow build (and the dashboard build, into its own bucket)', () => {
    const destinations = Object.values(resources(template, 'Custom::CDKBucketDeployment')).map(
      (d) => (d.Properties as Record<string, any>).DestinationBucketName,
    );
    expect(destinations).toEqual(
      expect.arrayContaining([ref(stack.hostedFlow.siteBucket), ref(stack.dashboard.bucket)]),
    );
    expect(destinations).toHaveLength(2);
  });
});

describe('operator dashboard on CloudFront', () => {
  const [, distribution] = only(resources(template, 'AWS::CloudFront::Distribution'));
  const config = (distribution.Properties as Record<string, any>).DistributionConfig;
  const behaviour = (config.CacheBehaviors as Record<string, any>[]).find(
    (b) => b.PathPattern === DASHBOARD_PATH_PATTERN,
  );

  it('serves /dashboard* on the hosted flow distribution from the dashboard bucket, with the dashboard headers', () => {
    expect(DASHBOARD_PATH_PATTERN).toBe('/dashboard*');
    expect(behaviour).toBeDefined();
    const origin = (config.Origins as Record<string, any>[]).find((o) => o.Id === behaviour!.TargetOriginId)!;
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [logicalId(stack.dashboard.bucket), 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(behaviour!.ResponseHeadersPolicyId).toEqual(ref(stack.dashboard.headersPolicy));
    expect(behaviour!.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it("signs in with the stack's Cognito hosted login and the dashboard app client (CSP and config.json)", () => {
    const policy = resources(template, 'AWS::CloudFront::ResponseHeadersPolicy')[
      logicalId(stack.dashboard.headersPolicy)
    ]!.Properties as Record<string, any>;
    const csp = JSON.stringify(policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp).toContain(logicalId(stack.operators.domain));
    expect(csp).toContain('.auth.eu-west-1.amazoncognito.com');
    expect(csp).toContain("frame-ancestors 'none'");
    const deployment = Object.values(resources(template, 'Custom::CDKBucketDeployment')).find(
      (d) =>
        JSON.stringify((d.Properties as Record<string, any>).DestinationBucketName) ===
        JSON.stringify(ref(stack.dashboard.bucket)),
    )!;
    const markers = JSON.stringify((deployment.Properties as Record<string, any>).SourceMarkers);
    const client = Object.entries(resources(template, 'AWS::Cognito::UserPoolClient')).find(
      ([, c]) => ((c.Properties as Record<string, any>).CallbackURLs ?? []).length,
    )!;
    expect(markers).toContain(client[0]);
    expect(markers).toContain(logicalId(stack.operators.domain));
  });

  it('lets the dashboard read large captures through signed links only: CSP connect-src and a GET-only CORS rule', () => {
    const policy = resources(template, 'AWS::CloudFront::ResponseHeadersPolicy')[
      logicalId(stack.dashboard.headersPolicy)
    ]!.Properties as Record<string, any>;
    const csp = JSON.stringify(policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp).toContain('-captures-');
    expect(csp).toContain('.s3.eu-west-1.amazonaws.com');
    const bucket = resources(template, 'AWS::S3::Bucket')[logicalId(stack.captures.bucket)]!.Properties as Record<
      string,
      any
    >;
    const rules = bucket.CorsConfiguration.CorsRules as Array<Record<string, any>>;
    const reads = rules.filter((r) => r.AllowedMethods.includes('GET'));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ AllowedMethods: ['GET'] });
    expect(reads[0]!.AllowedHeaders).toBeUndefined();
    expect(JSON.stringify(reads[0]!.AllowedOrigins)).not.toContain('*');
    // The bucket stays private: a signed link is the only way in.
    expect(bucket.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('grants no Lambda any Cognito user-pool administration (operators are managed by the CLI, not the API)', () => {
    const policies = JSON.stringify(resources(template, 'AWS::IAM::Policy'));
    expect(policies).not.toMatch(/cognito-idp:(Admin|ListUsers|\*)/);
  });

  it('logs dashboard bucket access to the access-log bucket', () => {
    const bucket = resources(template, 'AWS::S3::Bucket')[logicalId(stack.dashboard.bucket)]!.Properties as Record<
      string,
      any
    >;
    expect(bucket.LoggingConfiguration).toEqual({
      DestinationBucketName: ref(stack.captures.accessLogs),
      LogFilePrefix: 'dashboard/',
    });
  });
});

describe('no client token, API key or secret in any log configuration', () => {
  it('CloudFront keeps no standard log (it would record the verify URL query string, ?token=)', () => {
    for (const [, d] of Object.entries(resources(template, 'AWS::CloudFront::Distribution'))) {
      expect((d.Properties as Record<string, any>).DistributionConfig.Logging).toBeUndefined();
    }
    template.resourceCountIs('AWS::CloudFront::RealtimeLogConfig', 0);
    // A v2 delivery, if one is ever added, must leave the query string out.
    for (const [, delivery] of Object.entries(resources(template, 'AWS::Logs::Delivery'))) {
      const fields = (delivery.Properties as Record<string, any>).RecordFields as string[] | undefined;
      expect(fields).toBeDefined();
      expect(fields).not.toContain('cs-uri-query');
    }
  });

  it('S3 origins never receive the query string (their server access logs would record ?token=)', () => {
    // Managed CachingOptimized: query strings neither in the cache key nor forwarded to the origin.
    const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
    let s3Behaviors = 0;
    for (const [, d] of Object.entries(resources(template, 'AWS::CloudFront::Distribution'))) {
      const config = (d.Properties as Record<string, any>).DistributionConfig;
      const s3Origins = new Set(
        (config.Origins as Record<string, any>[]).filter((o) => o.S3OriginConfig).map((o) => o.Id as string),
      );
      for (const behavior of [config.DefaultCacheBehavior, ...(config.CacheBehaviors ?? [])] as Record<string, any>[]) {
        if (!s3Origins.has(behavior.TargetOriginId)) continue;
        s3Behaviors += 1;
        expect({ path: behavior.PathPattern ?? '*', cache: behavior.CachePolicyId }).toEqual({
          path: behavior.PathPattern ?? '*',
          cache: CACHING_OPTIMIZED,
        });
        expect(behavior.OriginRequestPolicyId).toBeUndefined();
        expect(behavior.ForwardedValues).toBeUndefined();
      }
    }
    // The hosted page (default and /v/*) and the dashboard.
    expect(s3Behaviors).toBeGreaterThanOrEqual(3);
  });

  it('API Gateway access logs name the route template only: no query string, headers, key or token', () => {
    const [, stage] = only(resources(template, 'AWS::ApiGateway::Stage'));
    const props = stage.Properties as Record<string, any>;
    const format = String(props.AccessLogSetting.Format);
    expect(format).toContain('$context.resourcePath');
    for (const leak of [
      '$context.path',
      'querystring',
      '$input',
      '$context.identity.apiKey',
      'authorizer',
      '$method.request',
    ]) {
      expect(format.toLowerCase()).not.toContain(leak.toLowerCase());
    }
    // Execution logs never trace request data (headers, bodies).
    for (const setting of props.MethodSettings as Record<string, any>[]) expect(setting.DataTraceEnabled).toBe(false);
  });

  it('Lambda logs never include the incoming event, and WAF keeps no request samples', () => {
    for (const [, fn] of Object.entries(resources(template, 'AWS::Lambda::Function'))) {
      const env = (fn.Properties as Record<string, any>).Environment?.Variables ?? {};
      expect(env.POWERTOOLS_LOGGER_LOG_EVENT ?? 'false').toBe('false');
      expect(env.POWERTOOLS_DEV ?? 'false').toBe('false');
    }
    for (const [, acl] of Object.entries(resources(template, 'AWS::WAFv2::WebACL'))) {
      const p = acl.Properties as Record<string, any>;
      for (const v of [p.VisibilityConfig, ...p.Rules.map((r: Record<string, any>) => r.VisibilityConfig)])
        expect(v.SampledRequestsEnabled).toBe(false);
    }
    template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 0);
  });
});

describe('monitoring', () => {
  const alarms = resources(template, 'AWS::CloudWatch::Alarm');
  const topic = ref(stack.monitoring.topic);
  const alarmOf = (a: { node: unknown }) => alarms[logicalId(a as never)]!.Properties as Record<string, any>;

  it('sends every alarm to the KMS-encrypted topic, with the email subscription', () => {
    expect(Object.keys(alarms)).toHaveLength(6);
    for (const a of Object.values(alarms)) expect(a.Properties!.AlarmActions).toEqual([topic]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topic,
    });
  });

  it('alarms on DLQ depth, API 5xx rate, pipeline failures and webhook failure rate', () => {
    expect(alarmOf(stack.monitoring.alarms.webhookDlq)).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.webhooks.deadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 0,
    });
    expect(alarmOf(stack.monitoring.alarms.api5xx)).toMatchObject({
      MetricName: '5XXError',
      Statistic: 'Average',
      Threshold: 0.05,
    });
    const pipeline = JSON.stringify(alarmOf(stack.monitoring.alarms.pipelineFailed).Metrics);
    for (const m of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) expect(pipeline).toContain(m);
    const webhook = JSON.stringify(alarmOf(stack.monitoring.alarms.webhookFailureRate).Metrics);
    expect(webhook).toContain(METRICS.webhookAttemptFailed);
    expect(webhook).toContain(METRICS.webhookAttemptSucceeded);
    expect(webhook).toContain(METRICS.namespace);
  });

  it('alarms on any error of the sweeper and of the webhook dispatcher', () => {
    for (const [alarm, fn] of [
      [stack.monitoring.alarms.sweeperErrors, stack.maintenance.sweeper],
      [stack.monitoring.alarms.dispatcherErrors, stack.webhooks.dispatcher],
    ] as const) {
      expect(alarmOf(alarm)).toMatchObject({
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: ref(fn) }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});

describe('outputs', () => {
  it('name every value the CLI and operators need', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.values(OUTPUTS)));
    expect(outputs[OUTPUTS.tableName]!.Value).toEqual(ref(stack.data.table));
    expect(outputs[OUTPUTS.secretsKeyArn]!.Value).toEqual(arnOf(stack.data.secretsKey));
  });
});

// --- helpers bound to this file's template ---

function lambdaEnv(fn: Parameters<typeof logicalId>[0]): Record<string, unknown> {
  return ((resources(template)[logicalId(fn)]!.Properties as Record<string, any>).Environment.Variables ??
    {}) as Record<string, unknown>;
}

function statementsOfFunction(fn: { role?: unknown } & Parameters<typeof logicalId>[0]) {
  const props = resources(template)[logicalId(fn)]!.Properties as { Role: { 'Fn::GetAtt': [string, string] } };
  return roleStatements(template, props.Role['Fn::GetAtt'][0]);
}

/** KMS actions a function has on one key. */
function keyActions(fn: Parameters<typeof statementsOfFunction>[0], key: Parameters<typeof logicalId>[0]): string[] {
  const keyArn = JSON.stringify(arnOf(key));
  return actionsOf(statementsOfFunction(fn).filter((s) => JSON.stringify(s.Resource).includes(keyArn))).filter((a) =>
    a.startsWith('kms:'),
  );
}

/** Full path of every AWS::ApiGateway::Resource, built by walking ParentId up to the API root. */
function resourcePaths(): Record<string, string> {
  const all = resources(template, 'AWS::ApiGateway::Resource') as Record<string, CfnResource>;
  const pathOf = (id: string): string => {
    const props = all[id]!.Properties as { ParentId: { Ref?: string }; PathPart: string };
    const parent = props.ParentId.Ref;
    return `${parent && all[parent] ? pathOf(parent) : ''}/${props.PathPart}`;
  };
  return Object.fromEntries(Object.keys(all).map((id) => [id, pathOf(id)]));
}
