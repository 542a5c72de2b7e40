/**
 * Risk-flag catalog: non-blocking fraud signals. They never change the decision by themselves; they
 * fire `fraud.flagged` so integrators apply their own rules. Documented in docs/reason-codes.md.
 */
export interface RiskFlagInfo {
  meaning: string;
  raisedWhen: string;
}

export const RISK_FLAGS = {
  DUPLICATE_FACE_DIFFERENT_IDENTITY: {
    meaning: 'The same face was seen in another verification of this organisation under a different identity.',
    raisedWhen:
      "the selfie's face is within the flow's face-match distance of a face from another verification of the organisation (AWS: found by the org's face collection), and the two documents name different people (names + birth date)",
  },
  DOCUMENT_NUMBER_REUSED: {
    meaning: 'The same document number was used by a different applicant.',
    raisedWhen:
      'another verification of the organisation read the same issuing country + document number with a different name or birth date',
  },
  HIGH_ATTEMPT_VELOCITY: {
    meaning: 'Many verifications or attempts for the same document or person in a short time.',
    raisedWhen:
      '3 or more verifications of the organisation for the same document or the same person within 24 hours, or a 3rd (or later) attempt of one verification within 10 minutes of its first',
  },
  REPLAYED_FRAMES: {
    meaning: 'Capture frames are identical or near-identical copies (replay or still image).',
    raisedWhen:
      "the liveness check finds frames / selfie that are near-duplicates of each other, a run of identical pictures in the challenge's recording, or capture times that go back",
  },
  SPECIMEN_DOCUMENT: {
    meaning: 'The document is a specimen or from the ICAO test state (UTO).',
    raisedWhen: 'the document check reads issuing country UTO or the name SPECIMEN',
  },
  MRZ_INCONSISTENT: {
    meaning: 'MRZ fields disagree with each other or with the visual zone.',
    raisedWhen: 'the document check finds the composite check digit failing while the field digits pass',
  },
} as const satisfies Record<string, RiskFlagInfo>;

export type RiskFlag = keyof typeof RISK_FLAGS;
export const RISK_FLAG_NAMES = Object.keys(RISK_FLAGS) as RiskFlag[];

export function isRiskFlag(s: string): s is RiskFlag {
  return Object.hasOwn(RISK_FLAGS, s);
}
