/**
 * A reviewer's decision and the audit entry naming the reviewer were two writes: a crash between them left a
 * decided verification with no record of who decided (issue 12 §3, nothing lost on a crash). The entry now
 * travels with the decision's write, and the publication (or its recovery: the sweep, the reviewer's retry)
 * appends it under a fixed id: present after recovery, never twice.
 */
import { runMaintenanceSweep } from '../../functions/app/maintenance';
import { decideReview, type ReviewActor } from '../../functions/app/review';
import type { Verification } from '../../functions/domain/model';
import { toView } from '../../functions/domain/verification';
import { at, makeWebhookEndpoint } from '../support/builders';
import { createPipelineHarness, type PipelineHarness, seedVerification } from './harness';

const reviewer: ReviewActor = { orgId: null, label: 'operator:reviewer@example.com' };
const decision = { decision: 'approved' as const, note: 'document checked by hand' };

describe('a crash between a reviewer`s decision and its audit entry', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  /** A verification the pipeline sent to review (published), with an endpoint for the final webhooks. */
  async function inReview(): Promise<Verification> {
    const { verification } = await seedVerification(h, {
      verification: {
        mode: 'live',
        status: 'review',
        decision: 'review',
        reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
        completedAt: at(1),
        publishedAt: at(1),
      },
    });
    await h.store.webhooks.create(
      makeWebhookEndpoint({ mode: 'live', events: ['verification.completed', 'verification.approved'] }),
    );
    return verification;
  }
  const reviewedEntries = async (id: string) =>
    (await h.store.audit.listByVerification(id)).filter((e) => e.type === 'verification.reviewed');

  /** The process dies at the next audit append: the decision's write went through, nothing after it. */
  async function decideAndCrashAtAuditAppend(id: string): Promise<void> {
    const append = h.store.audit.append.bind(h.store.audit);
    h.store.audit.append = async () => {
      throw new Error('killed');
    };
    try {
      await expect(decideReview(h.deps, reviewer, id, decision)).rejects.toThrow('killed');
    } finally {
      h.store.audit.append = append;
    }
    expect(await h.store.verifications.get(id)).toMatchObject({ status: 'approved', publishedAt: null });
    expect(await reviewedEntries(id)).toEqual([]);
  }

  const expectedEntry = (v: Verification) =>
    expect.objectContaining({
      orgId: v.orgId,
      verificationId: v.id,
      actor: reviewer.label,
      at: v.review?.decidedAt,
      data: {
        decision: 'approved',
        declineType: null,
        reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
        automatedReasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
        note: decision.note,
      },
    });

  it('the sweep appends the entry naming the reviewer, once, and publishes the decision', async () => {
    const { id } = await inReview();
    await decideAndCrashAtAuditAppend(id);

    expect(await runMaintenanceSweep(h.deps)).toMatchObject({ republished: 1, failed: [] });
    h.clock.advanceMinutes(1);
    await runMaintenanceSweep(h.deps);

    const decided = (await h.store.verifications.get(id))!;
    expect(await reviewedEntries(id)).toEqual([expectedEntry(decided)]);
    expect(decided.publishedAt).not.toBeNull();
    expect(decided.pendingAudit ?? null).toBeNull(); // published: the reviewer is in the audit log only
    const events = (await h.store.deliveries.listByVerification(id)).map((d) => d.event).sort();
    expect(events).toEqual(['verification.approved', 'verification.completed']);
  });

  it('the reviewer`s retry finishes it too (and still answers already_decided), without a second entry', async () => {
    const { id } = await inReview();
    await decideAndCrashAtAuditAppend(id);

    await expect(decideReview(h.deps, reviewer, id, decision)).rejects.toMatchObject({ code: 'already_decided' });
    await expect(decideReview(h.deps, reviewer, id, decision)).rejects.toMatchObject({ code: 'already_decided' });
    await runMaintenanceSweep(h.deps);

    const decided = (await h.store.verifications.get(id))!;
    expect(await reviewedEntries(id)).toEqual([expectedEntry(decided)]);
    expect(decided.publishedAt).not.toBeNull();
  });

  it('a crash after the entry but before the webhooks: the recovery adds no second entry', async () => {
    const { id } = await inReview();
    const createMany = h.store.deliveries.createMany.bind(h.store.deliveries);
    h.store.deliveries.createMany = async () => {
      throw new Error('killed');
    };
    await expect(decideReview(h.deps, reviewer, id, decision)).rejects.toThrow('killed');
    h.store.deliveries.createMany = createMany;
    expect(await reviewedEntries(id)).toHaveLength(1);

    expect(await runMaintenanceSweep(h.deps)).toMatchObject({ republished: 1, failed: [] });
    expect(await reviewedEntries(id)).toHaveLength(1);
    expect((await h.store.verifications.get(id))?.publishedAt).not.toBeNull();
  });

  it('without a crash: one entry, and nothing of the reviewer on the record or in the view', async () => {
    const { id } = await inReview();
    const view = await decideReview(h.deps, reviewer, id, decision);
    const decided = (await h.store.verifications.get(id))!;
    expect(await reviewedEntries(id)).toEqual([expectedEntry(decided)]);
    expect(JSON.stringify(decided)).not.toContain(reviewer.label);
    expect(JSON.stringify(view)).not.toContain(reviewer.label);
    expect(JSON.stringify(toView(decided))).not.toContain(reviewer.label);
  });
});
