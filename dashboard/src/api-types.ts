import type * as z from 'zod';
import type {
  adminWebhookView,
  auditEntryView,
  captureView,
  checkResultView,
  createFlowBody,
  deliveryView,
  flowView,
  keyView,
  mintedKeyView,
  operatorSessionView,
  reviewDecisionBody,
  rotatedSecretView,
  updateFlowBody,
  verificationDetail,
  verificationSummary,
} from '../../functions/http/admin-schemas';
import type { errorResponse } from '../../functions/http/schemas';

/**
 * The admin API's shapes, taken from the server's zod schemas (types only: nothing of the server ships in
 * the bundle). A field renamed on the server breaks this build instead of the page.
 */
export type OperatorSession = z.infer<typeof operatorSessionView>;
export type OperatorRole = OperatorSession['role'];
export type Key = z.infer<typeof keyView>;
export type MintedKey = z.infer<typeof mintedKeyView>;
export type RotatedSecret = z.infer<typeof rotatedSecretView>;
export type Flow = z.infer<typeof flowView>;
export type FlowStep = Flow['steps'][number];
export type CreateFlowBody = z.input<typeof createFlowBody>;
export type UpdateFlowBody = z.input<typeof updateFlowBody>;
export type WebhookEndpoint = z.infer<typeof adminWebhookView>;
export type WebhookEvent = WebhookEndpoint['events'][number];
export type Delivery = z.infer<typeof deliveryView>;
export type VerificationSummary = z.infer<typeof verificationSummary>;
export type VerificationDetail = z.infer<typeof verificationDetail>;
export type Attempt = VerificationDetail['timeline'][number];
export type CheckResult = z.infer<typeof checkResultView>;
export type Capture = z.infer<typeof captureView>;
export type AuditEntry = z.infer<typeof auditEntryView>;
export type ReviewDecision = z.input<typeof reviewDecisionBody>;
export type VerificationStatus = VerificationSummary['status'];
export type ApiErrorBody = z.infer<typeof errorResponse>['error'];

/** One page of a cursor-paginated list. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
