import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { errors } from '../functions/domain/errors';
import { internalErrorBody } from '../functions/http/errors';
import { JSON_BODY_LIMIT_BYTES } from '../functions/http/responses';
import { ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER } from '../functions/http/edge';
import { INTEGRATOR_BASE, routes, type LambdaGroup, type RouteDef } from '../functions/http/routes';
import {
  allowCapturesDelete,
  allowCapturesPurge,
  allowCapturesRead,
  allowCapturesWrite,
  allowCreateFaceLivenessSession,
  allowEnqueueWebhooks,
  allowKeyLookup,
  allowSecrets,
  allowStartPipeline,
  allowTable,
} from './access';
import type { Captures } from './captures';
import type { Data } from './data';
import { KycFunction, type FunctionDefaults } from './kyc-function';
import { allowFaceErasure } from './pipeline';
import type { KycSettings } from './settings';

/**
 * Largest request body the API accepts: the handlers' own JSON limit (413 locally too), enforced at the edge
 * by WAF so oversized bodies never reach a Lambda. Capture bytes go straight to S3, never through the API.
 */
export const MAX_API_BODY_BYTES = JSON_BODY_LIMIT_BYTES;

/** The API's one error shape, for the answers API Gateway and WAF give without calling a handler. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message, details: [] } });
}
/**
 * How long API Gateway caches an authorizer decision per X-Api-Key value: also how long a revoked key keeps
 * working. One minute keeps revocation prompt; a busy key still costs one authorizer call a minute.
 */
export const AUTHORIZER_CACHE_SECONDS = 60;

export interface ApiProps {
  settings: KycSettings;
  defaults: FunctionDefaults;
  data: Data;
  captures: Captures;
  webhookQueue: sqs.IQueue;
  webhookQueueKey: kms.IKey;
  stateMachineArn: string;
  /** ARN pattern of the per-organisation face collections (redact deletes a verification's faces). */
  faceCollectionsArn: string;
  /** Dashboard operators: `operator` routes sit behind a Cognito authorizer on this pool. */
  userPool: cognito.IUserPool;
}

/**
 * The REST API, built from the one route table (functions/http/routes.ts): every route becomes a
 * resource + method integrated with the Lambda of its `lambda` group (integrator, applicant, public).
 *
 * Authorization: `kycKey` routes use a Lambda REQUEST authorizer on `X-Api-Key`, cached per key for
 * 60 s (a revoked key keeps working for at most that long); `clientToken` routes are authorized by the
 * applicant handler (the token is per verification, so an authorizer cache would buy nothing); `none`
 * routes are public (OpenAPI document, health probe).
 *
 * Limits: the stage's throttling is each integrator and public method's default; applicant methods have their
 * own (`applicantRateLimit`), so polling applicants and integrators never use up each other's limit. API Gateway usage plans need API Gateway API keys
 * (a second key system to keep in sync with KYC keys, and `apiKeySource: AUTHORIZER` would make every
 * authorizer response name one), so the per-key limit is a WAF rate-based rule aggregated on the
 * X-Api-Key header instead (429 in the API's error shape); a second WAF rule rejects bodies over 64 KB (413),
 * with the stage's body inspection limit raised to 64 KB so the rule sees the whole allowed body.
 *
 * CloudFront only: the execute-api endpoint answers only requests carrying the origin secret CloudFront adds
 * ({@link ORIGIN_VERIFY_HEADER}, a generated Secrets Manager value; WAF blocks every other request with 403),
 * so the edge's limits cannot be bypassed. Behind CloudFront API Gateway's source address is an edge server
 * and X-Forwarded-For is client-controlled, so the per-IP limit on the unauthenticated surface (every route
 * outside the integrator API) counts the viewer address a CloudFront Function writes to
 * {@link VIEWER_IP_HEADER}: CloudFront's own view of the client, which a client cannot forge.
 * No CORS: the integrator API is server-to-server and the hosted flow reaches the applicant API on its
 * own origin (CloudFront `/api/*`).
 */
/**
 * Method throttling for every applicant route (`<path>/<METHOD>`), so the page's session polling has limits of
 * its own instead of the stage default that integrator routes use.
 */
export function applicantMethodThrottling(
  settings: Pick<KycSettings, 'applicantRateLimit' | 'applicantBurstLimit'>,
): Record<string, apigw.MethodDeploymentOptions> {
  const options: Record<string, apigw.MethodDeploymentOptions> = {};
  for (const route of routes as readonly RouteDef[]) {
    if (route.lambda !== 'applicant') continue;
    options[`${route.path}/${route.method}`] = {
      throttlingRateLimit: settings.applicantRateLimit,
      throttlingBurstLimit: settings.applicantBurstLimit,
    };
  }
  return options;
}

export class Api extends Construct {
  readonly restApi: apigw.RestApi;
  readonly stageName: string;
  readonly functions: Record<LambdaGroup, KycFunction>;
  readonly authorizerFunction: KycFunction;
  readonly accessLogs: logs.LogGroup;
  /** Value CloudFront must send in {@link ORIGIN_VERIFY_HEADER} (a CloudFormation dynamic reference). */
  readonly originVerifyValue: string;
  /** Name of the WAF rule that limits requests per X-Api-Key. */
  static readonly PER_KEY_RULE = 'per-kyc-key-rate';
  /** Name of the WAF rule that limits unauthenticated requests per viewer IP. */
  static readonly PER_IP_RULE = 'per-viewer-ip-rate';
  /** Name of the WAF rule that blocks requests not sent by CloudFront. */
  static readonly CLOUDFRONT_ONLY_RULE = 'cloudfront-only';

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { settings, defaults, data, captures } = props;
    this.stageName = settings.stage;

    const fn = (name: string, entry: string, description: string, memorySize = 512) =>
      new KycFunction(this, name, { entry, description, memorySize, timeout: Duration.seconds(29), defaults });
    const integrator = fn('Integrator', 'integrator', 'KYC integrator API (X-Api-Key)');
    const applicant = fn('Applicant', 'applicant', 'KYC applicant API (client token)');
    const publicFn = fn('Public', 'public', 'KYC public endpoints (OpenAPI, health)', 256);
    const admin = fn('Admin', 'admin', 'KYC admin API (dashboard operators, Cognito)');
    this.authorizerFunction = new KycFunction(this, 'Authorizer', {
      entry: 'authorizer',
      description: 'KYC key REQUEST authorizer',
      memorySize: 256,
      timeout: Duration.seconds(10),
      defaults,
    });
    this.functions = { integrator, applicant, public: publicFn, admin };

    // Per-function permissions: only what each handler's use cases call.
    allowTable(integrator, data.table, data.tableKey, 'readWrite');
    allowEnqueueWebhooks(integrator, props.webhookQueue, props.webhookQueueKey); // simulate -> outcome webhooks
    allowCapturesPurge(integrator, captures.bucket); // redact: the verification's captures...
    allowFaceErasure(integrator, props.faceCollectionsArn, settings.stage); // ...and its indexed faces
    allowTable(applicant, data.table, data.tableKey, 'readWrite');
    allowCapturesWrite(applicant, captures.bucket, captures.key); // presigned POST
    allowCapturesRead(applicant, captures.bucket, captures.key); // completeUpload validates the bytes
    allowCapturesDelete(applicant, captures.bucket); // ...copies them aside and deletes the slot's object
    allowStartPipeline(applicant, props.stateMachineArn); // submit; session reads restart a stalled run
    allowEnqueueWebhooks(applicant, props.webhookQueue, props.webhookQueueKey); // test-mode simulate
    allowCreateFaceLivenessSession(applicant); // POST /liveness-session
    allowKeyLookup(this.authorizerFunction, data.table, data.tableKey);
    allowTable(admin, data.table, data.tableKey, 'readWrite'); // keys, flows, webhooks, reviews, audit
    allowEnqueueWebhooks(admin, props.webhookQueue, props.webhookQueueKey); // review decision, test event, redeliver
    allowCapturesRead(admin, captures.bucket, captures.key); // captures streamed to a signed-in operator
    allowSecrets(admin, data.secretsKey, 'encrypt'); // mint a key, rotate its signing secret (never decrypts)

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: defaults.logRetention });
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: `kyc-${settings.stage}`,
      description: 'KYC verification API (integrator, applicant, public)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Capture bytes streamed to operators (admin API) are returned base64-encoded by the Lambda.
      binaryMediaTypes: ['image/*'],
      cloudWatchRole: true,
      deployOptions: {
        stageName: this.stageName,
        throttlingRateLimit: settings.apiRateLimit,
        throttlingBurstLimit: settings.apiBurstLimit,
        methodOptions: applicantMethodThrottling(settings),
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request/response bodies carry personal data: never log them.
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role needs exactly this AWS-managed policy; CDK creates it for execution logging.',
    });

    const authorizer = new apigw.RequestAuthorizer(this, 'KycKeyAuthorizer', {
      handler: this.authorizerFunction,
      identitySources: [apigw.IdentitySource.header('X-Api-Key')],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
    });
    const operatorAuthorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'OperatorAuthorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
    });
    const validator = new apigw.RequestValidator(this, 'Validator', {
      restApi: this.restApi,
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const integrations: Record<LambdaGroup, apigw.LambdaIntegration> = {
      integrator: new apigw.LambdaIntegration(integrator, { scopePermissionToMethod: false }),
      applicant: new apigw.LambdaIntegration(applicant, { scopePermissionToMethod: false }),
      public: new apigw.LambdaIntegration(publicFn, { scopePermissionToMethod: false }),
      admin: new apigw.LambdaIntegration(admin, { scopePermissionToMethod: false }),
    };
    for (const route of routes as readonly RouteDef[]) {
      // Password sign-in is the local runtime's; on AWS the Cognito hosted login signs operators in.
      if (route.localOnly) continue;
      const resource = this.restApi.root.resourceForPath(route.path);
      const method = resource.addMethod(route.method, integrations[route.lambda], {
        operationName: route.id,
        requestValidator: validator,
        requestParameters: requiredParameters(route),
        ...(route.auth === 'kycKey' ? { authorizer, authorizationType: apigw.AuthorizationType.CUSTOM } : {}),
        ...(route.auth === 'operator'
          ? { authorizer: operatorAuthorizer, authorizationType: apigw.AuthorizationType.COGNITO }
          : {}),
      });
      if (route.auth === 'operator') continue;
      if (route.auth !== 'kycKey') {
        Validations.of(method).acknowledge(
          {
            id: 'AwsSolutions-APIG4',
            reason:
              route.auth === 'clientToken'
                ? 'Authorized in the applicant handler by the verification client token (Bearer), hashed and compared to the stored hash.'
                : 'Public by design: OpenAPI document and health probe carry no data.',
          },
          {
            id: 'AwsSolutions-COG4',
            reason: 'No Cognito users exist: callers are integrator servers (KYC keys) and applicants (client tokens).',
          },
        );
      } else {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: 'Integrators authenticate with KYC keys checked by the Lambda REQUEST authorizer, not Cognito users.',
        });
      }
    }

    const originVerify = new secretsmanager.Secret(this, 'OriginVerify', {
      description: `KYC ${settings.stage}: header value CloudFront adds to API requests (execute-api answers nothing else)`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(originVerify).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Shared only between CloudFront and WAF in this template, never with a person; a redeploy after `aws secretsmanager update-secret` rotates it in both places.',
    });
    this.originVerifyValue = originVerify.secretValue.unsafeUnwrap();

    this.addGatewayErrorResponses();
    this.attachWaf(settings);
  }

  /**
   * API Gateway answers some requests itself (missing key, throttling, unknown path): give those the same
   * `{"error": {...}}` shape as the handlers, so clients parse one format.
   */
  private addGatewayErrorResponses(): void {
    // The same codes and wordings as the handlers' errors (domain/errors.ts factories, http/errors.ts 500).
    const unauthorized = errors.unauthorized();
    const routeNotFound = errors.routeNotFound();
    const internal = internalErrorBody().error;
    const responses: Array<[string, apigw.ResponseType, string, string, string]> = [
      ['Unauthorized', apigw.ResponseType.UNAUTHORIZED, '401', unauthorized.code, unauthorized.message],
      ['AccessDenied', apigw.ResponseType.ACCESS_DENIED, '403', 'forbidden', 'Access denied.'],
      [
        'MissingAuthToken',
        apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
        '404',
        routeNotFound.code,
        routeNotFound.message,
      ],
      ['Throttled', apigw.ResponseType.THROTTLED, '429', 'rate_limited', 'Too many requests; retry with backoff.'],
      ['TooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, '413', 'payload_too_large', 'The request body is too large.'],
      ['BadBody', apigw.ResponseType.BAD_REQUEST_BODY, '400', 'validation_error', 'The request body is invalid.'],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, '400', 'bad_request', 'The request was rejected.'],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, '500', internal.code, internal.message],
    ];
    for (const [id, type, statusCode, code, message] of responses) {
      this.restApi.addGatewayResponse(`Gateway${id}`, {
        type,
        statusCode,
        responseHeaders: { 'Content-Type': "'application/json'", 'Cache-Control': "'no-store'" },
        templates: { 'application/json': errorBody(code, message) },
      });
    }
  }

  /** Regional WAF on the stage: per-key rate limit and request body size limit. */
  private attachWaf(settings: KycSettings): void {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: false,
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      customResponseBodies: {
        tooLarge: {
          contentType: 'APPLICATION_JSON',
          content: errorBody('payload_too_large', `The request body exceeds ${MAX_API_BODY_BYTES / 1024} KB.`),
        },
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: errorBody('rate_limited', 'Too many requests for this API key; retry with backoff.'),
        },
        ipRateLimited: {
          contentType: 'APPLICATION_JSON',
          content: errorBody('rate_limited', 'Too many requests from this address; retry with backoff.'),
        },
        notThroughCloudFront: {
          contentType: 'APPLICATION_JSON',
          content: errorBody('forbidden', "Use the service's public URL."),
        },
      },
      visibilityConfig: visibility(`kyc-${settings.stage}-api`),
      rules: [
        {
          name: Api.CLOUDFRONT_ONLY_RULE,
          priority: 0,
          action: { block: { customResponse: { responseCode: 403, customResponseBodyKey: 'notThroughCloudFront' } } },
          statement: {
            notStatement: {
              statement: {
                byteMatchStatement: {
                  // SingleHeader is a JSON property in CloudFormation: the key is `Name`, passed through as written.
                  fieldToMatch: { singleHeader: { Name: ORIGIN_VERIFY_HEADER } },
                  positionalConstraint: 'EXACTLY',
                  searchString: this.originVerifyValue,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility(Api.CLOUDFRONT_ONLY_RULE),
        },
        {
          name: Api.PER_IP_RULE,
          priority: 1,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'ipRateLimited' } } },
          statement: {
            rateBasedStatement: {
              limit: settings.perIpRequestsPer5Min,
              aggregateKeyType: 'FORWARDED_IP',
              // Set by CloudFront from the connection it received (never by the client); a request without it
              // did not come through CloudFront and the rule above has blocked it already.
              forwardedIpConfig: { headerName: VIEWER_IP_HEADER, fallbackBehavior: 'MATCH' },
              // The integrator API has its per-key limit; everything else is reachable without a key.
              scopeDownStatement: {
                notStatement: {
                  statement: {
                    byteMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'CONTAINS',
                      searchString: `${INTEGRATOR_BASE}/`,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                },
              },
            },
          },
          visibilityConfig: visibility(Api.PER_IP_RULE),
        },
        {
          name: 'max-body-size',
          priority: 2,
          action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'tooLarge' } } },
          statement: {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: MAX_API_BODY_BYTES,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility('max-body-size'),
        },
        {
          name: Api.PER_KEY_RULE,
          priority: 3,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited' } } },
          statement: {
            rateBasedStatement: {
              limit: settings.perKeyRequestsPer5Min,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'x-api-key', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            },
          },
          visibilityConfig: visibility(Api.PER_KEY_RULE),
        },
      ],
    });
    const stageArn = `arn:${Stack.of(this).partition}:apigateway:${Stack.of(this).region}::/restapis/${this.restApi.restApiId}/stages/${this.restApi.deploymentStage.stageName}`;
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: stageArn,
      webAclArn: acl.attrArn,
    }).node.addDependency(this.restApi.deploymentStage);
  }

  /** Origin domain of the execute-api endpoint, built from the API id only (not the stage) to avoid cycles. */
  get originDomain(): string {
    const stack = Stack.of(this);
    return `${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}

/**
 * Parameters API Gateway requires before invoking anything. The Authorization header of clientToken routes
 * is deliberately not required here: a missing token must get the applicant API's own 401 `invalid_token`
 * body, as on the local runtime. Body schemas are validated by the handlers (zod).
 */
function requiredParameters(route: RouteDef): Record<string, boolean> {
  const params: Record<string, boolean> = {};
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) params[`method.request.path.${match[1]}`] = true;
  if (route.auth === 'kycKey') params['method.request.header.X-Api-Key'] = true;
  if (route.auth === 'operator') params['method.request.header.Authorization'] = true;
  return params;
}
