import { type ApplicantStep, requiredCaptures } from '../../../functions/http/applicant-contract';
import type { CaptureKind, DocumentType, Session } from '../api';

/**
 * One capture screen of the current attempt, in order: the document type choice, a still photo, the head-turn
 * challenge (every liveness frame), or the Face Liveness video.
 */
export type CaptureStep =
  | 'documentType'
  | Exclude<CaptureKind, 'liveness_frame' | 'liveness_sequence'>
  | 'liveness'
  | 'face_liveness';

/**
 * The capture screens of this attempt: the server's rule (`requiredCaptures`, the same function the submit
 * use case enforces) as screens, with the document type choice first when the flow accepts several types.
 */
export function capturePlan(session: Session, documentType: DocumentType | null): CaptureStep[] {
  const doc = session.document;
  const plan: CaptureStep[] = doc && doc.types.length > 1 ? ['documentType'] : [];
  const required = requiredCaptures({
    steps: doc ? session.steps : session.steps.filter((step) => step !== 'document'),
    acceptedDocumentTypes: doc?.types ?? [],
    documentType: documentType ?? doc?.types[0] ?? null,
    challenge: session.challenge?.prompts ?? null,
    faceLiveness: session.liveness?.mode === 'face_liveness',
  });
  for (const capture of required) {
    // One liveness screen takes every head-turn frame and the recording of the whole challenge;
    // face_liveness is a Rekognition Face Liveness video.
    if (capture.kind === 'face_liveness_session') plan.push('face_liveness');
    else if (capture.kind === 'liveness_frame') {
      if (capture.index === 0) plan.push('liveness');
    } else if (capture.kind !== 'liveness_sequence') plan.push(capture.kind);
  }
  return plan;
}

/** The step after `after` in the plan; null when `after` was the last one (the attempt is ready to submit). */
export function captureAfter(plan: readonly CaptureStep[], after: CaptureStep): CaptureStep | null {
  // A step no longer in the plan (the applicant changed the document type) restarts at the first step.
  return plan[plan.indexOf(after) + 1] ?? null;
}

/** The document type an attempt is submitted with: the chosen one, else the flow's first; null without a document. */
export function submittedDocumentType(session: Session, documentType: DocumentType | null): DocumentType | null {
  if (!session.steps.includes('document')) return null;
  return documentType ?? session.document?.types[0] ?? null;
}

/** "Step 2 of 4" for a flow step (consent, document, selfie, liveness); null for a step the flow does not have. */
export function stepPosition(
  steps: readonly ApplicantStep[],
  step: ApplicantStep,
): { current: number; total: number } | null {
  const index = steps.indexOf(step);
  return index < 0 ? null : { current: index + 1, total: steps.length };
}
