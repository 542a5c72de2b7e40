import { routes as apiRoutes } from '../../functions/http/routes';
import type { OperatorRole } from './api-types';

/**
 * The dashboard's pages and their URLs (`/dashboard/<page>`), parsed and built in one place. Which pages an
 * operator sees comes from the server's route table: a page is shown when its API route allows the role.
 */

export const BASE = '/dashboard';

export type Route =
  | { page: 'signIn' }
  | { page: 'verifications'; search: string }
  | { page: 'verification'; id: string }
  | { page: 'review' }
  | { page: 'reviewCase'; id: string }
  | { page: 'keys' }
  | { page: 'flows' }
  | { page: 'flow'; id: string }
  | { page: 'newFlow' }
  | { page: 'webhooks' }
  | { page: 'webhook'; id: string }
  | { page: 'audit' }
  | { page: 'notFound' };

export type PageName = Route['page'];

const ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The route of a location (`pathname` + `search`). Unknown paths are `notFound`, `/dashboard` is the list. */
export function parseRoute(pathname: string, search = ''): Route {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return { page: 'notFound' };
  const parts = pathname.slice(BASE.length).split('/').filter(Boolean);
  const [first, second, ...rest] = parts;
  if (rest.length > 0 || (second !== undefined && !ID.test(second))) return { page: 'notFound' };
  switch (first) {
    case undefined:
    case 'verifications':
      return second ? { page: 'verification', id: second } : { page: 'verifications', search };
    case 'sign-in':
      return second ? { page: 'notFound' } : { page: 'signIn' };
    case 'review':
      return second ? { page: 'reviewCase', id: second } : { page: 'review' };
    case 'keys':
      return second ? { page: 'notFound' } : { page: 'keys' };
    case 'flows':
      if (second === 'new') return { page: 'newFlow' };
      return second ? { page: 'flow', id: second } : { page: 'flows' };
    case 'webhooks':
      return second ? { page: 'webhook', id: second } : { page: 'webhooks' };
    case 'audit':
      return second ? { page: 'notFound' } : { page: 'audit' };
    default:
      return { page: 'notFound' };
  }
}

/** The URL of a route (the inverse of {@link parseRoute}). */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'signIn':
      return `${BASE}/sign-in`;
    case 'verifications':
      return `${BASE}/verifications${route.search}`;
    case 'verification':
      return `${BASE}/verifications/${encodeURIComponent(route.id)}`;
    case 'review':
      return `${BASE}/review`;
    case 'reviewCase':
      return `${BASE}/review/${encodeURIComponent(route.id)}`;
    case 'keys':
      return `${BASE}/keys`;
    case 'flows':
      return `${BASE}/flows`;
    case 'newFlow':
      return `${BASE}/flows/new`;
    case 'flow':
      return `${BASE}/flows/${encodeURIComponent(route.id)}`;
    case 'webhooks':
      return `${BASE}/webhooks`;
    case 'webhook':
      return `${BASE}/webhooks/${encodeURIComponent(route.id)}`;
    case 'audit':
      return `${BASE}/audit`;
    case 'notFound':
      return BASE;
  }
}

/** The API route whose roles decide who may open each page (sign-in and not-found: anyone). */
const PAGE_API_ROUTE: Partial<Record<PageName, string>> = {
  verifications: 'adminListVerifications',
  verification: 'adminGetVerification',
  review: 'adminReviewQueue',
  reviewCase: 'adminDecideReview',
  keys: 'adminListKeys',
  flows: 'adminListFlows',
  flow: 'adminGetFlow',
  newFlow: 'adminCreateFlow',
  webhooks: 'adminListWebhooks',
  webhook: 'adminListDeliveries',
  audit: 'adminListAudit',
};

/** Whether an operator with this role may open the page (the server checks again on every call). */
export function mayOpen(page: PageName, role: OperatorRole): boolean {
  const routeId = PAGE_API_ROUTE[page];
  if (!routeId) return true;
  const route = apiRoutes.find((r) => r.id === routeId) as { roles?: readonly OperatorRole[] } | undefined;
  return route?.roles?.includes(role) ?? false;
}

/** The main navigation, in order; each entry is shown only to roles that may open it. */
export const NAV_PAGES = ['verifications', 'review', 'keys', 'flows', 'webhooks', 'audit'] as const;
export type NavPage = (typeof NAV_PAGES)[number];

/** Which navigation entry a page belongs to (for `aria-current`). */
export function navOf(route: Route): NavPage | null {
  switch (route.page) {
    case 'verifications':
    case 'verification':
      return 'verifications';
    case 'review':
    case 'reviewCase':
      return 'review';
    case 'keys':
      return 'keys';
    case 'flows':
    case 'flow':
    case 'newFlow':
      return 'flows';
    case 'webhooks':
    case 'webhook':
      return 'webhooks';
    case 'audit':
      return 'audit';
    default:
      return null;
  }
}
