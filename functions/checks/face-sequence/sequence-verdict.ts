import type { SequenceAnalysis, SequenceProblem } from '../../domain/liveness-sequence';
import type { HeadPrompt } from '../../domain/model';
import type { ReasonCode } from '../../domain/reason-codes';
import type { RiskFlag } from '../../domain/risk-flags';
import type { CheckOutcome, CheckResult, CheckTiming, ImageInput, LivenessInput } from '../../ports/checks';

/**
 * Liveness from the continuous recording, shared by every check provider: what judging a recording yields
 * ({@link SequenceVerdict}), the judge a provider is given ({@link SequenceObserver}), and how the verdict joins
 * the provider's own judgement of the per-prompt stills ({@link combineStillsWithSequence}). The decision
 * itself is the pure domain function (domain/liveness-sequence.ts `analyseSequence`); an observer only feeds it
 * per-frame observations and adds the identity findings of a few recognised frames.
 */

/** The recording's verdict: the domain analysis plus identity findings. */
export interface SequenceVerdict {
  /** `invalid`: the container could not be read; `undecodable`: a frame is not an image. */
  status: 'judged' | 'invalid' | 'undecodable';
  analysis: SequenceAnalysis | null;
  /** Motion problems plus identity problems (`identity_changed`, `not_selfie_person`). */
  problems: Array<SequenceProblem | { code: 'identity_changed' | 'not_selfie_person'; frame: number; detail: string }>;
  frames: number;
  /** Largest descriptor distance among the recognised frames (to the selfie, else to the first). */
  maxDistance: number | null;
  recognisedFrames: number[];
  /** Per-frame yaw in degrees (null without a face), for the report. */
  yaws: Array<number | null>;
}

/** What judging a recording needs: the recording, the attempt's prompts, the selfie and the flow's thresholds. */
export type SequenceObserverInput = Pick<LivenessInput, 'prompts' | 'selfie' | 'flow'> & { sequence: ImageInput };

/**
 * Judges a liveness recording: decodes its frames, observes each with a light face detector and landmarks
 * (yaw, box, score, a thumbnail), lets the domain analysis decide, and recognises a few frames against the
 * selfie. Runs on the caller's CPU and calls no paid API, so every runtime can afford one per attempt.
 */
export interface SequenceObserver {
  /** The recording's verdict; appends the time of each step to `timings`. */
  judge(input: SequenceObserverInput, timings: CheckTiming[]): Promise<SequenceVerdict>;
}

/**
 * One liveness result from a provider's stills result (null when the attempt has no stills) and the
 * recording's verdict. The recording failing fails the check (`LIVENESS_FAILED`, plus `REPLAYED_FRAMES` when it
 * shows replayed or reordered frames); an unreadable recording makes it inconclusive; a failure outranks
 * "could not judge". The stills' scores and extracted data are kept; the recording's go to `sequence*`
 * scores and `extracted.sequence`.
 */
export function combineStillsWithSequence(
  stills: CheckResult | null,
  verdict: SequenceVerdict,
  prompts: readonly HeadPrompt[],
  timings: CheckTiming[],
  provider: string,
): CheckResult {
  const codes = new Set<ReasonCode>((stills?.reasonCodes ?? []) as ReasonCode[]);
  const flags = new Set<RiskFlag>((stills?.riskFlags ?? []) as RiskFlag[]);
  if (verdict.status !== 'judged') codes.add('LIVENESS_INCONCLUSIVE');
  else if (verdict.problems.length > 0) codes.add('LIVENESS_FAILED');
  if (verdict.analysis?.replayed) flags.add('REPLAYED_FRAMES');
  if (codes.has('LIVENESS_FAILED')) codes.delete('LIVENESS_INCONCLUSIVE');
  const a = verdict.analysis;
  const scores: Record<string, number> = {
    ...(stills?.scores ?? {}),
    sequenceFrames: verdict.frames,
    sequenceSpanMs: a?.spanMs ?? 0,
    sequenceMaxGapMs: a?.maxGapMs ?? 0,
    sequenceYawReversals: a?.yawReversals ?? 0,
    sequenceMaxDistance: verdict.maxDistance === null ? -1 : Math.round(verdict.maxDistance * 1000) / 1000,
  };
  const extracted: Record<string, unknown> = {
    ...(stills?.extracted ?? { frames: [] }),
    sequence: {
      status: verdict.status,
      frames: verdict.frames,
      prompts,
      promptFrames: a?.promptFrames ?? [],
      problems: verdict.problems,
      framesWithFace: a?.framesWithFace ?? 0,
      recognisedFrames: verdict.recognisedFrames,
      yaws: verdict.yaws,
    },
  };
  const outcome: CheckOutcome = codes.has('LIVENESS_FAILED') ? 'fail' : codes.size > 0 ? 'inconclusive' : 'pass';
  return {
    check: 'liveness',
    outcome,
    scores,
    reasonCodes: [...codes],
    riskFlags: [...flags],
    extracted,
    timings: [...(stills?.timings ?? []), ...timings],
    provider,
  };
}
