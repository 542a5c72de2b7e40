import { parseArgs } from 'node:util';
import {
  createFlow,
  createOrganisation,
  keySummary,
  mintKey,
  requireOrg,
  revokeKey,
  setDefaultFlow,
  updateFlow,
} from '../app/admin';
import type { AppDeps } from '../app/deps';
import { redeliver } from '../app/webhooks/deliver';
import { ApiError } from '../domain/errors';
import { flowSettingsSchema, type FlowSettings } from '../domain/flows';
import { toView } from '../domain/verification';
import { zodDetails } from '../http/responses';
import { loadLocalConfig } from './config';
import { createLocalRuntime } from './deps';

/**
 * The admin CLI (`npm run kyc -- <cmd>`, package bin `kyc`). Works on the same data directory as a
 * running server (SQLite WAL); jobs it queues (redelivery) are picked up by the server's worker.
 * Every command takes --json for scripts.
 */
const HELP = `Usage: kyc <command> [options] [--json]

Organisations
  orgs list
  orgs create --name <name> [--plan enterprise|pro|free]
Flows (--org defaults to the only organisation)
  flows list
  flows show <flowId>
  flows create [--name n] [--checks document,liveness,faceMatch] [--document-types passport,id_card]
               [--countries FRA,D] [--min-age 18] [--max-attempts 3] [--link-lifetime 3600]
               [--retention-days 30] [--liveness-prompts 3] [--face-distance 0.6] [--set-default]
               [--face-liveness on|off]   (AWS runtime only: Rekognition Face Liveness instead of head turns)
  flows update <flowId> [same options as create]
Keys (key and secret are shown once)
  keys create --mode test|live [--flow <flowId>] [--legacy] [--name <label>]
  keys list
  keys revoke <keyId>
Verifications
  verifications list [--status <status>] [--limit 20]
  verifications show <verificationId>     (decision, attempts, audit trail, deliveries)
Webhook deliveries
  deliveries list [--verification <id>] [--failed]
  deliveries redeliver <deliveryId>
Checks (offline models; same code path as the pipeline)
  check document <image> [<back image>]
  check face-match <image> <image>
  check liveness --prompts left,right,centre <frame> <frame> <frame> [--selfie <image>]
Maintenance
  sweep                                   (expiry, outbox recovery, retention purge now)

Environment: KYC_DATA_DIR (default ./.kyc-data), KYC_RUNTIME=aws (+ the stack's table/bucket/key env) to
manage a deployed stack.`;

type Out = (s: string) => void;

async function deps(): Promise<{ deps: AppDeps; close(): Promise<void> }> {
  if (process.env.KYC_RUNTIME === 'aws') {
    const { createAwsDeps } = await import('../aws/deps');
    return { deps: createAwsDeps(), close: async () => undefined };
  }
  const rt = createLocalRuntime(loadLocalConfig());
  return { deps: rt.deps, close: rt.close };
}

async function defaultOrgId(d: AppDeps, explicit: string | undefined): Promise<string> {
  if (explicit) return (await requireOrg(d, explicit)).id;
  const orgs = await d.store.orgs.list();
  if (orgs.length === 1) return orgs[0]!.id;
  throw new ApiError(
    400,
    'validation_error',
    orgs.length
      ? 'Several organisations exist; pass --org <orgId>.'
      : 'No organisation yet; run `npm start` once or `kyc orgs create`.',
    [{ field: '--org', issue: 'required' }],
  );
}

const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
/** `on`/`off` as a boolean; anything else passes through so the flow schema names the field. */
const onOff = (s: string | undefined) => (s === 'on' ? true : s === 'off' ? false : s);

function flowSettingsFrom(values: Record<string, string | boolean | undefined>): FlowSettings {
  const raw: Record<string, unknown> = {
    name: values.name,
    checks: list(values.checks as string | undefined),
    documentTypes: list(values['document-types'] as string | undefined),
    issuingCountries: list(values.countries as string | undefined)?.map((c) => c.toUpperCase()),
    minimumAge: values['min-age'] === 'none' ? null : num(values['min-age'] as string | undefined),
    maxAttempts: num(values['max-attempts'] as string | undefined),
    linkLifetimeSeconds: num(values['link-lifetime'] as string | undefined),
    retentionDays: num(values['retention-days'] as string | undefined),
    livenessPrompts: num(values['liveness-prompts'] as string | undefined),
    useFaceLivenessSession: onOff(values['face-liveness'] as string | undefined),
    thresholds: values['face-distance'] ? { faceMatchMaxDistance: num(values['face-distance'] as string) } : undefined,
  };
  const parsed = flowSettingsSchema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) throw new ApiError(400, 'validation_error', 'Invalid flow settings.', zodDetails(parsed.error));
  return parsed.data;
}

function print(out: Out, json: boolean, value: unknown, human: () => string): void {
  out(json ? JSON.stringify(value, null, 2) : human());
}

function table(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '(none)';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') || '-' : String(v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

export async function runCli(argv: string[], out: Out = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    out(HELP);
    return group ? 0 : 1;
  }
  if (group === 'check') {
    const { runCheckCommand } = await import('../checks/cli');
    return runCheckCommand(argv.slice(1), out);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      org: { type: 'string' },
      name: { type: 'string' },
      plan: { type: 'string' },
      mode: { type: 'string' },
      flow: { type: 'string' },
      legacy: { type: 'boolean', default: false },
      status: { type: 'string' },
      limit: { type: 'string' },
      verification: { type: 'string' },
      failed: { type: 'boolean', default: false },
      checks: { type: 'string' },
      'document-types': { type: 'string' },
      countries: { type: 'string' },
      'min-age': { type: 'string' },
      'max-attempts': { type: 'string' },
      'link-lifetime': { type: 'string' },
      'retention-days': { type: 'string' },
      'liveness-prompts': { type: 'string' },
      'face-distance': { type: 'string' },
      'face-liveness': { type: 'string' },
      'set-default': { type: 'boolean', default: false },
    },
  });
  const json = values.json === true;
  const { deps: d, close } = await deps();
  try {
    const cmd = `${group} ${action ?? ''}`.trim();
    switch (cmd) {
      case 'orgs list': {
        const orgs = await d.store.orgs.list();
        print(out, json, orgs, () =>
          table(orgs.map((o) => ({ id: o.id, name: o.name, plan: o.plan, defaultFlowId: o.defaultFlowId }))),
        );
        return 0;
      }
      case 'orgs create': {
        const plan = (values.plan ?? 'enterprise') as 'enterprise' | 'pro' | 'free';
        if (!['enterprise', 'pro', 'free'].includes(plan))
          throw new ApiError(400, 'validation_error', 'Invalid plan.', [
            { field: '--plan', issue: 'enterprise, pro or free' },
          ]);
        const r = await createOrganisation(d, { name: values.name ?? 'Organisation', plan });
        print(
          out,
          json,
          { orgId: r.org.id, plan: r.org.plan, defaultFlowId: r.flow.id },
          () => `Created organisation ${r.org.id} (${r.org.plan}) with default flow ${r.flow.id}.`,
        );
        return 0;
      }
      case 'flows list': {
        const orgId = await defaultOrgId(d, values.org);
        const org = await requireOrg(d, orgId);
        const flows = await d.store.flows.listByOrg(orgId);
        print(out, json, flows, () =>
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
        return 0;
      }
      case 'flows show': {
        const orgId = await defaultOrgId(d, values.org);
        const flow = await d.store.flows.get(orgId, positionals[0] ?? '');
        if (!flow) throw new ApiError(404, 'not_found', 'Flow not found.');
        out(JSON.stringify(flow, null, 2));
        return 0;
      }
      case 'flows create':
      case 'flows update': {
        const orgId = await defaultOrgId(d, values.org);
        const settings = flowSettingsFrom(values);
        const flow =
          action === 'create'
            ? await createFlow(d, orgId, settings)
            : await updateFlow(d, orgId, positionals[0] ?? '', settings);
        if (values['set-default']) await setDefaultFlow(d, orgId, flow.id);
        print(
          out,
          json,
          flow,
          () => `${action === 'create' ? 'Created' : 'Updated'} flow ${flow.id} (${flow.checks.join(', ')}).`,
        );
        return 0;
      }
      case 'keys create': {
        const mode = values.mode;
        if (mode !== 'test' && mode !== 'live')
          throw new ApiError(400, 'validation_error', 'Pass --mode test or --mode live.', [
            { field: '--mode', issue: 'test or live' },
          ]);
        const orgId = await defaultOrgId(d, values.org);
        const k = await mintKey(d, {
          orgId,
          mode,
          flowId: values.flow ?? null,
          legacy: values.legacy === true,
          name: values.name ?? null,
        });
        print(out, json, { key: k.key, secret: k.secret, flowId: k.flowId, mode: k.mode }, () =>
          [
            `KYC key (${k.mode}), shown once: store it now.`,
            `  key:    ${k.key}`,
            `  secret: ${k.secret}   (verifies webhook signatures)`,
            `  flow:   ${k.flowId ?? '(legacy: org default, accepts flowId)'}`,
            `  id:     ${k.keyId}`,
          ].join('\n'),
        );
        return 0;
      }
      case 'keys list': {
        const orgId = await defaultOrgId(d, values.org);
        const keys = (await d.store.keys.listByOrg(orgId)).map(keySummary);
        print(out, json, keys, () => table(keys));
        return 0;
      }
      case 'keys revoke': {
        const orgId = await defaultOrgId(d, values.org);
        await revokeKey(d, orgId, positionals[0] ?? '');
        print(out, json, { keyId: positionals[0], revoked: true }, () => `Revoked ${positionals[0]}.`);
        return 0;
      }
      case 'verifications list': {
        const orgId = await defaultOrgId(d, values.org);
        const page = await d.store.verifications.listByOrg(orgId, {
          limit: Number(values.limit ?? 20),
          status: values.status,
        });
        const rows = page.items.map((v) => toView(v));
        print(out, json, rows, () =>
          table(
            rows.map((v) => ({
              id: v.verificationId,
              status: v.status,
              decision: v.decision,
              declineType: v.declineType,
              reasonCodes: v.reasonCodes,
              riskFlags: v.riskFlags,
              mode: v.mode,
              createdAt: v.createdAt,
            })),
          ),
        );
        return 0;
      }
      case 'verifications show': {
        const orgId = await defaultOrgId(d, values.org);
        const v = await d.store.verifications.get(positionals[0] ?? '');
        if (!v || v.orgId !== orgId) throw new ApiError(404, 'not_found', 'Verification not found.');
        const detail = {
          ...toView(v),
          attemptsDetail: v.attempts,
          consent: v.consent
            ? {
                accepted: v.consent.accepted,
                textVersion: v.consent.textVersion,
                at: v.consent.at,
                locale: v.consent.locale,
              }
            : null,
          purgedAt: v.purgedAt,
          audit: await d.store.audit.listByVerification(v.id),
          deliveries: (await d.store.deliveries.listByVerification(v.id)).map(({ body: _body, ...rest }) => rest),
        };
        out(JSON.stringify(detail, null, 2));
        return 0;
      }
      case 'deliveries list': {
        const orgId = await defaultOrgId(d, values.org);
        let ds = values.verification
          ? await d.store.deliveries.listByVerification(values.verification)
          : (
              await Promise.all(
                (await d.store.webhooks.listActive(orgId)).map((e) => d.store.deliveries.listByEndpoint(e.id, 100)),
              )
            ).flat();
        ds = ds.filter((x) => x.orgId === orgId && (!values.failed || x.status === 'failed'));
        const rows = ds.map((x) => ({
          id: x.id,
          event: x.event,
          verificationId: x.verificationId,
          endpointId: x.endpointId,
          status: x.status,
          attempts: x.attempts.length,
          lastStatusCode: x.attempts.at(-1)?.statusCode ?? null,
        }));
        print(out, json, rows, () => table(rows));
        return 0;
      }
      case 'deliveries redeliver': {
        const orgId = await defaultOrgId(d, values.org);
        const existing = await d.store.deliveries.get(positionals[0] ?? '');
        if (!existing || existing.orgId !== orgId) throw new ApiError(404, 'not_found', 'Delivery not found.');
        const r = await redeliver(d, existing.id);
        print(
          out,
          json,
          { deliveryId: r?.id, status: r?.status },
          () => `Queued ${existing.id} for redelivery (same id and body).`,
        );
        return 0;
      }
      case 'sweep': {
        const { runMaintenanceSweep } = await import('../app/maintenance');
        const r = await runMaintenanceSweep(d);
        print(
          out,
          json,
          r,
          () =>
            `expired ${r.expired}, republished ${r.republished}, requeued ${r.requeuedDeliveries}, purged ${r.purged}`,
        );
        return 0;
      }
      default:
        out(`Unknown command: ${cmd}\n\n${HELP}`);
        return 1;
    }
  } catch (err) {
    if (err instanceof ApiError) {
      print(
        out,
        json,
        err.toBody(),
        () =>
          `Error: ${err.message}${err.details.length ? `\n${err.details.map((x) => `  ${x.field}: ${x.issue}`).join('\n')}` : ''}`,
      );
      return 2;
    }
    throw err;
  } finally {
    await close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
