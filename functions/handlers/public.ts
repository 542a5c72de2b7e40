import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AppDeps } from '../app/deps';
import { dispatcher } from '../http/dispatch';
import { accessLog, type ApiMiddleware, httpErrorHandler, securityHeaders } from '../http/middleware';
import { buildApplicantOpenApiDocument, buildOpenApiDocument } from '../http/openapi';
import { json } from '../http/responses';

/** Unauthenticated routes: the OpenAPI documents (integrator, applicant) and a liveness probe. */
export function createPublicHandler(
  deps: { config: Pick<AppDeps['config'], 'publicUrl'> },
  runtimeMiddlewares: ApiMiddleware[] = [],
) {
  /** Serves one document, built on first use: it never changes at run time. */
  const serve = (build: (serverUrl: string) => Record<string, unknown>) => {
    let body: string | null = null;
    return async () => {
      body ??= JSON.stringify(build(deps.config.publicUrl));
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
        body,
      };
    };
  };
  const route = dispatcher({
    openapi: serve(buildOpenApiDocument),
    applicantOpenapi: serve(buildApplicantOpenApiDocument),
    health: async () => json(200, { data: { status: 'ok' } }),
  });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(runtimeMiddlewares)
    .use(accessLog())
    .use(securityHeaders())
    .use(httpErrorHandler())
    .handler(route);
}
