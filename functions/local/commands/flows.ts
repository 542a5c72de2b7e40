import { createFlow, requireOrg, setDefaultFlow, updateFlow } from '../../app/admin';
import type { ParsedArgs } from '../../cli/args';
import { errors } from '../../domain/errors';
import { type FlowSettings, flowSettingsSchema } from '../../domain/flows';
import { zodDetails } from '../../http/responses';
import { type AdminCommand, type CommandContext, list, ORG_FLAG, table } from './context';

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
/** `on`/`off` as a boolean; anything else passes through so the flow schema names the field. */
const onOff = (s: string | undefined) => (s === 'on' ? true : s === 'off' ? false : s);

/** The flow settings flags of `flows create` and `flows update`; only the given ones are set. */
const FLOW_SETTINGS_FLAGS = {
  name: { type: 'string', value: '<name>' },
  checks: { type: 'string', value: 'document,liveness,faceMatch' },
  'document-types': { type: 'string', value: 'passport,id_card' },
  countries: { type: 'string', value: 'FRA,D' },
  'min-age': { type: 'string', value: '18|none' },
  'max-attempts': { type: 'string', value: '3' },
  'link-lifetime': { type: 'string', value: '<seconds>' },
  'retention-days': { type: 'string', value: '30' },
  'liveness-prompts': { type: 'string', value: '3' },
  'face-distance': { type: 'string', value: '0.6' },
  'face-liveness': {
    type: 'string',
    value: 'on|off',
    note: 'AWS runtime only: Rekognition Face Liveness instead of head turns',
  },
  'set-default': { type: 'boolean' },
  ...ORG_FLAG,
} as const;

/** Flow settings from the command line, validated by the same schema as the API. */
function flowSettingsFrom(args: ParsedArgs): FlowSettings {
  const faceDistance = args.string('face-distance');
  const minAge = args.string('min-age');
  const raw: Record<string, unknown> = {
    name: args.string('name'),
    checks: list(args.string('checks')),
    documentTypes: list(args.string('document-types')),
    issuingCountries: list(args.string('countries'))?.map((c) => c.toUpperCase()),
    minimumAge: minAge === 'none' ? null : num(minAge),
    maxAttempts: num(args.string('max-attempts')),
    linkLifetimeSeconds: num(args.string('link-lifetime')),
    retentionDays: num(args.string('retention-days')),
    livenessPrompts: num(args.string('liveness-prompts')),
    useFaceLivenessSession: onOff(args.string('face-liveness')),
    thresholds: faceDistance ? { faceMatchMaxDistance: num(faceDistance) } : undefined,
  };
  const parsed = flowSettingsSchema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) throw errors.validation(zodDetails(parsed.error), 'Invalid flow settings.');
  return parsed.data;
}

async function listFlows({ deps, print, orgId }: CommandContext): Promise<void> {
  const org = await requireOrg(deps, await orgId());
  const flows = await deps.store.flows.listByOrg(org.id);
  print(flows, () =>
    table(
      flows.map((f) => ({
        id: f.id,
        name: f.name,
        checks: f.checks,
        maxAttempts: f.maxAttempts,
        default: f.id === org.defaultFlowId ? 'yes' : '',
      })),
    ),
  );
}

async function showFlow({ deps, args, out, orgId }: CommandContext): Promise<void> {
  const flow = await deps.store.flows.get(await orgId(), args.positionals[0] ?? '');
  if (!flow) throw errors.notFound('Flow');
  out(JSON.stringify(flow, null, 2));
}

async function createFlowCommand({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const org = await orgId();
  const flow = await createFlow(deps, org, flowSettingsFrom(args));
  if (args.boolean('set-default')) await setDefaultFlow(deps, org, flow.id);
  print(flow, () => `Created flow ${flow.id} (${flow.checks.join(', ')}).`);
}

async function updateFlowCommand({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const org = await orgId();
  const flow = await updateFlow(deps, org, args.positionals[0] ?? '', flowSettingsFrom(args));
  if (args.boolean('set-default')) await setDefaultFlow(deps, org, flow.id);
  print(flow, () => `Updated flow ${flow.id} (${flow.checks.join(', ')}).`);
}

const section = 'Flows (--org defaults to the only organisation)';
const flowId = [{ name: 'flowId' }];

export const flowCommands: AdminCommand[] = [
  { name: 'flows list', section, flags: ORG_FLAG, run: listFlows },
  { name: 'flows show', section, args: flowId, flags: ORG_FLAG, run: showFlow },
  { name: 'flows create', section, flags: FLOW_SETTINGS_FLAGS, run: createFlowCommand },
  { name: 'flows update', section, args: flowId, flags: FLOW_SETTINGS_FLAGS, run: updateFlowCommand },
];
