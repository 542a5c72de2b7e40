import * as z from 'zod';
import { routes, type RouteId } from './routes';
import { createVerificationBody, createWebhookBody, simulateBody } from '../app/schemas';
import {
  createVerificationResponse,
  createWebhookResponse,
  deleteWebhookResponse,
  errorResponse,
  getVerificationResponse,
  listWebhooksResponse,
} from './schemas';

/**
 * OpenAPI 3.1 document generated from the route table and the zod schemas the handlers validate with.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what `z.toJSONSchema` emits.
 */
interface Operation {
  request?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  tag: string;
}

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: ERROR_TEXT[c] ?? 'Error', schema: errorResponse }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `details` names each field',
  401: 'Missing, unknown or revoked API key',
  403: 'Browser Origin present, feature not enabled for the plan, or test-only operation with a live key',
  404: 'Not found (or belongs to another organisation)',
  409: 'Conflict (idempotency key reuse, finished verification)',
  413: 'Body larger than 64 KB',
  415: 'Body is not application/json',
};

const OPERATIONS: Partial<Record<RouteId, Operation>> = {
  createVerification: {
    tag: 'Verifications',
    request: createVerificationBody,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Makes the POST safe to retry: the same key and body within 24 h return the first response; a different body returns 409.',
      },
    ],
    responses: {
      201: { description: 'Created', schema: createVerificationResponse },
      ...errors(400, 401, 403, 409, 413, 415),
    },
  },
  getVerification: {
    tag: 'Verifications',
    responses: {
      200: { description: 'The verification (webhook data shape)', schema: getVerificationResponse },
      ...errors(401, 403, 404),
    },
  },
  simulateVerification: {
    tag: 'Test mode',
    request: simulateBody,
    responses: {
      200: { description: 'The verification after the simulated decision', schema: getVerificationResponse },
      ...errors(400, 401, 403, 404, 409),
    },
  },
  createWebhook: {
    tag: 'Webhooks',
    request: createWebhookBody,
    responses: {
      201: { description: 'Registered', schema: createWebhookResponse },
      ...errors(400, 401, 403, 413, 415),
    },
  },
  listWebhooks: {
    tag: 'Webhooks',
    responses: {
      200: { description: 'Endpoints with delivery health', schema: listWebhooksResponse },
      ...errors(401, 403),
    },
  },
  deleteWebhook: {
    tag: 'Webhooks',
    responses: { 200: { description: 'Removed', schema: deleteWebhookResponse }, ...errors(401, 403, 404) },
  },
};

const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const op = OPERATIONS[r.id];
    if (!op) continue;
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const headerParams = (op.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    }));
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      tags: [op.tag],
      security: [{ kycKey: [] }],
      parameters: [...params, ...headerParams],
      ...(op.request
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.request) } } } }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([code, res]) => [
          code,
          {
            description: res.description,
            ...(res.schema ? { content: { 'application/json': { schema: schemaOf(res.schema) } } } : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYC Verification API',
      version: '1.0.0',
      description:
        'Server-to-server API: create verifications, poll them, and manage signed webhooks. Authenticate with a KYC key in X-Api-Key. Requests with a browser Origin are refused. Webhook deliveries carry X-Nextcap-Signature (hex HMAC-SHA256 of the raw body with the key secret) and Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature).',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { kycKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
    paths,
  };
}
