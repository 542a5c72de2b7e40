import { redeliver } from '../../app/webhooks/deliver';
import { errors } from '../../domain/errors';
import { type AdminCommand, type CommandContext, ORG_FLAG, table } from './context';

async function listDeliveries({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const org = await orgId();
  const verificationId = args.string('verification');
  const all = verificationId
    ? await deps.store.deliveries.listByVerification(verificationId)
    : (
        await Promise.all(
          (
            await deps.store.webhooks.listActive(org)
          ).map(async (e) => (await deps.store.deliveries.listByEndpoint(e.id, { limit: 100 })).items),
        )
      ).flat();
  const failedOnly = args.boolean('failed');
  const rows = all
    .filter((x) => x.orgId === org && (!failedOnly || x.status === 'failed'))
    .map((x) => ({
      id: x.id,
      event: x.event,
      verificationId: x.verificationId,
      endpointId: x.endpointId,
      status: x.status,
      attempts: x.attempts.length,
      lastStatusCode: x.attempts.at(-1)?.statusCode ?? null,
    }));
  print(rows, () => table(rows));
}

/** Webhook endpoints of the organisation (both modes), with whether they still receive deliveries and why not. */
async function listEndpoints({ deps, print, orgId }: CommandContext): Promise<void> {
  const rows = (await deps.store.webhooks.listActive(await orgId())).map((e) => ({
    id: e.id,
    mode: e.mode,
    url: e.url,
    keyId: e.keyId,
    status: e.disabledAt ? 'disabled' : 'active',
    disabledReason: e.disabledAt ? (e.disabledReason ?? 'key_revoked') : null,
    events: e.events,
  }));
  print(rows, () => table(rows));
}

/** Queues the delivery again with the same id and body; the server's worker sends it. */
async function redeliverCommand({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const org = await orgId();
  const existing = await deps.store.deliveries.get(args.positionals[0] ?? '');
  if (!existing || existing.orgId !== org) throw errors.notFound('Delivery');
  const r = await redeliver(deps, existing.id);
  print({ deliveryId: r?.id, status: r?.status }, () => `Queued ${existing.id} for redelivery (same id and body).`);
}

const section = 'Webhook deliveries';

export const deliveryCommands: AdminCommand[] = [
  { name: 'webhooks list', section, flags: ORG_FLAG, run: listEndpoints },
  {
    name: 'deliveries list',
    section,
    flags: { verification: { type: 'string', value: '<id>' }, failed: { type: 'boolean' }, ...ORG_FLAG },
    run: listDeliveries,
  },
  { name: 'deliveries redeliver', section, args: [{ name: 'deliveryId' }], flags: ORG_FLAG, run: redeliverCommand },
];
