import { runMaintenanceSweep } from '../../app/maintenance';
import { logger } from '../../http/observability';
import { createAwsDeps } from '../deps';
import { withPowertools } from '../tracing';

const deps = createAwsDeps();

/** Some items of a sweep failed; the rest was done. Thrown so the Lambda's Errors metric (alarmed) counts it. */
export class SweepIncompleteError extends Error {
  override readonly name = 'SweepIncompleteError';
}

/**
 * Lambda entry: EventBridge schedule -> expiry sweep, retention purge, outbox re-drive. The sweep goes on past a
 * failing item; the failures are logged (ids and error names only) and the invocation then fails, so the errors
 * alarm fires while every other item was still handled.
 */
export const handler = withPowertools(async (): Promise<void> => {
  const report = await runMaintenanceSweep(deps);
  const { failed, ...counts } = report;
  logger.info('maintenance sweep', { ...counts, failed: failed.length });
  if (failed.length === 0) return;
  for (const f of failed) logger.error('sweep item failed', { stage: f.stage, id: f.id, error: f.error });
  throw new SweepIncompleteError(`${failed.length} sweep item(s) failed; the others were handled`);
});
