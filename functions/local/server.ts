import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { openSession } from '../app/applicant/session';
import { authenticateKey, toContext } from '../app/auth';
import type { AppDeps } from '../app/deps';
import { ApiError, errors } from '../domain/errors';
import { describeError, httpStatusOf, internalErrorBody } from '../http/errors';
import { logger } from '../http/observability';
import { type OperatorDeps, resolveSession } from '../app/operators';
import {
  CSRF_HEADER,
  cookie,
  cookiesAreSecure,
  isStateChanging,
  type OperatorContext,
  sessionCookieName,
} from '../http/operator-auth';
import { API_SECURITY_HEADERS, JSON_BODY_LIMIT_BYTES } from '../http/responses';
import { matchPath, routes, type LambdaGroup, type RouteDef } from '../http/routes';

export type LambdaLikeHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LocalServerOptions {
  deps: AppDeps;
  /** Dashboard sessions: resolves the cookie of `operator` routes (as the Cognito authorizer does on AWS). */
  operators?: OperatorDeps;
  /** The same handler modules Lambda runs, one per route group. */
  handlers: Record<LambdaGroup, LambdaLikeHandler>;
  /** Serves the built browser apps (hosted flow, dashboard); returns true if it handled the request. */
  staticFiles?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Largest capture body the bytes route accepts; every other route stops at 64 KB. */
  maxBodyBytes: number;
}

/**
 * The local stand-in for API Gateway: matches the route table, runs the KYC-key authorizer for
 * `kycKey` routes (as the Lambda authorizer does on AWS), turns the request into an API Gateway proxy
 * event and calls the route group's handler. Bodies over the route's limit are cut off at 413 without
 * being buffered: 64 KB everywhere except the capture bytes route, whose body is read only after its
 * client token opened a writable session (a stranger cannot make the server buffer megabytes).
 */
export function createLocalServer(opts: LocalServerOptions): Server {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      // The path only: its query may carry a verify link's token.
      logger.error('unhandled error in the local server', {
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        error: describeError(err),
      });
      if (!res.headersSent)
        send(res, {
          statusCode: 500,
          headers: { ...API_SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify(internalErrorBody()),
        });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  return server;
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
  if (result.statusCode !== 204 && result.statusCode !== 304) headers['Content-Length'] = body.length;
  res.writeHead(result.statusCode, headers as Record<string, string>);
  res.end(result.statusCode === 204 ? undefined : body);
}

function errorResult(err: ApiError): APIGatewayProxyResult {
  return {
    statusCode: httpStatusOf(err),
    headers: { ...API_SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...err.headers },
    body: JSON.stringify(err.toBody()),
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function findRoute(
  method: string,
  path: string,
): { route: RouteDef; params: Record<string, string> } | 'method_not_allowed' | null {
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'method_not_allowed' : null;
}

function isTextual(contentType: string | undefined): boolean {
  return !contentType || /json|text|x-www-form-urlencoded/i.test(contentType);
}

async function handle(opts: LocalServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const found = findRoute(method, url.pathname);
  if (found === null) {
    if (opts.staticFiles?.(req, res)) return;
    return send(res, errorResult(errors.routeNotFound()));
  }
  if (found === 'method_not_allowed') {
    const allowed = routes.filter((r) => matchPath(r.path, url.pathname)).map((r) => r.method);
    return send(res, errorResult(errors.methodNotAllowed(allowed)));
  }
  const { route, params } = found;
  if (route.captureBytes) {
    try {
      await openSession(opts.deps, req.headers.authorization, 'write');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      res.setHeader('Connection', 'close');
      return send(res, errorResult(err));
    }
  }
  const limit = route.captureBytes ? opts.maxBodyBytes : JSON_BODY_LIMIT_BYTES;
  const body = await readBody(req, limit);
  if (body === null) {
    res.setHeader('Connection', 'close');
    return send(
      res,
      errorResult(errors.tooLarge('payload_too_large', `The request body exceeds ${Math.round(limit / 1024)} KB.`)),
    );
  }
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    const v = req.rawHeaders[i + 1]!;
    headers[k] = headers[k] === undefined ? v : `${headers[k]},${v}`;
    multiValueHeaders[k] ??= [];
    multiValueHeaders[k].push(v);
  }
  let authorizer: Record<string, string> | null = null;
  if (route.auth === 'operator') {
    // The Cognito authorizer's job on AWS: a valid session (idle 30 min, absolute 12 h, operator enabled),
    // plus the CSRF header on every state-changing request (the cookie alone is ambient authority).
    const secure = cookiesAreSecure(opts.deps.config.publicUrl);
    const resolved = opts.operators
      ? await resolveSession(opts.operators, cookie({ headers }, sessionCookieName(secure)))
      : null;
    if (!resolved) return send(res, errorResult(errors.signInRequired()));
    if (isStateChanging(method)) {
      const sent = req.headers[CSRF_HEADER.toLowerCase()];
      if (typeof sent !== 'string' || !opts.deps.crypto.safeEqual(sent, resolved.csrfToken))
        return send(
          res,
          errorResult(
            errors.forbidden('csrf_token_invalid', `Send the session's CSRF token in the ${CSRF_HEADER} header.`, [
              { field: CSRF_HEADER, issue: typeof sent === 'string' ? 'does not match the session' : 'required' },
            ]),
          ),
        );
    }
    const context: OperatorContext = {
      ...resolved.principal,
      csrfToken: resolved.csrfToken,
      sessionExpiresAt: resolved.session.expiresAt,
    };
    authorizer = { ...context };
  }
  if (route.auth === 'kycKey') {
    // The Lambda REQUEST authorizer's job on AWS: resolve the key or answer 401 before the handler runs.
    const principal = await authenticateKey(opts.deps, req.headers['x-api-key'] as string | undefined);
    if (!principal) return send(res, errorResult(errors.unauthorized()));
    authorizer = toContext(principal);
  }
  const textual = isTextual(req.headers['content-type']);
  const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
  const requestId = randomUUID();
  const query = Object.fromEntries(url.searchParams.entries());
  const event = {
    resource: route.path,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : null,
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer,
      httpMethod: method,
      identity: { sourceIp, userAgent: req.headers['user-agent'] ?? null },
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.id,
      resourcePath: route.path,
      stage: 'local',
    },
  } as unknown as APIGatewayProxyEvent;
  const context = {
    awsRequestId: requestId,
    functionName: `kyc-${route.lambda}`,
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
  const result = await opts.handlers[route.lambda](event, context);
  send(res, result);
}
