import type { CheckName, CheckOutcome, Decision, DeclineType } from './model';
import { REASON_CODE_NAMES, REASON_CODES, isReasonCode, type ReasonCode } from './reason-codes';
import { RISK_FLAG_NAMES, isRiskFlag, type RiskFlag } from './risk-flags';

/**
 * The decision engine: turns the normalized check results of one attempt into approved / declined
 * (retry|final) / review. Pure: no I/O, no clock. The rules are documented for integrators in
 * docs/reason-codes.md ("Decision rules"); keep the two in step.
 */

/**
 * What the engine needs from a check result. `CheckResult` (functions/ports/checks.ts) satisfies it;
 * the domain declares its own shape so it does not depend on the ports.
 */
export interface CheckVerdict {
  check: CheckName;
  outcome: CheckOutcome;
  reasonCodes: readonly string[];
  riskFlags: readonly string[];
}

export interface DecisionInput {
  /** Results of the checks that ran in this attempt; a check the flow does not include is simply absent. */
  results: Partial<Record<CheckName, CheckVerdict>>;
  /** Checks the flow requires (flow.checks). A required check without a result is an error. */
  requiredChecks: readonly CheckName[];
  /** Cross-verification risk flags (riskSignals step). Never change the decision. */
  riskFlags: readonly string[];
  /** Non-check pipeline steps that failed or left no result (e.g. prepare, riskSignals). */
  failedSteps?: readonly string[];
  /** 1-based number of this attempt. */
  attempt: number;
  /** flow.maxAttempts. */
  maxAttempts: number;
}

export interface DecisionOutcome {
  decision: Decision;
  declineType: DeclineType | null;
  /** Every catalog reason code the attempt raised, de-duplicated, in catalog order. Empty when approved. */
  reasonCodes: ReasonCode[];
  /** Every catalog risk flag raised (by checks or signals), de-duplicated, in catalog order. */
  riskFlags: RiskFlag[];
}

/**
 * Decides one attempt.
 *
 * 1. Collect reason codes of all results; unknown (non-catalog) codes are dropped. A required check that is
 *    missing, a failed pipeline step, or a non-`pass` result that carries no catalog code adds CHECK_ERROR
 *    (a decline must always be explainable, so an unexplained failure goes to a person).
 * 2. Any code with effect `final` -> declined/final.
 * 3. Else any `retry` code -> declined/retry; on the last attempt (attempt >= maxAttempts) -> declined/final
 *    with ATTEMPTS_EXHAUSTED added.
 * 4. Else any `review` code -> review.
 * 5. Else approved.
 *
 * Risk flags are collected from the results and `riskFlags`, but never influence the decision.
 */
export function decideAttempt(input: DecisionInput): DecisionOutcome {
  const codes = new Set<ReasonCode>();
  const flags = new Set<RiskFlag>();

  for (const flag of input.riskFlags) if (isRiskFlag(flag)) flags.add(flag);
  if ((input.failedSteps ?? []).length > 0) codes.add('CHECK_ERROR');

  for (const check of input.requiredChecks) {
    if (!input.results[check]) codes.add('CHECK_ERROR');
  }

  for (const result of Object.values(input.results)) {
    if (!result) continue;
    for (const flag of result.riskFlags) if (isRiskFlag(flag)) flags.add(flag);
    const known = result.reasonCodes.filter(isReasonCode);
    for (const code of known) codes.add(code);
    if (result.outcome !== 'pass' && known.length === 0) codes.add('CHECK_ERROR');
  }

  const effects = new Set([...codes].map((code) => REASON_CODES[code].effect));
  let decision: Decision;
  let declineType: DeclineType | null;
  if (effects.has('final')) {
    decision = 'declined';
    declineType = 'final';
  } else if (effects.has('retry')) {
    decision = 'declined';
    if (input.attempt >= input.maxAttempts) {
      declineType = 'final';
      codes.add('ATTEMPTS_EXHAUSTED');
    } else {
      declineType = 'retry';
    }
  } else if (effects.has('review')) {
    decision = 'review';
    declineType = null;
  } else {
    decision = 'approved';
    declineType = null;
  }

  return {
    decision,
    declineType,
    reasonCodes: REASON_CODE_NAMES.filter((code) => codes.has(code)),
    riskFlags: RISK_FLAG_NAMES.filter((flag) => flags.has(flag)),
  };
}
