import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AppDeps } from '../app/deps';
import { dispatcher } from '../http/dispatch';
import { accessLog, type ApiMiddleware, httpErrorHandler, securityHeaders } from '../http/middleware';
import { buildOpenApiDocument } from '../http/openapi';
import { json } from '../http/responses';

/** Unauthenticated routes: the OpenAPI document and a liveness probe. */
export function createPublicHandler(
  deps: { config: Pick<AppDeps['config'], 'publicUrl'> },
  runtimeMiddlewares: ApiMiddleware[] = [],
) {
  let openapi: string | null = null; // built once per process: it never changes at run time
  const route = dispatcher({
    openapi: async () => {
      openapi ??= JSON.stringify(buildOpenApiDocument(deps.config.publicUrl));
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
        body: openapi,
      };
    },
    health: async () => json(200, { data: { status: 'ok' } }),
  });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(runtimeMiddlewares)
    .use(accessLog())
    .use(securityHeaders())
    .use(httpErrorHandler())
    .handler(route);
}
