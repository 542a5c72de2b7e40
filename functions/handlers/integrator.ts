import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AppDeps } from '../app/deps';
import { withIdempotency } from '../app/idempotency';
import { createVerification, getVerification, redactVerification, simulateVerification } from '../app/verifications';
import { deleteWebhook, listWebhooks, registerWebhook } from '../app/webhook-endpoints';
import { dispatcher } from '../http/dispatch';
import {
  accessLog,
  type ApiMiddleware,
  httpErrorHandler,
  principalOf,
  rejectBrowserOrigin,
  securityHeaders,
} from '../http/middleware';
import { header, json, readJsonBody } from '../http/responses';
import { createVerificationBody, createWebhookBody, simulateBody } from '../app/schemas';

/**
 * The integrator API (the spec's endpoints), one Lambda on AWS and the same module locally.
 * Thin adapters: event -> validated input -> use case -> `{"data": ...}`.
 */
export function createIntegratorHandler(deps: AppDeps, runtimeMiddlewares: ApiMiddleware[] = []) {
  const route = dispatcher({
    createVerification: async (event) => {
      const principal = principalOf(event);
      const body = readJsonBody(event, createVerificationBody);
      const result = await withIdempotency(
        deps,
        {
          keyId: principal.keyId,
          idempotencyKey: header(event, 'idempotency-key'),
          requestFingerprint: `POST ${event.resource}\n${JSON.stringify(body)}`,
        },
        async () => ({
          statusCode: 201,
          body: JSON.stringify({ data: await createVerification(deps, principal, body) }),
        }),
      );
      return {
        statusCode: result.statusCode,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          ...(result.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
        },
        body: result.body,
      };
    },
    getVerification: async (event) =>
      json(200, { data: await getVerification(deps, principalOf(event), event.pathParameters?.id ?? '') }),
    simulateVerification: async (event) => {
      const principal = principalOf(event);
      const body = readJsonBody(event, simulateBody);
      return json(200, { data: await simulateVerification(deps, principal, event.pathParameters?.id ?? '', body) });
    },
    redactVerification: async (event) =>
      json(200, { data: await redactVerification(deps, principalOf(event), event.pathParameters?.id ?? '') }),
    createWebhook: async (event) => {
      const principal = principalOf(event);
      const body = readJsonBody(event, createWebhookBody);
      return json(201, { data: await registerWebhook(deps, principal, body) });
    },
    listWebhooks: async (event) => json(200, { data: await listWebhooks(deps, principalOf(event)) }),
    deleteWebhook: async (event) => {
      const id = event.pathParameters?.id ?? '';
      await deleteWebhook(deps, principalOf(event), id);
      return json(200, { data: { id, deleted: true } });
    },
  });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(runtimeMiddlewares)
    .use(accessLog())
    .use(securityHeaders())
    .use(httpErrorHandler())
    .use(rejectBrowserOrigin())
    .handler(route);
}
