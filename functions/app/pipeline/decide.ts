import { decideAttempt, type CheckVerdict } from '../../domain/decision';
import type { CheckName } from '../../domain/model';
import { taskOfCheck, type PipelineInput } from '../../domain/pipeline-plan';
import type { AppDeps } from '../deps';
import type { AttemptOutcome } from '../outcomes';
import { loadAttemptContext } from './context';
import { readStep, writeStep, type DecisionStepResult } from './step-results';
import type { PipelineTask } from './task';

/** Records an attempt's outcome (functions/app/outcomes.ts in production; a test double in runner tests). */
export type RecordOutcome = (deps: AppDeps, outcome: AttemptOutcome) => Promise<void>;

/**
 * Builds the `decide` task: runs the decision engine over the stored step results, stores the decision (first
 * write wins), then records the stored decision. A re-run after a crash between the two re-records the same
 * decision, which recordAttemptOutcome treats as a no-op; the engine never runs twice with different results.
 */
export function createDecideTask(recordOutcome: RecordOutcome): PipelineTask {
  return async function decide(deps, input) {
    let stored = await readDecision(deps, input);
    if (!stored) {
      await writeStep(deps, input, 'decide', await computeDecision(deps, input));
      stored = await readDecision(deps, input);
      if (!stored) throw new Error('decision was not stored');
    }
    await recordStoredDecision(recordOutcome, deps, input, stored);
  };
}

/** Records a stored decision as the attempt's outcome (shared with the failure recorder). */
export function recordStoredDecision(
  recordOutcome: RecordOutcome,
  deps: AppDeps,
  input: PipelineInput,
  stored: DecisionStepResult,
): Promise<void> {
  return recordOutcome(deps, {
    verificationId: input.verificationId,
    attempt: input.attempt,
    decision: stored.decision,
    declineType: stored.declineType,
    reasonCodes: stored.reasonCodes,
    riskFlags: stored.riskFlags,
  });
}

async function readDecision(deps: AppDeps, input: PipelineInput): Promise<DecisionStepResult | null> {
  const step = await readStep(deps, input, 'decide');
  return step?.kind === 'decision' ? step : null;
}

/** Gathers the attempt's step results and runs the engine. A missing or failed step counts as an error. */
async function computeDecision(deps: AppDeps, input: PipelineInput): Promise<DecisionStepResult> {
  const { flow } = await loadAttemptContext(deps, input);
  const results: Partial<Record<CheckName, CheckVerdict>> = {};
  for (const check of flow.checks) {
    const step = await readStep(deps, input, taskOfCheck(check));
    if (step?.kind === 'check') results[check] = step.result;
  }
  const failedSteps: string[] = [];
  const prepared = await readStep(deps, input, 'prepare');
  if (prepared?.kind !== 'prepare') failedSteps.push('prepare');
  const risk = await readStep(deps, input, 'riskSignals');
  if (risk?.kind !== 'risk') failedSteps.push('riskSignals');

  const outcome = decideAttempt({
    results,
    requiredChecks: flow.checks,
    riskFlags: risk?.kind === 'risk' ? risk.riskFlags : [],
    failedSteps,
    attempt: input.attempt,
    maxAttempts: flow.maxAttempts,
  });
  return { kind: 'decision', ...outcome };
}
