import { runMaintenanceSweep } from '../../app/maintenance';
import { createAwsDeps } from '../deps';

const deps = createAwsDeps();

/** Lambda entry: EventBridge schedule -> expiry sweep, retention purge, outbox re-drive. */
export const handler = async (): Promise<void> => {
  await runMaintenanceSweep(deps);
};
