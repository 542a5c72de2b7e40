import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { METRICS } from '../adapters/aws/table-design';
import type { ApiMiddleware } from '../http/middleware';
import { logger } from '../http/observability';

/**
 * Powertools on the AWS API Lambdas: the shared logger gets the Lambda context, and metrics (EMF) flush at
 * the end of each invocation with a ColdStart metric and per-route counts. Kept out of the handler modules
 * so the local runtime, which calls the same handlers, emits none of it. Logs carry route ids and status
 * codes only: no bodies, keys, tokens or PII.
 *
 * Tracing: the API Lambdas rely on Lambda active tracing (an X-Ray segment per invocation, set in the
 * stack); the Powertools Tracer (aws-xray-sdk-core) would add ~130 KB and ~20 ms to their cold start
 * (bench:bundles). The background Lambdas, whose time goes to AWS calls, use it (tracing.ts).
 */
export const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.serviceName });

/** Powertools middlewares for a middy handler (API Gateway entries). */
export function powertools(): ApiMiddleware[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>,
    logMetrics(metrics, { captureColdStartMetric: true }) as MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>,
    apiMetrics(),
  ];
}

/** One `ApiRequest` count per route and status class, plus `ApiLatency`, for dashboards and alarms. */
function apiMetrics(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const started = new WeakMap<object, number>();
  const record = async (request: {
    event: APIGatewayProxyEvent;
    response: APIGatewayProxyResult | null | undefined;
  }) => {
    const single = metrics.singleMetric();
    single.addDimension('route', `${request.event.httpMethod} ${request.event.resource}`);
    single.addDimension('status', `${Math.floor((request.response?.statusCode ?? 500) / 100)}xx`);
    single.addMetric('ApiRequest', MetricUnit.Count, 1);
    const t0 = started.get(request.event);
    if (t0 !== undefined) single.addMetric('ApiLatency', MetricUnit.Milliseconds, Date.now() - t0);
    single.publishStoredMetrics();
  };
  return { before: async (request) => void started.set(request.event, Date.now()), after: record, onError: record };
}
