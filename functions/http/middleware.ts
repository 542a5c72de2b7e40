import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, errors } from '../domain/errors';
import { describeError, internalErrorBody } from './errors';
import { fromContext, type Principal } from '../app/auth';
import { API_SECURITY_HEADERS, errorResult, header, json } from './responses';
import { logger } from './observability';

type Mw = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

/**
 * A middleware a runtime adds around the API handlers (AWS: Powertools). Registered first, so it sees the
 * request before any other middleware and the final response (errors already rendered) last.
 */
export type ApiMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/**
 * Renders every error in the one error shape. ApiError -> its status; anything else -> 500 with a
 * generic message (the details go to the log, never to the caller).
 */
export function httpErrorHandler(): Mw {
  return {
    onError: async (request) => {
      const err = request.error;
      if (err instanceof ApiError) {
        request.response = errorResult(err);
        return;
      }
      logger.error('unhandled error', { route: request.event.resource, error: describeError(err) });
      request.response = json(500, internalErrorBody());
    },
  };
}

/** Adds the API security headers to every response, including errors. */
export function securityHeaders(): Mw {
  const add = async (request: { response: APIGatewayProxyResult | null | undefined }) => {
    if (request.response) request.response.headers = { ...API_SECURITY_HEADERS, ...request.response.headers };
  };
  return { after: add, onError: add };
}

/**
 * The integrator API is server-to-server: a request carrying a browser Origin header is refused, so a
 * key pasted into front-end code fails loudly instead of working.
 */
export function rejectBrowserOrigin(): Mw {
  return {
    before: async (request) => {
      if (header(request.event, 'origin') !== undefined) {
        throw errors.forbidden(
          'browser_requests_forbidden',
          'The KYC API is server-to-server only; requests from browsers (with an Origin header) are refused. Call it from your backend.',
        );
      }
    },
  };
}

/** Reads the caller resolved by the authorizer (API Gateway on AWS, the local server locally). */
export function principalOf(event: APIGatewayProxyEvent): Principal {
  const p = fromContext(event.requestContext?.authorizer as Record<string, unknown> | null | undefined);
  if (!p) throw errors.unauthorized();
  return p;
}

/** One structured access-log line per request: route, status, duration; no bodies, keys or tokens. */
export function accessLog(): Mw {
  const started = new WeakMap<object, number>();
  const log = async (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null | undefined }) => {
    const t0 = started.get(request.event);
    logger.info('request', {
      method: request.event.httpMethod,
      route: request.event.resource,
      status: request.response?.statusCode,
      ms: t0 === undefined ? undefined : Date.now() - t0,
      requestId: request.event.requestContext?.requestId,
    });
  };
  return {
    before: async (request) => void started.set(request.event, Date.now()),
    after: log,
    onError: log,
  };
}
