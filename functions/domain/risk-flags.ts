/**
 * Risk-flag catalog: non-blocking fraud signals. They never change the decision by themselves; they
 * fire `fraud.flagged` so integrators apply their own rules. Documented in docs/reason-codes.md.
 */
export interface RiskFlagInfo {
  meaning: string;
  raisedWhen: string;
}

export const RISK_FLAGS = {
  DUPLICATE_FACE_DIFFERENT_IDENTITY: { meaning: 'The same face was seen in another verification of this organisation under a different identity.', raisedWhen: 'face search over the org\'s earlier verifications finds a match whose document identity differs' },
  DOCUMENT_NUMBER_REUSED: { meaning: 'The same document number was used by a different applicant.', raisedWhen: 'same issuing country + document number with another name/birth date' },
  HIGH_ATTEMPT_VELOCITY: { meaning: 'Many verifications or attempts for the same document or person in a short time.', raisedWhen: 'count within the velocity window above the limit' },
  REPLAYED_FRAMES: { meaning: 'Capture frames are identical or near-identical copies (replay or still image).', raisedWhen: 'liveness frames / selfie are near-duplicates of each other' },
  SPECIMEN_DOCUMENT: { meaning: 'The document is a specimen or from the ICAO test state (UTO).', raisedWhen: 'issuing country UTO or name SPECIMEN' },
  MRZ_INCONSISTENT: { meaning: 'MRZ fields disagree with each other or with the visual zone.', raisedWhen: 'composite check digit fails while field digits pass' },
} as const satisfies Record<string, RiskFlagInfo>;

export type RiskFlag = keyof typeof RISK_FLAGS;
export const RISK_FLAG_NAMES = Object.keys(RISK_FLAGS) as RiskFlag[];

export function isRiskFlag(s: string): s is RiskFlag {
  return Object.prototype.hasOwnProperty.call(RISK_FLAGS, s);
}
