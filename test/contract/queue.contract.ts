/**
 * Contract of the Queue port (functions/ports/queue.ts) as its consumers see it. The port itself only
 * enqueues; each runtime consumes differently (local worker polling SQLite, Lambda fed by SQS), so the
 * suite drives the consumer side through a {@link QueueHarness} each adapter provides.
 *
 * Semantics proven: payloads arrive intact; `delayMs` is respected; a nacked (or crashed) job is
 * delivered again with `attempt` incremented (at-least-once) after the nack delay; `dedupeKey` allows
 * at most one live (queued or running) job per key, and a new one once that job is acked.
 * Order between jobs is not part of the contract.
 *
 * All jobs use type 'webhook.deliver': on AWS that is the only type that goes through SQS
 * ('pipeline.run' starts a Step Functions execution, tested in the adapter's own test).
 */
import type { Job, Queue } from '../../functions/ports/queue';

export interface QueueHarness {
  queue: Queue;
  /** The next job visible now, or null if none is (without waiting for delayed jobs). */
  receive(): Promise<Job | null>;
  /** The job finished: it is never delivered again. */
  ack(job: Job): Promise<void>;
  /** The job failed: deliver it again no earlier than `delayMs` from now. */
  nack(job: Job, delayMs: number): Promise<void>;
  /** Lets `ms` of queue time pass (a fake clock locally, a real wait against an emulator). */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/** Delay used for "not yet visible" checks: long enough to be robust on a busy machine. */
const DELAY_MS = 3_000;

/**
 * Registers the queue contract for one adapter.
 * @param makeHarness builds an empty queue; called before every test, `cleanup` after it
 */
export function describeQueueContract(name: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(`queue contract: ${name}`, () => {
    let h: QueueHarness;

    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h?.cleanup();
    });

    it('delivers an enqueued job with its payload; an acked job is gone', async () => {
      const payload = { deliveryId: 'whd_1', nested: { n: 1, ok: true, list: ['a', 'b'] } };
      await h.queue.enqueue('webhook.deliver', payload);
      const job = await h.receive();
      expect(job).not.toBeNull();
      expect(job!.type).toBe('webhook.deliver');
      expect(job!.payload).toEqual(payload);
      expect(job!.attempt).toBe(1);
      expect(typeof job!.id).toBe('string');
      expect(await h.receive()).toBeNull();
      await h.ack(job!);
      expect(await h.receive()).toBeNull();
    });

    it('respects delayMs', async () => {
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' }, { delayMs: DELAY_MS });
      expect(await h.receive()).toBeNull();
      await h.advance(DELAY_MS + 1_000);
      const job = await h.receive();
      expect(job?.payload).toEqual({ deliveryId: 'whd_1' });
    });

    it('redelivers a nacked job with the attempt incremented, after the nack delay', async () => {
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' });
      const first = (await h.receive())!;
      await h.nack(first, 0);
      const second = await h.receive();
      expect(second).not.toBeNull();
      expect(second!.id).toBe(first.id);
      expect(second!.attempt).toBe(2);
      expect(second!.payload).toEqual({ deliveryId: 'whd_1' });

      await h.nack(second!, DELAY_MS);
      expect(await h.receive()).toBeNull();
      await h.advance(DELAY_MS + 1_000);
      const third = await h.receive();
      expect(third?.id).toBe(first.id);
      expect(third?.attempt).toBe(3);
      await h.ack(third!);
      expect(await h.receive()).toBeNull();
    });

    it('delivers every job (no loss, no merging without a dedupeKey)', async () => {
      for (const id of ['whd_1', 'whd_2', 'whd_3']) await h.queue.enqueue('webhook.deliver', { deliveryId: id });
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' });
      const got: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const job = await h.receive();
        expect(job).not.toBeNull();
        got.push(String(job!.payload.deliveryId));
        await h.ack(job!);
      }
      expect(got.sort()).toEqual(['whd_1', 'whd_1', 'whd_2', 'whd_3']);
      expect(await h.receive()).toBeNull();
    });

    it('keeps at most one live job per dedupeKey, and allows a new one after ack', async () => {
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' }, { dedupeKey: 'whd_1' });
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' }, { dedupeKey: 'whd_1' });
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_2' }, { dedupeKey: 'whd_2' });
      const a = (await h.receive())!;
      const b = (await h.receive())!;
      expect([a.payload.deliveryId, b.payload.deliveryId].sort()).toEqual(['whd_1', 'whd_2']);
      expect(await h.receive()).toBeNull();
      const job1 = a.payload.deliveryId === 'whd_1' ? a : b;
      await h.ack(job1 === a ? b : a);

      // Running (received, not acked): still live, so a new enqueue is a no-op.
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' }, { dedupeKey: 'whd_1' });
      expect(await h.receive()).toBeNull();
      // Nacked and waiting for its retry: still live.
      await h.nack(job1, DELAY_MS);
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' }, { dedupeKey: 'whd_1' });
      expect(await h.receive()).toBeNull();
      await h.advance(DELAY_MS + 1_000);
      const retried = (await h.receive())!;
      expect(retried.id).toBe(job1.id);
      expect(await h.receive()).toBeNull();
      await h.ack(retried);

      // Finished: the key is free again.
      await h.queue.enqueue('webhook.deliver', { deliveryId: 'whd_1' }, { dedupeKey: 'whd_1' });
      const fresh = await h.receive();
      expect(fresh?.payload).toEqual({ deliveryId: 'whd_1' });
      expect(fresh?.id).not.toBe(job1.id);
      expect(fresh?.attempt).toBe(1);
    });
  });
}
