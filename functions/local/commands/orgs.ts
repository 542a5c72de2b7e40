import { createOrganisation } from '../../app/admin';
import { errors } from '../../domain/errors';
import { type AdminCommand, type CommandContext, table } from './context';

const PLANS = ['enterprise', 'pro', 'free'] as const;
type Plan = (typeof PLANS)[number];
const isPlan = (s: string): s is Plan => (PLANS as readonly string[]).includes(s);

async function listOrgs({ deps, print }: CommandContext): Promise<void> {
  const orgs = await deps.store.orgs.list();
  print(orgs, () => table(orgs.map((o) => ({ id: o.id, name: o.name, plan: o.plan, defaultFlowId: o.defaultFlowId }))));
}

async function createOrg({ deps, args, print }: CommandContext): Promise<void> {
  const plan = args.string('plan') ?? 'enterprise';
  if (!isPlan(plan)) throw errors.validation([{ field: '--plan', issue: 'enterprise, pro or free' }], 'Invalid plan.');
  const r = await createOrganisation(deps, { name: args.string('name') ?? 'Organisation', plan });
  print(
    { orgId: r.org.id, plan: r.org.plan, defaultFlowId: r.flow.id },
    () => `Created organisation ${r.org.id} (${r.org.plan}) with default flow ${r.flow.id}.`,
  );
}

const section = 'Organisations';

export const orgCommands: AdminCommand[] = [
  { name: 'orgs list', section, run: listOrgs },
  {
    name: 'orgs create',
    section,
    flags: { name: { type: 'string' }, plan: { type: 'string', value: PLANS.join('|') } },
    run: createOrg,
  },
];
