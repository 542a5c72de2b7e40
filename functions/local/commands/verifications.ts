import { errors } from '../../domain/errors';
import { redactVerificationAsOperator } from '../../app/verifications';
import { toView } from '../../domain/verification';
import { type AdminCommand, type CommandContext, ORG_FLAG, table } from './context';

async function listVerifications({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const page = await deps.store.verifications.listByOrg(await orgId(), {
    limit: Number(args.string('limit') ?? 20),
    status: args.string('status'),
  });
  const rows = page.items.map((v) => toView(v));
  print(rows, () =>
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
}

/** Everything about one verification (always JSON): the view, attempts, consent, audit trail, deliveries. */
async function showVerification({ deps, args, out, orgId }: CommandContext): Promise<void> {
  const org = await orgId();
  const v = await deps.store.verifications.get(args.positionals[0] ?? '');
  if (!v || v.orgId !== org) throw errors.notFound('Verification');
  const detail = {
    ...toView(v),
    attemptsDetail: v.attempts,
    consent: v.consent
      ? { accepted: v.consent.accepted, textVersion: v.consent.textVersion, at: v.consent.at, locale: v.consent.locale }
      : null,
    purgedAt: v.purgedAt,
    audit: await deps.store.audit.listByVerification(v.id),
    deliveries: (await deps.store.deliveries.listByVerification(v.id)).map(({ body: _body, ...rest }) => rest),
  };
  out(JSON.stringify(detail, null, 2));
}

/** Erases the verification's personal data (as POST .../redact does) and prints the data shape after it. */
async function redactCommand({ deps, args, print, orgId }: CommandContext): Promise<void> {
  const view = await redactVerificationAsOperator(deps, await orgId(), args.positionals[0] ?? '');
  print(view, () => `Redacted ${view.verificationId}: personal data erased, decision kept (${view.status}).`);
}

const section = 'Verifications';

export const verificationCommands: AdminCommand[] = [
  {
    name: 'verifications list',
    section,
    flags: { status: { type: 'string', value: '<status>' }, limit: { type: 'string', value: '20' }, ...ORG_FLAG },
    run: listVerifications,
  },
  {
    name: 'verifications show',
    section,
    args: [{ name: 'verificationId' }],
    flags: ORG_FLAG,
    note: 'decision, attempts, audit trail, deliveries',
    run: showVerification,
  },
  {
    name: 'verifications redact',
    section,
    args: [{ name: 'verificationId' }],
    flags: ORG_FLAG,
    note: 'erase captures, face data, email, metadata, consent IP/UA; keep the decision',
    run: redactCommand,
  },
];
