/** The bar creeps toward 95 % on a time curve: the server reports no stages, but the applicant sees movement. */
const PROGRESS_TIME_CONSTANT_MS = 12000;

/** Percent shown on the processing bar after `elapsedMs` of waiting: 5 at first, approaching 95, never 100. */
export function progressPercent(elapsedMs: number): number {
  return Math.round(5 + 90 * (1 - Math.exp(-Math.max(0, elapsedMs) / PROGRESS_TIME_CONSTANT_MS)));
}
