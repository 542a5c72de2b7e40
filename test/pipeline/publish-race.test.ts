/**
 * Two publications of one outcome at once (the pipeline finishing while the sweep republishes, a retried
 * Step Functions task): each owed webhook must be one outbox row with one id, or the integrator receives the
 * same event twice under two delivery ids (issue 12 §3: every owed delivery arrives with a stable id).
 */
import { outcomeDeliveryId, publishOutcome } from '../../functions/app/outcomes';
import type { Flow, Verification } from '../../functions/domain/model';
import { makeWebhookEndpoint } from '../support/builders';
import { createPipelineHarness, type PipelineHarness, seedVerification } from './harness';

describe('concurrent publications of one outcome', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(() => h.close());

  const events = ['verification.completed', 'verification.approved'] as const;

  async function approvedWithTwoEndpoints(): Promise<{ verification: Verification; flow: Flow }> {
    const seeded = await seedVerification(h, {
      verification: {
        mode: 'live',
        status: 'approved',
        decision: 'approved',
        completedAt: h.clock.now().toISOString(),
      },
    });
    for (const id of ['whe_one', 'whe_two'])
      await h.store.webhooks.create(makeWebhookEndpoint({ id, mode: 'live', events: [...events] }));
    return seeded;
  }

  it('write exactly one delivery per endpoint and event, under the id derived from the publication', async () => {
    const { verification, flow } = await approvedWithTwoEndpoints();

    await Promise.all([publishOutcome(h.deps, verification, flow), publishOutcome(h.deps, verification, flow)]);

    const deliveries = await h.store.deliveries.listByVerification(verification.id);
    const slots = deliveries.map((d) => `${d.endpointId}:${d.event}`).sort();
    expect(slots).toEqual([
      'whe_one:verification.approved',
      'whe_one:verification.completed',
      'whe_two:verification.approved',
      'whe_two:verification.completed',
    ]);
    for (const d of deliveries) {
      expect(d.id).toBe(outcomeDeliveryId(h.deps, verification, d.endpointId, d.event));
      expect(JSON.parse(d.body).id).toBe(d.id); // the envelope names the row it was stored in
    }
    // Both publishers queue sends, but only for those ids (the queue dedupes per delivery id).
    const queued = new Set(h.jobs.map((j) => j.payload.deliveryId));
    expect([...queued].sort()).toEqual(deliveries.map((d) => d.id).sort());
  });

  it('a publication that starts after the first one finished adds nothing either', async () => {
    const { verification, flow } = await approvedWithTwoEndpoints();
    await publishOutcome(h.deps, verification, flow);
    const first = await h.store.deliveries.listByVerification(verification.id);
    h.clock.advanceMinutes(5);
    await publishOutcome(h.deps, verification, flow);
    expect(await h.store.deliveries.listByVerification(verification.id)).toEqual(first);
  });

  it('gives the reviewer`s publication ids of its own, distinct from the automated outcome`s', () => {
    const base = { id: 'vrf_1', attempts: [] };
    const automated = outcomeDeliveryId(h.deps, base, 'whe_one', 'verification.completed');
    const reviewed = outcomeDeliveryId(
      h.deps,
      { ...base, review: { decidedAt: '2026-01-01T00:00:00.000Z', decision: 'approved', note: 'ok' } },
      'whe_one',
      'verification.completed',
    );
    expect(automated).toMatch(/^whd_[a-z0-9]{20}$/);
    expect(reviewed).not.toBe(automated);
    expect(outcomeDeliveryId(h.deps, base, 'whe_two', 'verification.completed')).not.toBe(automated);
    expect(outcomeDeliveryId(h.deps, { ...base, id: 'vrf_2' }, 'whe_one', 'verification.completed')).not.toBe(
      automated,
    );
  });
});
