import type { HeadPrompt } from '../../domain/model';

/**
 * Head-turn mapping for Rekognition's `Pose.Yaw` (degrees, -180..180).
 *
 * Sign convention. The API reference (API_Pose) gives only the range. AWS's answer on re:Post
 * ("head pose unit of yaw pitch roll point of view") says the angles are expressed with the camera as the
 * point of reference: negative yaw = the face looks toward the camera's left, positive = toward its right.
 * Captures are stored unmirrored (the page mirrors only its preview), so a face looking toward the image's
 * right edge has turned to the subject's OWN LEFT. Hence the default: positive yaw = subject's left, the
 * same convention as testdata/liveness/labels.json. The sign is a provider option (`positiveYawIs`) so a
 * deployment that measures the opposite on a labelled frame flips it without a code change.
 */

export type PositiveYawMeaning = 'subject-left' | 'subject-right';

export interface TurnThresholds {
  /** |yaw| at or above which the head counts as turned (degrees). */
  minTurnDegrees: number;
  /** |yaw| below which the head counts as facing the camera (degrees). */
  maxCentreDegrees: number;
  positiveYawIs: PositiveYawMeaning;
}

/** The subject's own head direction for a yaw; 'between' when neither turned nor frontal enough. */
export type SubjectTurn = HeadPrompt | 'between';

export function subjectTurnFromYaw(yawDegrees: number, t: TurnThresholds): SubjectTurn {
  const magnitude = Math.abs(yawDegrees);
  if (magnitude < t.maxCentreDegrees) return 'centre';
  if (magnitude < t.minTurnDegrees) return 'between';
  const towardPositive: HeadPrompt = t.positiveYawIs === 'subject-left' ? 'left' : 'right';
  const towardNegative: HeadPrompt = towardPositive === 'left' ? 'right' : 'left';
  return yawDegrees > 0 ? towardPositive : towardNegative;
}
