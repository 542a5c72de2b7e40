import { deliverWebhook } from '../../functions/app/webhooks/deliver';
import type { WebhookTransport } from '../../functions/ports/webhook-transport';
import { at, makeDelivery, makeWebhookEndpoint } from '../support/builders';
import { createPipelineHarness, type PipelineHarness } from './harness';

/**
 * The dispatcher reads a delivery, POSTs for seconds, then records the attempt. Writers acting in between
 * (erasure scrubbing the body, another dispatcher recording an outcome) must not be undone by that record.
 */
describe('deliverWebhook racing other writers of the delivery', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
    await h.store.webhooks.create(makeWebhookEndpoint());
    await h.store.deliveries.createMany([makeDelivery({ body: '{"data":{"applicant":"Jane Doe"}}' })]);
  });
  afterEach(() => h.close());

  const sendingWhile =
    (during: () => Promise<void>): WebhookTransport['send'] =>
    async () => {
      await during();
      return { statusCode: 200, error: null, durationMs: 5 };
    };

  it('keeps the body an erasure scrubbed while the POST was in flight', async () => {
    h.deps.webhookTransport = {
      ...h.deps.webhookTransport,
      send: sendingWhile(async () => {
        expect(await h.store.deliveries.scrubBody('whd_test1', '{"data":{}}')).toBe(true);
      }),
    };
    expect(await deliverWebhook(h.deps, 'whd_test1')).toEqual({ outcome: 'succeeded' });
    expect(await h.store.deliveries.get('whd_test1')).toMatchObject({
      status: 'succeeded',
      body: '{"data":{}}',
      attempts: [{ statusCode: 200 }],
    });
  });

  it('skips, changing nothing, when another dispatcher recorded an outcome first', async () => {
    const theirs = {
      status: 'succeeded' as const,
      attempts: [{ at: at(1), statusCode: 204, error: null, durationMs: 3 }],
      nextAttemptAt: null,
      updatedAt: at(1),
    };
    h.deps.webhookTransport = {
      ...h.deps.webhookTransport,
      send: sendingWhile(async () => {
        await h.store.deliveries.recordAttempt('whd_test1', { status: 'pending', attemptCount: 0 }, theirs);
      }),
    };
    expect(await deliverWebhook(h.deps, 'whd_test1')).toEqual({ outcome: 'skipped' });
    expect(await h.store.deliveries.get('whd_test1')).toMatchObject(theirs);
  });
});
