import type { DeclineType } from './model';

/**
 * Reason-code catalog. Each code says why a verification (or one attempt) did not pass, and whether the
 * applicant may try again. docs/reason-codes.md documents the same catalog for integrators; a unit test
 * keeps the two in step.
 */
export interface ReasonCodeInfo {
  /** What the code means, for integrators. */
  meaning: string;
  /** When the pipeline raises it. */
  raisedWhen: string;
  /** Decline type it implies when it causes a decline; 'review' when it sends the case to a human. */
  effect: DeclineType | 'review';
}

export const REASON_CODES = {
  DOCUMENT_UNREADABLE: {
    meaning: 'The document could not be read (no machine-readable zone found or OCR failed).',
    raisedWhen: 'document check finds no MRZ / no fields',
    effect: 'retry',
  },
  MRZ_CHECK_DIGIT_FAILED: {
    meaning: 'The MRZ was read but one or more ICAO 9303 check digits do not match.',
    raisedWhen: 'document check validates check digits',
    effect: 'retry',
  },
  DOCUMENT_TYPE_NOT_ACCEPTED: {
    meaning: 'The document type is not accepted by the flow.',
    raisedWhen: 'document type not in flow.documentTypes',
    effect: 'retry',
  },
  COUNTRY_NOT_ACCEPTED: {
    meaning: 'The issuing country is not accepted by the flow.',
    raisedWhen: 'issuing country not in flow.issuingCountries',
    effect: 'retry',
  },
  EXPIRATION_DATE: { meaning: 'The document is expired.', raisedWhen: 'expiry date before today', effect: 'retry' },
  NO_FACE_ON_DOCUMENT: {
    meaning: 'No portrait could be found on the document.',
    raisedWhen: 'face match needs a document portrait and none is detected',
    effect: 'retry',
  },
  NO_FACE_IN_SELFIE: {
    meaning: 'No face was found in the selfie.',
    raisedWhen: 'selfie face detection finds 0 faces',
    effect: 'retry',
  },
  MULTIPLE_FACES_IN_SELFIE: {
    meaning: 'More than one face was found in the selfie.',
    raisedWhen: 'selfie face detection finds 2+ faces',
    effect: 'retry',
  },
  BAD_FACE_MATCHING: {
    meaning: 'The selfie does not match the document portrait.',
    raisedWhen: 'face distance above / similarity below the flow threshold',
    effect: 'retry',
  },
  FACE_MATCH_INCONCLUSIVE: {
    meaning: 'The face comparison is borderline; a person should look.',
    raisedWhen: 'score within the review band around the threshold',
    effect: 'review',
  },
  LIVENESS_FAILED: {
    meaning:
      'The liveness challenge failed (wrong or missing head turns, no continuous motion, different person, repeated frames). The applicant should retry, turning the head slowly and clearly to the side (at least the flow setting livenessMinTurnDegrees, 20 degrees by default) as each prompt asks, alone in front of the camera.',
    raisedWhen:
      "a prompt is not met by its frame, or the challenge's recording does not show the prompts in order through smooth motion (gaps, jumps, repeated pictures, too fast, another person)",
    effect: 'retry',
  },
  LIVENESS_INCONCLUSIVE: {
    meaning: 'The liveness challenge could not be judged (face too small, frames unreadable).',
    raisedWhen: 'frames have no usable face',
    effect: 'retry',
  },
  UNDERAGE: {
    meaning: "The applicant is younger than the flow's minimum age.",
    raisedWhen: 'birth date from the document vs flow.minimumAge',
    effect: 'final',
  },
  CONSENT_DECLINED: {
    meaning: 'The applicant declined consent.',
    raisedWhen: 'applicant declines on the consent step (outside the decision engine)',
    effect: 'final',
  },
  ATTEMPTS_EXHAUSTED: {
    meaning: 'The applicant used all attempts the flow allows.',
    raisedWhen: 'a retry-type decline on the last attempt',
    effect: 'final',
  },
  SESSION_EXPIRED: {
    meaning: 'The session expired before the applicant finished.',
    raisedWhen: 'expiry sweep after expiresAt (outside the decision engine)',
    effect: 'retry',
  },
  CHECK_ERROR: {
    meaning: 'A check could not run or gave no usable result (internal error); a person should look.',
    raisedWhen:
      'a pipeline step fails after its retries, a required check has no result, or a check fails without naming a reason',
    effect: 'review',
  },
} as const satisfies Record<string, ReasonCodeInfo>;

export type ReasonCode = keyof typeof REASON_CODES;
export const REASON_CODE_NAMES = Object.keys(REASON_CODES) as ReasonCode[];

export function isReasonCode(s: string): s is ReasonCode {
  return Object.hasOwn(REASON_CODES, s);
}
