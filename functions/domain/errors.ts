/**
 * The one error shape of every API response: `{"error": {"code", "message", "details": [{"field", "issue"}]}}`.
 * Use cases throw ApiError through the `errors` factories; each error has a KIND (what went wrong, in
 * domain terms), which functions/http/errors.ts maps to an HTTP status. Anything else becomes a 500 that
 * reveals nothing.
 */
export interface ErrorDetail {
  field: string;
  issue: string;
}

/** What went wrong; the HTTP layer gives each kind its status code. */
export const ERROR_KINDS = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'too_large',
  'unsupported_media_type',
  'unprocessable',
  'rate_limited',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Response headers the caller needs to act on the error (Retry-After, WWW-Authenticate, Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): { error: { code: string; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** The error factories: every ApiError is made here, so each kind and each fixed message has one wording. */
export const errors = {
  /** A field (or header) failed validation. */
  validation: (details: ErrorDetail[], message = 'The request is invalid.') =>
    new ApiError('invalid', 'validation_error', message, details),
  /** The request as a whole cannot be read (e.g. a body that is not JSON). */
  invalidRequest: (code: string, message: string, details: ErrorDetail[] = []) =>
    new ApiError('invalid', code, message, details),
  /** No usable KYC key. */
  unauthorized: () => new ApiError('unauthenticated', 'unauthorized', 'Missing or invalid API key.'),
  /** A bearer credential (client token) that does not open anything; `challenge` is its WWW-Authenticate. */
  unauthenticated: (code: string, message: string, challenge: string) =>
    new ApiError('unauthenticated', code, message, [], { 'WWW-Authenticate': challenge }),
  /** A dashboard request without a valid operator session or token. */
  signInRequired: () => new ApiError('unauthenticated', 'unauthorized', 'Sign in first.'),
  /** Operator sign-in with a wrong email or password (one wording for both: no account enumeration). */
  invalidCredentials: () => new ApiError('unauthenticated', 'invalid_credentials', 'Email or password is incorrect.'),
  forbidden: (code: string, message: string, details: ErrorDetail[] = []) =>
    new ApiError('forbidden', code, message, details),
  notFound: (what: string) => new ApiError('not_found', 'not_found', `${what} not found.`),
  routeNotFound: (message = 'No such endpoint.') => new ApiError('not_found', 'route_not_found', message),
  methodNotAllowed: (allowed: readonly string[]) =>
    new ApiError('method_not_allowed', 'method_not_allowed', `Use ${allowed.join(', ')} on this path.`, [], {
      Allow: allowed.join(', '),
    }),
  conflict: (code: string, message: string, details: ErrorDetail[] = [], headers: Record<string, string> = {}) =>
    new ApiError('conflict', code, message, details, headers),
  tooLarge: (code: string, message: string) => new ApiError('too_large', code, message),
  unsupportedMediaType: (message: string, details: ErrorDetail[] = []) =>
    new ApiError('unsupported_media_type', 'unsupported_media_type', message, details),
  /** Well-formed, but the content cannot be processed (an expired slot, unreadable image bytes). */
  unprocessable: (code: string, message: string) => new ApiError('unprocessable', code, message),
  rateLimited: (code: string, message: string, headers: Record<string, string> = {}) =>
    new ApiError('rate_limited', code, message, [], headers),
};
