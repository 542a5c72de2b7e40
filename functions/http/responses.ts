import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';
import { errors, type ApiError, type ErrorDetail } from '../domain/errors';
import { httpStatusOf } from './errors';

/** Security headers on every API response (the hosted page sets its own, stricter ones). */
export const API_SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: {}, body: '' };
}

export function errorResult(err: ApiError): APIGatewayProxyResult {
  return json(httpStatusOf(err), err.toBody(), err.headers);
}

/** Case-insensitive header lookup (API Gateway preserves the client's casing). */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted && v !== undefined) return v;
  return undefined;
}

/** zod issues -> error details naming the field (dotted path; "body" for the whole body). */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      return {
        field: [path, ...i.keys].filter(Boolean).join('.') || 'body',
        issue: `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}`,
      };
    }
    return { field: path || 'body', issue: i.message };
  });
}

export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Reads and validates a JSON body. Order of checks: size (413), media type (415), syntax (400
 * invalid_json), schema (400 validation_error naming each field). An empty body counts as `{}`.
 */
export function readJsonBody<S extends z.ZodType>(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  schema: S,
): z.infer<S> {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw) > JSON_BODY_LIMIT_BYTES) {
    throw errors.tooLarge('payload_too_large', `The request body exceeds ${JSON_BODY_LIMIT_BYTES / 1024} KB.`);
  }
  const contentType = header(event, 'content-type');
  if (raw.length > 0 && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType ?? '')) {
    throw errors.unsupportedMediaType('Send the body as application/json.', [
      { field: 'Content-Type', issue: 'must be application/json' },
    ]);
  }
  let parsed: unknown = {};
  if (raw.trim().length > 0) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw errors.invalidRequest('invalid_json', 'The request body is not valid JSON.', [
        { field: 'body', issue: 'malformed JSON' },
      ]);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw errors.validation([{ field: 'body', issue: 'must be a JSON object' }]);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw errors.validation(zodDetails(result.error));
  return result.data;
}
