import { CHECK_OF_TASK, planTasks, type PipelineInput, type PipelineTaskName } from '../../domain/pipeline-plan';
import { isRiskFlag } from '../../domain/risk-flags';
import type { AppDeps } from '../deps';
import { recordStoredDecision, type RecordOutcome } from './decide';
import { PermanentTaskError } from './errors';
import { checkErrorResult, readStep, writeStep, type StepResult } from './step-results';

/**
 * Records a task that failed all its tries (the local runner, or the state machine's `<task>Failed` states).
 * `failedTask` is a plan task name; anything else is rejected.
 */
export type RecordTaskFailure = (
  deps: AppDeps,
  input: PipelineInput,
  failedTask: string,
  error: string | null,
) => Promise<void>;

const TASK_NAMES: ReadonlySet<string> = new Set(planTasks().map((t) => t.task));

function isPipelineTaskName(name: string): name is PipelineTaskName {
  return TASK_NAMES.has(name);
}

/**
 * Builds the failure recorder. A failed check stores a CHECK_ERROR check result and any other failed step a
 * `failed` record, so `decide` yields review with CHECK_ERROR. A failed `decide` stores a review/CHECK_ERROR
 * decision unless one is stored already, and records that stored decision, so the applicant is never left
 * waiting. First write wins everywhere: a result a task stored before failing (a late success) is kept.
 */
export function createRecordTaskFailure(recordOutcome: RecordOutcome): RecordTaskFailure {
  return async function recordTaskFailure(deps, input, failedTask, error) {
    if (!isPipelineTaskName(failedTask)) throw new PermanentTaskError(`unknown pipeline task "${failedTask}"`);
    const message = error ?? 'unknown error';
    if (failedTask !== 'decide') {
      const check = CHECK_OF_TASK[failedTask];
      const result: StepResult = check
        ? {
            kind: 'check',
            result: checkErrorResult(check, message),
            portraitKey: null,
            documentKeyHash: null,
            personKeyHash: null,
            error: message,
          }
        : { kind: 'failed', reasonCodes: ['CHECK_ERROR'], error: message };
      await writeStep(deps, input, failedTask, result);
      return;
    }

    const risk = await readStep(deps, input, 'riskSignals');
    await writeStep(deps, input, 'decide', {
      kind: 'decision',
      decision: 'review',
      declineType: null,
      reasonCodes: ['CHECK_ERROR'],
      riskFlags: risk?.kind === 'risk' ? risk.riskFlags.filter(isRiskFlag) : [],
    });
    const stored = await readStep(deps, input, 'decide');
    if (stored?.kind !== 'decision') throw new Error('decision was not stored');
    await recordStoredDecision(recordOutcome, deps, input, stored);
  };
}
