import { z } from 'zod';
import { errors } from '../../domain/errors';
import { OPERATOR_ROLES, type OperatorRole } from '../../domain/operators';
import type { OperatorAccount } from '../../ports/operator-accounts';
import { type AdminCommand, type CommandContext, defaultOrgId, ORG_FLAG, table } from './context';

const isRole = (s: string): s is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(s);
const emailSchema = z.email().max(254);

/** What the CLI shows of an operator (the port's account: never a password or its hash). */
function operatorRow(op: OperatorAccount) {
  return {
    email: op.email,
    role: op.role,
    orgId: op.orgId,
    createdAt: op.createdAt,
    lastSignInAt: op.lastSignInAt,
    disabledAt: op.disabledAt,
  };
}

/** The operator email argument or flag, checked as an email address. */
function emailArg(value: string | undefined, field: string): string {
  if (!value || !emailSchema.safeParse(value.trim()).success)
    throw errors.validation([{ field, issue: 'a valid email address' }], 'Pass the operator email address.');
  return value.trim();
}

async function createOperatorCommand({ deps, args, print, operators }: CommandContext): Promise<void> {
  const email = emailArg(args.string('email'), '--email');
  const role = args.string('role') ?? '';
  if (!isRole(role))
    throw errors.validation([{ field: '--role', issue: OPERATOR_ROLES.join(' or ') }], 'Pass --role admin|reviewer.');
  const orgId = await defaultOrgId(deps, args.string('org'));
  const { account: operator, password } = await operators().create({ orgId, email, role });
  print({ email: operator.email, role: operator.role, password }, () =>
    [
      `Operator ${operator.email} (${operator.role}) of ${operator.orgId} created.`,
      `  password (shown once, store it now): ${password}`,
    ].join('\n'),
  );
}

async function listOperators({ args, print, operators }: CommandContext): Promise<void> {
  const rows = (await operators().list(args.string('org'))).map(operatorRow);
  print(rows, () => table(rows));
}

async function disableOperatorCommand({ args, print, operators }: CommandContext): Promise<void> {
  const op = await operators().disable(emailArg(args.positionals[0], '<email>'));
  print(operatorRow(op), () => `Disabled ${op.email}; its sessions are signed out.`);
}

async function resetPasswordCommand({ args, print, operators }: CommandContext): Promise<void> {
  const { account: operator, password } = await operators().resetPassword(emailArg(args.positionals[0], '<email>'));
  print({ email: operator.email, role: operator.role, password }, () =>
    [
      `New password for ${operator.email}; its sessions are signed out.`,
      `  password (shown once, store it now): ${password}`,
    ].join('\n'),
  );
}

const section = 'Dashboard operators (passwords are shown once)';

export const operatorCommands: AdminCommand[] = [
  {
    name: 'operators create',
    section,
    flags: {
      email: { type: 'string', value: '<email>', required: true },
      role: { type: 'string', value: OPERATOR_ROLES.join('|'), required: true },
      ...ORG_FLAG,
    },
    run: createOperatorCommand,
  },
  { name: 'operators list', section, flags: ORG_FLAG, note: 'every organisation without --org', run: listOperators },
  {
    name: 'operators disable',
    section,
    args: [{ name: 'email' }],
    note: 'signs out its sessions',
    run: disableOperatorCommand,
  },
  {
    name: 'operators reset-password',
    section,
    args: [{ name: 'email' }],
    note: 'prints a new password once; signs out its sessions',
    run: resetPasswordCommand,
  },
];
