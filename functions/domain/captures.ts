import { DOCUMENT_TYPES, type CaptureKind, type CheckName, type DocumentType, type HeadPrompt } from './model';

/**
 * Which captures an attempt needs: the one rule shared by the submit use case (refuses an incomplete
 * attempt), the pipeline's first task (re-checks before running checks) and the hosted page (plans its
 * capture steps). Pure and browser-safe: no imports beyond domain types.
 */

/** The applicant-facing steps of a flow, in the order the hosted page shows them. */
export const APPLICANT_STEPS = ['consent', 'document', 'selfie', 'liveness'] as const;
export type ApplicantStep = (typeof APPLICANT_STEPS)[number];

/**
 * How the applicant proves liveness: `challenge` (head-turn frames, both runtimes) or `face_liveness`
 * (a Rekognition Face Liveness session the browser streams to; AWS only).
 */
export const LIVENESS_MODES = ['challenge', 'face_liveness'] as const;
export type LivenessMode = (typeof LIVENESS_MODES)[number];

/** Document types with a back side the applicant must also capture. */
export const DOCUMENT_HAS_BACK: Readonly<Record<DocumentType, boolean>> = {
  passport: false,
  id_card: true,
  driving_licence: true,
  residence_permit: true,
};

/** Document types the applicant may choose: the flow's list, or every type when the list is empty. */
export function acceptedDocumentTypes(flow: { documentTypes: readonly DocumentType[] }): DocumentType[] {
  return flow.documentTypes.length > 0 ? [...flow.documentTypes] : [...DOCUMENT_TYPES];
}

/** The applicant-facing steps a flow's checks imply (consent always first). */
export function stepsOfFlow(flow: { checks: readonly CheckName[] }): ApplicantStep[] {
  const steps: ApplicantStep[] = ['consent'];
  if (flow.checks.includes('document') || flow.checks.includes('faceMatch')) steps.push('document');
  if (flow.checks.includes('faceMatch') || flow.checks.includes('liveness')) steps.push('selfie');
  if (flow.checks.includes('liveness')) steps.push('liveness');
  return steps;
}

/**
 * One capture an attempt needs: a photo (kind and index), the head-turn recording (`liveness_sequence`), or,
 * in Face Liveness mode, the session.
 */
export type RequiredCapture =
  | { kind: Exclude<CaptureKind, 'liveness_frame'>; index: 0 }
  | { kind: 'liveness_frame'; index: number; prompt: HeadPrompt }
  | { kind: 'face_liveness_session' };

export interface AttemptCaptureRules {
  steps: readonly ApplicantStep[];
  /** Document types the flow accepts (already expanded: never empty when there is a document step). */
  acceptedDocumentTypes: readonly DocumentType[];
  /** The type the applicant chose; null when none was named. */
  documentType: DocumentType | null;
  /** Head-turn prompts of the attempt's challenge (one frame each, one recording of all); null without a challenge. */
  challenge: readonly HeadPrompt[] | null;
  /** The liveness step is a Face Liveness session instead of head-turn frames. */
  faceLiveness: boolean;
}

/**
 * The captures an attempt needs, in capture order: document_front; document_back when the chosen type has
 * a back (or, when no type was named, when every accepted type has one); selfie; one liveness frame per
 * prompt and the continuous recording of the whole challenge (`liveness_sequence`: stills alone carry no
 * motion, so they can never prove liveness), or in Face Liveness mode the session instead of both.
 */
export function requiredCaptures(rules: AttemptCaptureRules): RequiredCapture[] {
  const required: RequiredCapture[] = [];
  if (rules.steps.includes('document')) {
    required.push({ kind: 'document_front', index: 0 });
    const needsBack = rules.documentType
      ? DOCUMENT_HAS_BACK[rules.documentType]
      : rules.acceptedDocumentTypes.length > 0 && rules.acceptedDocumentTypes.every((t) => DOCUMENT_HAS_BACK[t]);
    if (needsBack) required.push({ kind: 'document_back', index: 0 });
  }
  if (rules.steps.includes('selfie')) required.push({ kind: 'selfie', index: 0 });
  if (rules.steps.includes('liveness')) {
    if (rules.faceLiveness) required.push({ kind: 'face_liveness_session' });
    else if (rules.challenge && rules.challenge.length > 0) {
      rules.challenge.forEach((prompt, index) => {
        required.push({ kind: 'liveness_frame', index, prompt });
      });
      required.push({ kind: 'liveness_sequence', index: 0 });
    }
  }
  return required;
}
