import type { AdminCommand, CommandContext } from './context';

async function sweep({ deps, print }: CommandContext): Promise<void> {
  const { runMaintenanceSweep } = await import('../../app/maintenance');
  const r = await runMaintenanceSweep(deps);
  print(
    r,
    () => `expired ${r.expired}, republished ${r.republished}, requeued ${r.requeuedDeliveries}, purged ${r.purged}`,
  );
}

export const maintenanceCommands: AdminCommand[] = [
  { name: 'sweep', section: 'Maintenance', note: 'expiry, outbox recovery, retention purge now', run: sweep },
];
