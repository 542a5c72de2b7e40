import { keySummary, mintKey, revokeKey } from '../../app/admin';
import { errors } from '../../domain/errors';
import { type AdminCommand, type CommandContext, ORG_FLAG, table } from './context';

async function createKey({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const mode = args.string('mode');
  if (mode !== 'test' && mode !== 'live')
    throw errors.validation([{ field: '--mode', issue: 'test or live' }], 'Pass --mode test or --mode live.');
  const k = await mintKey(deps, {
    orgId: await orgId(),
    mode,
    flowId: args.string('flow') ?? null,
    legacy: args.boolean('legacy'),
    name: args.string('name') ?? null,
  });
  print({ key: k.key, secret: k.secret, flowId: k.flowId, mode: k.mode }, () =>
    [
      `KYC key (${k.mode}), shown once: store it now.`,
      `  key:    ${k.key}`,
      `  secret: ${k.secret}   (verifies webhook signatures)`,
      `  flow:   ${k.flowId ?? '(legacy: org default, accepts flowId)'}`,
      `  id:     ${k.keyId}`,
    ].join('\n'),
  );
}

async function listKeys({ deps, print, orgId }: CommandContext): Promise<void> {
  const keys = (await deps.store.keys.listByOrg(await orgId())).map(keySummary);
  print(keys, () => table(keys));
}

async function revokeKeyCommand({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const r = await revokeKey(deps, await orgId(), args.positionals[0] ?? '');
  print({ keyId: r.keyId, revoked: true, disabledEndpoints: r.disabledEndpoints }, () =>
    [
      `Revoked ${r.keyId}.`,
      r.disabledEndpoints.length > 0
        ? `Disabled the webhook endpoints it registered (they receive nothing): ${r.disabledEndpoints.join(', ')}`
        : 'It had registered no webhook endpoints.',
    ].join('\n'),
  );
}

const section = 'Keys (key and secret are shown once)';

export const keyCommands: AdminCommand[] = [
  {
    name: 'keys create',
    section,
    flags: {
      mode: { type: 'string', value: 'test|live', required: true },
      flow: { type: 'string', value: '<flowId>' },
      legacy: { type: 'boolean' },
      name: { type: 'string', value: '<label>' },
      ...ORG_FLAG,
    },
    run: createKey,
  },
  { name: 'keys list', section, flags: ORG_FLAG, run: listKeys },
  { name: 'keys revoke', section, args: [{ name: 'keyId' }], flags: ORG_FLAG, run: revokeKeyCommand },
];
