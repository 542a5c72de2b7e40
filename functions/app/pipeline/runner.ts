import {
  pipelinePlan,
  type PipelineInput,
  type PipelineStage,
  type PipelineTaskName,
  type TaskStage,
} from '../../domain/pipeline-plan';
import type { Flow } from '../../domain/model';
import { isTerminal } from '../../domain/verification';
import type { AppDeps } from '../deps';
import { recordAttemptOutcome } from '../outcomes';
import type { RecordOutcome } from './decide';
import { PermanentTaskError, PipelineAbortedError, TaskTimeoutError, errorMessage } from './errors';
import { createRecordTaskFailure, type RecordTaskFailure } from './failures';
import type { PipelineTask } from './task';
import { createPipelineTasks } from './tasks';

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
  /**
   * `completed`: decide recorded a decision (possibly review after failed steps). `failed`: decide itself failed
   * and a review/CHECK_ERROR outcome was recorded instead (the state machine's PipelineFailed).
   * `not_found`: the verification, its flow or the attempt does not exist; nothing ran.
   * `already_decided`: the attempt already has its outcome or the verification is terminal (a redelivered job,
   * an expired or simulated session); nothing ran.
   */
  status: 'completed' | 'failed' | 'not_found' | 'already_decided';
  tasks: Partial<Record<PipelineTaskName, TaskRunReport>>;
}

export interface RunPipelineOptions {
  plan?: readonly PipelineStage[];
  /** How decide (and a failed decide) record the outcome; defaults to recordAttemptOutcome. */
  recordOutcome?: RecordOutcome;
  /** Task registry; defaults to the real tasks around `recordOutcome` (tests wrap them to inject faults). */
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
 * retried with the plan's backoff and bounded by its timeout. A task that still fails is recorded like the
 * state machine's Catch does (lib/pipeline-state-machine.ts): a failed check stores a CHECK_ERROR result and the
 * run goes on; a failed top-level non-check stage (prepare, riskSignals) jumps to the last stage (decide); a
 * failed decide records review/CHECK_ERROR and the run reports `failed`. If even recording fails, the run rejects
 * and the at-least-once job is delivered again.
 *
 * Safe to re-run: every task skips work whose result is stored, so a run resumed after a crash finishes the
 * remaining steps and records exactly one decision.
 */
export async function runPipeline(
  deps: AppDeps,
  input: PipelineInput,
  options: RunPipelineOptions = {},
): Promise<PipelineRunReport> {
  const report: PipelineRunReport = { input, status: 'completed', tasks: {} };
  const verification = await deps.store.verifications.get(input.verificationId);
  const flow = verification ? await deps.store.flows.get(verification.orgId, verification.flowId) : null;
  const attempt = verification?.attempts.find((a) => a.number === input.attempt);
  if (!verification || !flow || !attempt) return { ...report, status: 'not_found' };
  if (attempt.completedAt || isTerminal(verification.status)) return { ...report, status: 'already_decided' };

  const recordOutcome = options.recordOutcome ?? recordAttemptOutcome;
  const run: RunContext = {
    deps,
    input,
    flow,
    tasks: options.tasks ?? createPipelineTasks(recordOutcome),
    recordFailure: createRecordTaskFailure(recordOutcome),
    sleep: options.sleep ?? defaultSleep,
    signal: options.signal,
    report,
  };
  await runStages(run, options.plan ?? pipelinePlan, true);
  return report;
}

interface RunContext {
  deps: AppDeps;
  input: PipelineInput;
  flow: Flow;
  tasks: Record<PipelineTaskName, PipelineTask>;
  recordFailure: RecordTaskFailure;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal | undefined;
  report: PipelineRunReport;
}

async function runStages(run: RunContext, stages: readonly PipelineStage[], topLevel: boolean): Promise<void> {
  const lastStage = stages.at(-1);
  for (const stage of stages) {
    if (stage.kind === 'parallel') {
      // allSettled: a branch that rejects (abort) must not leave its sibling writing after the run returned.
      const settled = await Promise.allSettled(stage.branches.map((branch) => runStages(run, branch, false)));
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (rejected) throw rejected.reason;
      continue;
    }
    const ok = await runTask(run, stage);
    // Later checks cannot trust their inputs after a failed non-check stage: go straight to the last stage
    // (decide), as the state machine's Catch does.
    if (!ok && !stage.whenCheck && topLevel && lastStage && stage !== lastStage) {
      await runStages(run, [lastStage], false);
      return;
    }
  }
}

/** Runs one task stage with retries; returns false if it failed (the failure is then recorded). */
async function runTask(run: RunContext, stage: TaskStage): Promise<boolean> {
  if (stage.whenCheck && !run.flow.checks.includes(stage.whenCheck)) {
    run.report.tasks[stage.task] = { status: 'skipped', tries: 0 };
    return true;
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
      return true;
    } catch (err) {
      throwIfAborted(run.signal);
      lastError = err;
      if (err instanceof PermanentTaskError || attempt >= stage.retry.maxAttempts) break;
      await run.sleep(backoffMs(stage, attempt));
    }
  }

  const error = errorMessage(lastError);
  run.report.tasks[stage.task] = { status: 'failed', tries, error };
  await run.recordFailure(run.deps, run.input, stage.task, error);
  if (stage.task === 'decide') run.report.status = 'failed';
  return false;
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
