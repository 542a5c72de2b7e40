import { errors } from '../domain/errors';
import type { DeclineType, PendingAuditEntry, ReviewDecision, Verification, VerificationView } from '../domain/model';
import { toView } from '../domain/verification';
import type { AppDeps } from './deps';
import { updateVerification } from './optimistic-update';
import { publishOutcome, recoverPublication } from './outcomes';

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
 * retention restarts from the decision; the audit entry naming the reviewer carried in the same write) -> that
 * entry appended -> the final webhooks (`verification.completed` with `data.review` set, plus
 * `verification.approved` or `.rejected`). Final: a second decision, or one on a verification not in review, is
 * 409; one that finds the previous decision's publication cut off by a crash finishes it first.
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
  const flow = await deps.store.flows.get(current.orgId, current.flowId);
  if (!flow) throw new Error(`flow ${current.flowId} of verification ${current.id} is missing`);
  if (current.status !== 'review' || current.review) {
    // A decision whose audit entry or webhooks a crash cut off (the reviewer retrying after an error): finish
    // them now rather than at the next sweep. The decision itself stands.
    if (current.review && !current.publishedAt) await recoverPublication(deps, current, flow);
    throw notDecidable(current);
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const result = await updateVerification(deps, id, (v) => {
    if (v.status !== 'review' || v.review) return null;
    const decided: Verification = {
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
    };
    // Who decided, written with the decision: publishOutcome appends it to the audit log, and a crash between
    // the two writes leaves it on the record for the recovery (never in a view or payload).
    return { ...decided, pendingAudit: reviewedAuditEntry(deps, v, decided, actor, at) };
  });
  if (!result) {
    const latest = await deps.store.verifications.get(id);
    throw notDecidable(latest ?? current);
  }
  await publishOutcome(deps, result.after, flow);
  return toView(result.after, flow);
}

/**
 * The `verification.reviewed` audit entry of the decision that turned `before` (the record in review) into
 * `after`: who decided, what, and the automated codes it replaced. Its id derives from the verification (one
 * review each), so the append and its recovery leave one entry.
 */
function reviewedAuditEntry(
  deps: Pick<AppDeps, 'crypto'>,
  before: Verification,
  after: Verification,
  actor: ReviewActor,
  at: string,
): PendingAuditEntry {
  return {
    id: `evt_${deps.crypto.sha256Hex(`verification.reviewed:${before.id}`).slice(0, 32)}`,
    type: 'verification.reviewed',
    at,
    actor: actor.label,
    data: {
      decision: after.decision,
      declineType: after.declineType,
      reasonCodes: after.reasonCodes,
      automatedReasonCodes: before.reasonCodes,
      note: after.review?.note ?? null,
    },
  };
}
