/** Use cases of the applicant API (docs/applicant-api.md), authorized by the verification's client token. */
export {
  getSession,
  openSession,
  toSessionView,
  CONSENT_TEXT_VERSION,
  type OpenSession,
  type SessionAccess,
  type SessionView,
} from './session';
export { recordConsent, type RequestOrigin } from './consent';
export {
  requestUpload,
  putUploadBytes,
  assertLocalBytesRoute,
  completeUpload,
  captureBlobKey,
  type UploadSlot,
  type CompletedCapture,
} from './uploads';
export { submitAttempt } from './submit';
export { simulateAttempt } from './simulate';
export * from './schemas';
export { createLivenessSession, type LivenessSessionView } from './liveness-session';
export { livenessModeOf } from './liveness-mode';
