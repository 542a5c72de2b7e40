import { METRICS } from '../../functions/adapters/aws/table-design';
import type { DeliveryResult } from '../../functions/app/webhooks/deliver';
import { withDeliveryMetrics } from '../../functions/aws/entries/webhook-metrics';

describe('webhook attempt metrics (feed the failure-rate alarm)', () => {
  it.each<[DeliveryResult, string[]]>([
    [{ outcome: 'succeeded' }, [METRICS.webhookAttemptSucceeded]],
    [{ outcome: 'retry', retryInMs: 60_000 }, [METRICS.webhookAttemptFailed]],
    [{ outcome: 'failed' }, [METRICS.webhookAttemptFailed]],
    [{ outcome: 'skipped' }, []],
  ])('%j counts %j and passes the result through', async (result, expected) => {
    const counted: string[] = [];
    const deliver = withDeliveryMetrics(
      async (id) => {
        expect(id).toBe('whd_1');
        return result;
      },
      { addMetric: (name, unit, value) => counted.push(`${name}:${unit}:${value}`) },
    );
    await expect(deliver('whd_1')).resolves.toEqual(result);
    expect(counted).toEqual(expected.map((n) => `${n}:Count:1`));
  });

  it('counts nothing when the delivery itself throws', async () => {
    const counted: string[] = [];
    const deliver = withDeliveryMetrics(
      async () => {
        throw new Error('store down');
      },
      { addMetric: (name) => counted.push(name) },
    );
    await expect(deliver('whd_1')).rejects.toThrow('store down');
    expect(counted).toEqual([]);
  });
});
