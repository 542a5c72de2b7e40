/**
 * The one error shape of every API response: `{"error": {"code", "message", "details": [{"field", "issue"}]}}`.
 * Use cases throw ApiError; the HTTP error middleware renders it. Anything else becomes a 500 that
 * reveals nothing.
 */
export interface ErrorDetail {
  field: string;
  issue: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): { error: { code: string; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const errors = {
  validation: (details: ErrorDetail[], message = 'The request is invalid.') =>
    new ApiError(400, 'validation_error', message, details),
  unauthorized: () => new ApiError(401, 'unauthorized', 'Missing or invalid API key.'),
  forbidden: (code: string, message: string) => new ApiError(403, code, message),
  notFound: (what: string) => new ApiError(404, 'not_found', `${what} not found.`),
  conflict: (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(409, code, message, details),
};
