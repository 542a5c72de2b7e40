import { METRICS } from '../../adapters/aws/table-design';
import type { DeliveryResult } from '../../app/webhooks/deliver';

/** The part of Powertools `Metrics` used here (a Count per webhook HTTP attempt). */
export interface CountMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
}

/**
 * Wraps a delivery function so every HTTP attempt is counted for the webhook failure-rate alarm
 * (lib/monitoring.ts): `succeeded` -> WebhookAttemptSucceeded; `retry` and `failed` (the attempt got no 2xx)
 * -> WebhookAttemptFailed; `skipped` sent nothing and counts as neither.
 */
export function withDeliveryMetrics(deliver: (deliveryId: string) => Promise<DeliveryResult>, metrics: CountMetrics) {
  return async (deliveryId: string): Promise<DeliveryResult> => {
    const result = await deliver(deliveryId);
    if (result.outcome === 'succeeded') metrics.addMetric(METRICS.webhookAttemptSucceeded, 'Count', 1);
    else if (result.outcome === 'retry' || result.outcome === 'failed')
      metrics.addMetric(METRICS.webhookAttemptFailed, 'Count', 1);
    return result;
  };
}
