import {
  RECORD_FAILURE_TASK,
  type PipelineStage,
  type RetryPolicy,
  type TaskStage,
} from '../functions/domain/pipeline-plan';

/**
 * Generates the Step Functions (ASL, JSONPath) definition of the verification pipeline from the
 * domain's `pipelinePlan`, so the local runner and the state machine can never disagree on the steps.
 * Pure: no CDK import, so tests run the result in aws-local-stepfunctions.
 *
 * Shape:
 * - a task stage -> a Task state named after the task, invoking the pipeline-task Lambda with
 *   `{ task, verificationId, attempt }`, its result discarded (`ResultPath: null`): tasks exchange
 *   data through the store, so every state's output is the execution input;
 * - a parallel stage -> a Parallel state whose branches are generated the same way;
 * - Retry from the stage's policy (`maxAttempts` counts the first try; ASL counts retries), except for
 *   PermanentTaskError, which is never retried;
 * - a check the flow does not include is skipped by the task Lambda itself (it reads the flow), so the
 *   state input stays `{ verificationId, attempt }`;
 * - Catch -> `<task>Failed`, a Task state that invokes the same Lambda with
 *   `{ task: 'recordFailure', failedTask, error }` so the failure is stored (reason CHECK_ERROR) and
 *   `decide` yields `review`. After a failed check the pipeline goes on with the next stage (other
 *   checks still run); after a failed non-check stage (prepare, riskSignals) it jumps to the last
 *   stage (decide), because later checks cannot trust their inputs; if `decide` itself fails, the
 *   failure is recorded (the task records a `review` outcome) and the execution ends in
 *   `PipelineFailed` so the state-machine failure alarm fires.
 */

/** One ASL state (the subset this generator emits). */
export type AslState = Record<string, unknown> & { Type: 'Task' | 'Parallel' | 'Fail' | 'Succeed' | 'Pass' };

export interface AslDefinition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, AslState>;
}

export const PIPELINE_FAILED_STATE = 'PipelineFailed';
/** Budget of the record-failure Task state (DynamoDB writes only). */
export const RECORD_FAILURE_TIMEOUT_SECONDS = 10;
const recordFailureRetry: RetryPolicy = { maxAttempts: 3, intervalSeconds: 1, backoffRate: 2 };

/** Name of the Catch target of a task. */
export function failedStateName(task: string): string {
  return `${task}Failed`;
}

function stageStateName(stage: PipelineStage): string {
  return stage.kind === 'task' ? stage.task : stage.name;
}

/**
 * Error name of a task failure that retrying cannot fix (functions/app/pipeline/errors.ts PermanentTaskError;
 * the Lambda runtime reports `error.name` as the Step Functions error).
 */
export const PERMANENT_ERROR_NAME = 'PermanentTaskError';

function retrier(policy: RetryPolicy): Record<string, unknown>[] {
  if (policy.maxAttempts <= 1) return [];
  return [
    // Like the local runner: a permanent error goes straight to the Catch.
    { ErrorEquals: [PERMANENT_ERROR_NAME], MaxAttempts: 0 },
    {
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: policy.intervalSeconds,
      MaxAttempts: policy.maxAttempts - 1,
      BackoffRate: policy.backoffRate,
    },
  ];
}

/** Where a state goes next: another state, or the end of its branch / of the execution. */
type Continuation = { Next: string } | { End: true };

function taskState(
  task: string,
  extraParameters: Record<string, unknown>,
  arn: string,
  timeoutSeconds: number,
  retry: RetryPolicy,
): AslState {
  return {
    Type: 'Task',
    Resource: arn,
    Parameters: { task, ...extraParameters, 'verificationId.$': '$.verificationId', 'attempt.$': '$.attempt' },
    // Tasks communicate through the store; keep the input ({ verificationId, attempt }) as the output.
    ResultPath: null,
    TimeoutSeconds: timeoutSeconds,
    Retry: retrier(retry),
  };
}

/**
 * Builds the states of one sequence (the top level or a Parallel branch).
 * `onNonCheckFailure` is where a failed non-check stage continues (the top level's last stage).
 */
function buildSequence(
  stages: readonly PipelineStage[],
  arn: string,
  states: Record<string, AslState>,
  ctx: { topLevel: boolean; lastTopLevelState: string },
): void {
  stages.forEach((stage, i) => {
    const next = stages[i + 1];
    const continuation: Continuation = next ? { Next: stageStateName(next) } : { End: true };
    const name = stageStateName(stage);
    if (stage.kind === 'parallel') {
      const branches = stage.branches.map((branch) => {
        const branchStates: Record<string, AslState> = {};
        buildSequence(branch, arn, branchStates, { ...ctx, topLevel: false });
        const first = branch[0];
        if (!first) throw new Error(`parallel stage ${stage.name} has an empty branch`);
        return { StartAt: stageStateName(first), States: branchStates };
      });
      states[name] = { Type: 'Parallel', Branches: branches, ResultPath: null, ...continuation };
      return;
    }
    states[name] = {
      ...taskState(stage.task, {}, arn, stage.timeoutSeconds, stage.retry),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: failedStateName(stage.task) }],
      ...continuation,
    };
    states[failedStateName(stage.task)] = {
      ...taskState(
        RECORD_FAILURE_TASK,
        { failedTask: stage.task, 'error.$': '$.failure.Error' },
        arn,
        RECORD_FAILURE_TIMEOUT_SECONDS,
        recordFailureRetry,
      ),
      ...afterFailure(stage, continuation, ctx),
    };
  });
}

function afterFailure(
  stage: TaskStage,
  continuation: Continuation,
  ctx: { topLevel: boolean; lastTopLevelState: string },
): Continuation {
  if (stage.whenCheck) return continuation; // other checks still run; decide sees CHECK_ERROR
  if (!ctx.topLevel) return continuation;
  if (stage.task === ctx.lastTopLevelState) return { Next: PIPELINE_FAILED_STATE };
  return { Next: ctx.lastTopLevelState };
}

/** Worst-case seconds one task can take: every try times out, plus the back-off pauses. */
function taskWorstCaseSeconds(timeoutSeconds: number, retry: RetryPolicy): number {
  let total = timeoutSeconds * Math.max(1, retry.maxAttempts);
  for (let i = 0; i < retry.maxAttempts - 1; i++) total += retry.intervalSeconds * retry.backoffRate ** i;
  return total;
}

/** Worst-case duration of a sequence of stages, including each task's failure recording. */
export function worstCaseSeconds(stages: readonly PipelineStage[]): number {
  const recordFailure = taskWorstCaseSeconds(RECORD_FAILURE_TIMEOUT_SECONDS, recordFailureRetry);
  return stages.reduce((sum, stage) => {
    if (stage.kind === 'task') return sum + taskWorstCaseSeconds(stage.timeoutSeconds, stage.retry) + recordFailure;
    return sum + Math.max(0, ...stage.branches.map((b) => worstCaseSeconds(b)));
  }, 0);
}

/**
 * The pipeline state machine's ASL definition.
 *
 * @param plan - the stages, normally `pipelinePlan`
 * @param taskFunctionArn - ARN of the pipeline-task Lambda (a CDK token string is fine: it is resolved
 *   when the stack serializes the definition)
 */
export function buildPipelineDefinition(plan: readonly PipelineStage[], taskFunctionArn: string): AslDefinition {
  const first = plan[0];
  const last = plan[plan.length - 1];
  if (!first || !last) throw new Error('pipeline plan is empty');
  if (last.kind !== 'task') throw new Error('the last pipeline stage must be a task (the decision)');
  const states: Record<string, AslState> = {};
  buildSequence(plan, taskFunctionArn, states, { topLevel: true, lastTopLevelState: last.task });
  states[PIPELINE_FAILED_STATE] = {
    Type: 'Fail',
    Error: 'PipelineFailed',
    Cause: 'The decision step failed after retries; the failure was recorded for review.',
  };
  return {
    Comment: 'KYC verification pipeline, generated from functions/domain/pipeline-plan.ts',
    StartAt: stageStateName(first),
    // Twice the worst case: a stuck execution is cut off, a slow but progressing one is not.
    TimeoutSeconds: Math.ceil(worstCaseSeconds(plan) * 2),
    States: states,
  };
}
