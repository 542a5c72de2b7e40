import { DECISIONS, MODES } from '../../functions/domain/model';
import type { VerificationStatus } from './api-types';

/**
 * Filters of the verifications list, kept in the page URL (shareable, back button works) and turned into
 * the admin API's query. Dates are whole days in the operator's time zone: "to" includes that day.
 */

export const STATUSES: readonly VerificationStatus[] = [
  'pending',
  'in_progress',
  'review',
  'approved',
  'declined',
  'expired',
];
export { DECISIONS, MODES };

export interface VerificationFilters {
  status: VerificationStatus | '';
  decision: (typeof DECISIONS)[number] | '';
  mode: (typeof MODES)[number] | '';
  flowId: string;
  email: string;
  /** `YYYY-MM-DD` (an <input type=date> value) or ''. */
  createdFrom: string;
  createdTo: string;
}

export const NO_FILTERS: VerificationFilters = {
  status: '',
  decision: '',
  mode: '',
  flowId: '',
  email: '',
  createdFrom: '',
  createdTo: '',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | '' {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : '';
}

/** Filters from the page URL's search string; anything unknown or malformed is dropped. */
export function filtersFromSearch(search: string): VerificationFilters {
  const params = new URLSearchParams(search);
  const day = (name: string) => {
    const value = params.get(name) ?? '';
    return DAY.test(value) ? value : '';
  };
  return {
    status: oneOf(params.get('status'), STATUSES),
    decision: oneOf(params.get('decision'), DECISIONS),
    mode: oneOf(params.get('mode'), MODES),
    flowId: (params.get('flowId') ?? '').trim().slice(0, 64),
    email: (params.get('email') ?? '').trim().slice(0, 254),
    createdFrom: day('from'),
    createdTo: day('to'),
  };
}

/** The page URL's search string for these filters (empty values left out). */
export function searchOfFilters(filters: VerificationFilters): string {
  const params = new URLSearchParams();
  const entries: Array<[string, string]> = [
    ['status', filters.status],
    ['decision', filters.decision],
    ['mode', filters.mode],
    ['flowId', filters.flowId.trim()],
    ['email', filters.email.trim()],
    ['from', filters.createdFrom],
    ['to', filters.createdTo],
  ];
  for (const [name, value] of entries) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Midnight at the start of a local calendar day, as an ISO instant. */
function startOfLocalDay(day: string, plusDays = 0): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date + plusDays).toISOString();
}

/** Whether the range is backwards ("from" after "to"): the form says so instead of querying. */
export function rangeIsBackwards(filters: VerificationFilters): boolean {
  return Boolean(filters.createdFrom && filters.createdTo && filters.createdFrom > filters.createdTo);
}

/** The admin API query (`GET /verifications`): createdFrom inclusive, createdTo exclusive (next midnight). */
export function apiQueryOfFilters(
  filters: VerificationFilters,
  cursor: string | null,
  limit = 25,
): Record<string, string | number | undefined> {
  return {
    status: filters.status || undefined,
    decision: filters.decision || undefined,
    mode: filters.mode || undefined,
    flowId: filters.flowId.trim() || undefined,
    email: filters.email.trim() || undefined,
    createdFrom: filters.createdFrom ? startOfLocalDay(filters.createdFrom) : undefined,
    createdTo: filters.createdTo ? startOfLocalDay(filters.createdTo, 1) : undefined,
    limit,
    cursor: cursor ?? undefined,
  };
}
