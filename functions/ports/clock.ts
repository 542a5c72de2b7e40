/** Clock port, so lifecycle rules (expiry, retention, idempotency windows) are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
