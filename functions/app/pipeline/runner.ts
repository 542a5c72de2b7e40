import { pipelinePlan, type PipelineInput, type PipelineStage, type PipelineTaskName, type TaskStage } from '../../domain/pipeline-plan';
import type { Flow } from '../../domain/model';
import type { AppDeps } from '../deps';
import { DecisionNotRecordedError, PermanentTaskError, PipelineAbortedError, TaskTimeoutError, errorMessage } from './errors';
import { recordStepFailure } from './step-results';
import type { PipelineTask } from './task';
import { pipelineTasks } from './tasks';

export type TaskRunStatus = 'done' | 'skipped' | 'failed';

export interface TaskRunReport {
  status: TaskRunStatus;
  /** Tries made (0 when skipped). */
  tries: number;
  /** Last error of a failed task. */
  error?: string;
}

export interface PipelineRunReport {
  input: PipelineInput;
  /** `not_found`: the verification or its flow no longer exists; nothing ran. */
  status: 'completed' | 'not_found';
  tasks: Partial<Record<PipelineTaskName, TaskRunReport>>;
}

export interface RunPipelineOptions {
  plan?: readonly PipelineStage[];
  tasks?: Record<PipelineTaskName, PipelineTask>;
  /** Backoff wait; tests pass one that records the delay and resolves at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Aborts the run between tries (worker shutdown). Nothing is recorded for the interrupted task. */
  signal?: AbortSignal;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Executes the pipeline plan locally, with the semantics of the Step Functions machine built from the same plan:
 * stages in order, parallel branches concurrently, tasks skipped when the flow lacks their check, each task
 * retried with the plan's backoff and bounded by its timeout. A task that still fails gets a CHECK_ERROR step
 * result (like the state machine's Catch) and the run goes on, so `decide` yields review. `decide` itself has no
 * such fallback: if it fails, the run rejects and the at-least-once job is delivered again.
 *
 * Safe to re-run: every task skips work whose result is stored, so a run resumed after a crash finishes the
 * remaining steps and records exactly one decision.
 */
export async function runPipeline(deps: AppDeps, input: PipelineInput, options: RunPipelineOptions = {}): Promise<PipelineRunReport> {
  const report: PipelineRunReport = { input, status: 'completed', tasks: {} };
  const verification = await deps.store.verifications.get(input.verificationId);
  const flow = verification ? await deps.store.flows.get(verification.orgId, verification.flowId) : null;
  if (!flow) return { ...report, status: 'not_found' };

  const run: RunContext = {
    deps,
    input,
    flow,
    tasks: options.tasks ?? pipelineTasks,
    sleep: options.sleep ?? defaultSleep,
    signal: options.signal,
    report,
  };
  await runStages(run, options.plan ?? pipelinePlan);
  return report;
}

interface RunContext {
  deps: AppDeps;
  input: PipelineInput;
  flow: Flow;
  tasks: Record<PipelineTaskName, PipelineTask>;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal | undefined;
  report: PipelineRunReport;
}

async function runStages(run: RunContext, stages: readonly PipelineStage[]): Promise<void> {
  for (const stage of stages) {
    if (stage.kind === 'task') {
      await runTask(run, stage);
    } else {
      // allSettled: a branch that rejects (abort) must not leave its sibling writing after the run returned.
      const settled = await Promise.allSettled(stage.branches.map((branch) => runStages(run, branch)));
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (rejected) throw rejected.reason;
    }
  }
}

async function runTask(run: RunContext, stage: TaskStage): Promise<void> {
  if (stage.whenCheck && !run.flow.checks.includes(stage.whenCheck)) {
    run.report.tasks[stage.task] = { status: 'skipped', tries: 0 };
    return;
  }
  const task = run.tasks[stage.task];
  const timeoutMs = stage.timeoutSeconds * 1000;
  let lastError: unknown;
  let tries = 0;
  for (let attempt = 1; attempt <= Math.max(1, stage.retry.maxAttempts); attempt++) {
    throwIfAborted(run.signal);
    tries = attempt;
    try {
      await withTimeout(task(run.deps, run.input), timeoutMs, stage.task);
      run.report.tasks[stage.task] = { status: 'done', tries };
      return;
    } catch (err) {
      throwIfAborted(run.signal);
      lastError = err;
      if (err instanceof PermanentTaskError || attempt >= stage.retry.maxAttempts) break;
      await run.sleep(backoffMs(stage, attempt));
    }
  }

  const error = errorMessage(lastError);
  run.report.tasks[stage.task] = { status: 'failed', tries, error };
  if (stage.task === 'decide') throw new DecisionNotRecordedError(lastError);
  await recordStepFailure(run.deps, run.input, stage.task, error);
}

/** Wait before try `attempt + 1`: interval * backoffRate^(attempt - 1), as Step Functions computes it. */
export function backoffMs(stage: TaskStage, attempt: number): number {
  return stage.retry.intervalSeconds * 1000 * stage.retry.backoffRate ** (attempt - 1);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PipelineAbortedError();
}

/** Rejects after `ms`. The task itself cannot be cancelled; if it finishes later, first-write-wins keeps one result. */
async function withTimeout<T>(promise: Promise<T>, ms: number, task: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TaskTimeoutError(task, ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
