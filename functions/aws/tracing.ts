import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRICS } from '../adapters/aws/table-design';
import { logger } from '../http/observability';
import { metrics } from './observability';

/** X-Ray through Powertools for the background Lambdas (pipeline task, webhook dispatcher, sweeper). */
export const tracer = new Tracer({ serviceName: METRICS.serviceName, captureHTTPsRequests: false });

/**
 * Wraps a background handler with the Powertools tracer (a subsegment per invocation, errors recorded,
 * responses not captured: they may hold ids only, but we keep traces minimal), the logger's Lambda context
 * and metrics flushing (with ColdStart).
 */
export function withPowertools<E, R>(handler: (event: E, context: Context) => Promise<R>) {
  return middy(handler)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

/** Instruments an AWS SDK v3 client so each call is a subsegment (Rekognition, Textract latencies). */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
