import { userInfo } from 'node:os';
import { decideReview } from '../../app/review';
import { errors } from '../../domain/errors';
import { reviewDecisionBody } from '../../http/admin-schemas';
import { zodDetails } from '../../http/responses';
import { redactVerificationAsOperator } from '../../app/verifications';
import { toView } from '../../domain/verification';
import { type AdminCommand, type CommandContext, defaultOrgId, ORG_FLAG, table } from './context';

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

/** The CLI's names for the decision body's fields, so errors name what the user typed. */
const DECIDE_FLAG_OF: Record<string, string> = {
  decision: '--decision',
  declineType: '--decline-type',
  reasonCodes: '--reason',
  note: '--note',
};

/**
 * The human decision on a `review` case, as the dashboard's review form makes it (same validation, same use
 * case): final, once; the audit trail names `cli:<os user>`. Without --org it decides in any organisation.
 */
async function decideCommand({ deps, args, print }: CommandContext): Promise<void> {
  const reasons = args.strings('reason');
  const parsed = reviewDecisionBody.safeParse({
    decision: args.string('decision'),
    declineType: args.string('decline-type'),
    reasonCodes: reasons.length > 0 ? reasons : undefined,
    note: args.string('note') ?? '',
  });
  if (!parsed.success) {
    const details = zodDetails(parsed.error).map((d) => {
      const [head, ...rest] = d.field.split('.');
      return { ...d, field: [DECIDE_FLAG_OF[head ?? ''] ?? head, ...rest].join('.') };
    });
    throw errors.validation(details, 'Invalid review decision.');
  }
  const org = args.string('org');
  const view = await decideReview(
    deps,
    { orgId: org ? await defaultOrgId(deps, org) : null, label: `cli:${userInfo().username}` },
    args.positionals[0] ?? '',
    parsed.data,
  );
  print(view, () =>
    [
      `Decided ${view.verificationId}: ${view.status}${view.declineType ? ` (${view.declineType})` : ''}.`,
      `  reason codes: ${view.reasonCodes.join(', ') || '-'}`,
      '  webhooks: verification.completed (final) and the decision event are queued.',
    ].join('\n'),
  );
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
  {
    name: 'verifications decide',
    section,
    args: [{ name: 'verificationId' }],
    flags: {
      decision: { type: 'string', value: 'approved|declined', required: true },
      'decline-type': { type: 'string', value: 'retry|final' },
      reason: { type: 'string', value: '<CODE>', repeatable: true },
      note: { type: 'string', value: '<text>', required: true },
      ...ORG_FLAG,
    },
    note: 'a review case only, once; the final webhooks follow',
    run: decideCommand,
  },
];
