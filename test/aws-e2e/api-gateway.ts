/**
 * API Gateway (REST, Lambda proxy) as the template configures it: the method is found from the template's
 * resources, required request parameters are enforced, CUSTOM methods go through the REQUEST authorizer
 * first (401 without the identity source or when it throws `Unauthorized`, 403 when its policy does not
 * allow the method ARN; decisions cached per identity value for the template's TTL), then the integration
 * Lambda receives the proxy event AWS sends, with the authorizer's context.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isAllowed } from './iam';
import { LambdaFunctionError, type LambdaHost } from './lambda-host';
import type { ApiMethodSpec } from './template-model';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

interface AuthorizerDecision {
  principalId: string;
  policyDocument: {
    Statement: Array<{ Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[] }>;
  };
  context?: Record<string, string | number | boolean>;
}

const CLOUDFRONT_HEADERS = { 'x-kyc-viewer-ip': '203.0.113.7', 'CloudFront-Viewer-Country': 'FR' };

export class ApiGateway {
  private readonly cache = new Map<string, { until: number; decision: AuthorizerDecision }>();
  /** Authorizer invocations (cache misses), to see that the cache applies across routes. */
  authorizerCalls = 0;

  constructor(
    private readonly methods: ApiMethodSpec[],
    private readonly host: LambdaHost,
    private readonly api: { id: string; stage: string; region: string; accountId: string },
  ) {}

  private match(method: string, path: string): { spec: ApiMethodSpec; params: Record<string, string> } | null {
    const segments = path.split('/').filter(Boolean);
    let best: { spec: ApiMethodSpec; params: Record<string, string>; literal: number } | null = null;
    for (const spec of this.methods) {
      if (spec.httpMethod !== method) continue;
      const parts = spec.resourcePath.split('/').filter(Boolean);
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literal = 0;
      const ok = parts.every((p, i) => {
        const m = /^\{(\w+)\}$/.exec(p);
        if (m) {
          params[m[1]!] = decodeURIComponent(segments[i]!);
          return true;
        }
        literal += 1;
        return p === segments[i];
      });
      if (ok && (!best || literal > best.literal)) best = { spec, params, literal };
    }
    return best;
  }

  private static gateway(status: number, code: string, message: string): ApiResponse {
    const text = JSON.stringify({ error: { code, message, details: [] } });
    return { status, headers: { 'content-type': 'application/json' }, text, json: JSON.parse(text) };
  }

  async request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: unknown; query?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const found = this.match(method, path);
    if (!found) return ApiGateway.gateway(404, 'route_not_found', 'No such endpoint.');
    const { spec, params } = found;
    const headers: Record<string, string> = {
      Host: `${this.api.id}.execute-api.${this.api.region}.amazonaws.com`,
      'User-Agent': 'aws-e2e/1.0',
      ...CLOUDFRONT_HEADERS,
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...opts.headers,
    };
    const headerOf = (name: string) =>
      Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    for (const p of spec.requiredParameters) {
      const header = /^method\.request\.header\.(.+)$/.exec(p)?.[1];
      if (header && !headerOf(header))
        return ApiGateway.gateway(
          spec.authorizationType === 'CUSTOM' ? 401 : 400,
          'unauthorized',
          `Missing ${header}.`,
        );
    }
    const methodArn = `arn:aws:execute-api:${this.api.region}:${this.api.accountId}:${this.api.id}/${this.api.stage}/${method}${path}`;
    const requestContext = {
      accountId: this.api.accountId,
      apiId: this.api.id,
      stage: this.api.stage,
      httpMethod: method,
      path: `/${this.api.stage}${path}`,
      resourcePath: spec.resourcePath,
      resourceId: 'e2e',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '130.176.0.1', userAgent: headers['User-Agent'] },
    } as unknown as APIGatewayProxyEvent['requestContext'];
    const multi = (o: Record<string, string> | null) =>
      o ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [v]])) : null;
    const query = opts.query && Object.keys(opts.query).length > 0 ? opts.query : null;

    let authorizer: Record<string, unknown> | null = null;
    if (spec.authorizationType === 'CUSTOM') {
      const identity = spec.identitySources
        .map((s) => headerOf(/^method\.request\.header\.(.+)$/.exec(s)?.[1] ?? ''))
        .join(',');
      if (!identity) return ApiGateway.gateway(401, 'unauthorized', 'Missing or invalid API key.');
      let decision = this.cache.get(identity);
      if (!decision || decision.until < Date.now()) {
        this.authorizerCalls += 1;
        try {
          const result = await this.host.invoke<AuthorizerDecision>(spec.authorizerFunctionLogicalId!, {
            type: 'REQUEST',
            methodArn,
            resource: spec.resourcePath,
            path,
            httpMethod: method,
            headers,
            multiValueHeaders: multi(headers),
            queryStringParameters: query,
            multiValueQueryStringParameters: multi(query),
            pathParameters: Object.keys(params).length ? params : null,
            stageVariables: null,
            requestContext,
          });
          decision = { until: Date.now() + spec.authorizerCacheSeconds * 1000, decision: result };
          this.cache.set(identity, decision);
        } catch (err) {
          if (err instanceof LambdaFunctionError && err.message === 'Unauthorized')
            return ApiGateway.gateway(401, 'unauthorized', 'Missing or invalid API key.');
          return ApiGateway.gateway(500, 'internal_error', `authorizer failed: ${(err as Error).message}`);
        }
      }
      const allowed = isAllowed(decision.decision.policyDocument.Statement as never, {
        action: 'execute-api:Invoke',
        resource: methodArn,
      });
      if (!allowed) return ApiGateway.gateway(403, 'forbidden', 'Access denied.');
      authorizer = { ...decision.decision.context, principalId: decision.decision.principalId, integrationLatency: 1 };
    } else if (spec.authorizationType !== 'NONE') {
      throw new Error(`${spec.authorizationType} methods are not modelled (${method} ${spec.resourcePath})`);
    }

    const event = {
      resource: spec.resourcePath,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders: multi(headers),
      queryStringParameters: query,
      multiValueQueryStringParameters: multi(query),
      pathParameters: Object.keys(params).length ? params : null,
      stageVariables: null,
      requestContext: { ...requestContext, ...(authorizer ? { authorizer } : {}) },
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      isBase64Encoded: false,
    };
    let result: APIGatewayProxyResult;
    try {
      result = await this.host.invoke<APIGatewayProxyResult>(spec.functionLogicalId, event);
    } catch (err) {
      return { ...ApiGateway.gateway(502, 'internal_error', (err as Error).message), status: 502 };
    }
    const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const outHeaders = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    return { status: result.statusCode, headers: outHeaders, text, json };
  }
}
