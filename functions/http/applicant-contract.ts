/**
 * The applicant API as the hosted page (hosted-flow/src/api.ts) sees it: the base path, the enumerations,
 * the capture rule and the response types. The page imports this module, so a field renamed or retyped on
 * the server breaks the page's build. Browser-safe on purpose: plain constants, pure domain functions and
 * type-only re-exports (no zod, no node built-ins reach the page's bundle).
 */

export { APPLICANT_BASE } from './routes';
export {
  CAPTURE_KINDS,
  DECISIONS,
  DECLINE_TYPES,
  DOCUMENT_TYPES,
  HEAD_PROMPTS,
  MODES,
  TERMINAL_STATUSES,
  VERIFICATION_STATUSES,
  type CaptureKind,
  type DocumentType,
  type HeadPrompt,
  type VerificationStatus,
} from '../domain/model';
export {
  APPLICANT_STEPS,
  LIVENESS_MODES,
  requiredCaptures,
  type ApplicantStep,
  type LivenessMode,
  type RequiredCapture,
} from '../domain/captures';
export {
  encodeFrameSequence,
  FRAME_SEQUENCE_CONTENT_TYPE,
  FRAME_SEQUENCE_LIMITS,
} from '../domain/frame-sequence-format';
export type { SessionView } from '../app/applicant/session';
export type { LivenessSessionView } from '../app/applicant/liveness-session';
export type { ApplicantSimulateBody } from '../app/applicant/schemas';

/**
 * A type-level check that `Sent` (what one side sends) fits `Accepted` (what the other side parses);
 * it fails to compile otherwise. Usage: `export type Check = Fits<z.input<typeof schema>, SessionView>`.
 */
export type Fits<Accepted, Sent extends Accepted> = Sent;
