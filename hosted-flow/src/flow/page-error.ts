import { ApiError } from '../api';

/** The dead-end pages: expired, invalid or finished link, network trouble, anything else. */
export type PageError = 'expired' | 'invalid' | 'finished' | 'network' | 'generic';

/** Maps an API failure to the page that explains it. */
export function pageErrorOf(error: unknown): PageError {
  if (error instanceof ApiError) {
    if (error.code === 'session_expired') return 'expired';
    if (error.code === 'invalid_token' || error.status === 401 || error.status === 403) return 'invalid';
    if (error.code === 'session_finished') return 'finished';
    if (error.code === 'network_error') return 'network';
  }
  return 'generic';
}

/** Whether trying again can help (the link itself is fine). */
export function isRetryable(error: PageError): boolean {
  return error === 'network' || error === 'generic';
}
