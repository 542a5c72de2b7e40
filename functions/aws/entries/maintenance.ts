import { runMaintenanceSweep } from '../../app/maintenance';
import { createAwsDeps } from '../deps';
import { withPowertools } from '../tracing';

const deps = createAwsDeps();

/** Lambda entry: EventBridge schedule -> expiry sweep, retention purge, outbox re-drive. */
export const handler = withPowertools(async (): Promise<void> => {
  await runMaintenanceSweep(deps);
});
