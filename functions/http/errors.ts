import type { ApiError, ErrorKind } from '../domain/errors';

/** The HTTP status of each error kind (the domain names what went wrong; HTTP decides how it is said). */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
};

/** The HTTP status an ApiError is answered with. */
export function httpStatusOf(err: ApiError): number {
  return HTTP_STATUS_OF_KIND[err.kind];
}

/** The one message of every 500: nothing about the cause reaches the caller (it is logged instead). */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Retry later.';

/** The body of every 500: a fixed message, the cause goes to the log only. */
export function internalErrorBody(): { error: { code: string; message: string; details: [] } } {
  return { error: { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE, details: [] } };
}

/**
 * What may be logged about an unexpected error: its name, message and stack. Callers log ids and codes
 * beside it, never request bodies, tokens or PII.
 */
export function describeError(err: unknown): Record<string, unknown> | string {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err);
}
