import { errors } from '../domain/errors';
import type { DeclineType, ReviewDecision, Verification, VerificationView } from '../domain/model';
import { toView } from '../domain/verification';
import type { AppDeps } from './deps';
import { recordAudit } from './audit';
import { updateVerification } from './optimistic-update';
import { publishOutcome } from './outcomes';

/** Who decides: the operator's organisation (null = the installation's CLI, any org) and an audit label. */
export interface ReviewActor {
  orgId: string | null;
  /** `operator:<email>` (dashboard) or `cli:<user>`; written to the audit trail, never to the payload. */
  label: string;
}

/** A reviewer's decision as validated at the boundary (http/admin-schemas.ts reviewDecisionBody, the CLI). */
export interface ReviewDecisionInput {
  decision: ReviewDecision;
  declineType?: DeclineType;
  /** Replaces the automated reason codes when given. */
  reasonCodes?: string[];
  note: string;
}

const DAY_MS = 86_400_000;

/**
 * The human decision on a `review` case. Primary course: the verification is `review` and undecided ->
 * conditional update (status, decision, declineType and reasonCodes become the reviewer's; `review` set;
 * retention restarts from the decision) -> audit entry naming the reviewer -> the final webhooks
 * (`verification.completed` with `data.review` set, plus `verification.approved` or `.rejected`).
 * Final: a second decision, or one on a verification not in review, is 409.
 */
export async function decideReview(
  deps: AppDeps,
  actor: ReviewActor,
  id: string,
  body: ReviewDecisionInput,
): Promise<VerificationView> {
  const current = /^vrf_[a-z0-9]{1,64}$/.test(id) ? await deps.store.verifications.get(id) : null;
  if (!current || (actor.orgId !== null && current.orgId !== actor.orgId)) throw errors.notFound('Verification');
  const notDecidable = (v: Verification) =>
    v.review
      ? errors.conflict('already_decided', `The verification was already decided (${v.review.decision}) by a reviewer.`)
      : errors.conflict('not_in_review', `Only a verification in review can be decided; this one is ${v.status}.`);
  if (current.status !== 'review' || current.review) throw notDecidable(current);
  const flow = await deps.store.flows.get(current.orgId, current.flowId);
  if (!flow) throw new Error(`flow ${current.flowId} of verification ${current.id} is missing`);
  const now = deps.clock.now();
  const at = now.toISOString();
  const result = await updateVerification(deps, id, (v) =>
    v.status !== 'review' || v.review
      ? null
      : {
          ...v,
          status: body.decision,
          decision: body.decision,
          declineType: body.decision === 'declined' ? (body.declineType ?? 'final') : null,
          reasonCodes: body.reasonCodes ? [...new Set(body.reasonCodes)] : v.reasonCodes,
          review: { decidedAt: at, decision: body.decision, note: body.note },
          completedAt: at,
          updatedAt: at,
          publishedAt: null,
          purgeAfter: new Date(now.getTime() + flow.retentionDays * DAY_MS).toISOString(),
          version: v.version + 1,
        },
  );
  if (!result) {
    const latest = await deps.store.verifications.get(id);
    throw notDecidable(latest ?? current);
  }
  await recordAudit(deps, {
    orgId: current.orgId,
    verificationId: id,
    type: 'verification.reviewed',
    at,
    actor: actor.label,
    data: {
      decision: result.after.decision,
      declineType: result.after.declineType,
      reasonCodes: result.after.reasonCodes,
      automatedReasonCodes: result.before.reasonCodes,
      note: body.note,
    },
  });
  await publishOutcome(deps, result.after, flow);
  return toView(result.after, flow);
}
