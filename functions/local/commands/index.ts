import type { AdminCommand } from './context';
import { deliveryCommands } from './deliveries';
import { flowCommands } from './flows';
import { keyCommands } from './keys';
import { maintenanceCommands } from './maintenance';
import { operatorCommands } from './operators';
import { orgCommands } from './orgs';
import { verificationCommands } from './verifications';

export type { AdminCommand, CommandContext } from './context';

/**
 * The admin CLI's command table, in help order. A new command is one entry in its group's list (plus its
 * function); parsing, `--help` and the usage text come from the entry.
 */
export const adminCommands: readonly AdminCommand[] = [
  ...orgCommands,
  ...flowCommands,
  ...keyCommands,
  ...verificationCommands,
  ...deliveryCommands,
  ...operatorCommands,
  ...maintenanceCommands,
];
