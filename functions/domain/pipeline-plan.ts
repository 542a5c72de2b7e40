/**
 * The verification pipeline, defined once. The local runtime executes this plan on the durable queue
 * (functions/app/pipeline/runner.ts); the CDK stack turns the same plan into the Step Functions state
 * machine (lib/pipeline-state-machine.ts). Steps exchange only `{ verificationId, attempt }`: each
 * step reads its inputs from and writes its result to the store, so a re-run step is idempotent and
 * payloads stay small.
 */

import type { CheckName } from './model';

/**
 * The plan's tasks: `prepare` loads the attempt, checks its captures and marks it in_progress; the three
 * checks; `riskSignals`; `decide` runs the decision engine and records the outcome (events, webhooks).
 */
export const PIPELINE_TASK_NAMES = [
  'prepare',
  'documentCheck',
  'livenessCheck',
  'faceMatch',
  'riskSignals',
  'decide',
] as const;
export type PipelineTaskName = (typeof PIPELINE_TASK_NAMES)[number];

/** Task name of the failure-recording step (the state machine's Catch states; the runner calls it directly). */
export const RECORD_FAILURE_TASK = 'recordFailure';

export interface RetryPolicy {
  /** Total tries including the first. */
  maxAttempts: number;
  intervalSeconds: number;
  backoffRate: number;
}

export interface TaskStage {
  kind: 'task';
  task: PipelineTaskName;
  timeoutSeconds: number;
  retry: RetryPolicy;
  /** Skip the task when the flow does not include this check. */
  whenCheck?: CheckName;
}

export interface ParallelStage {
  kind: 'parallel';
  name: string;
  branches: PipelineStage[][];
}

export type PipelineStage = TaskStage | ParallelStage;

const checkRetry: RetryPolicy = { maxAttempts: 3, intervalSeconds: 2, backoffRate: 2 };
const quickRetry: RetryPolicy = { maxAttempts: 3, intervalSeconds: 1, backoffRate: 2 };

/** Document and liveness are independent and run in parallel; the face match needs the document's portrait. */
export const pipelinePlan: readonly PipelineStage[] = [
  { kind: 'task', task: 'prepare', timeoutSeconds: 10, retry: quickRetry },
  {
    kind: 'parallel',
    name: 'captureChecks',
    branches: [
      [{ kind: 'task', task: 'documentCheck', timeoutSeconds: 60, retry: checkRetry, whenCheck: 'document' }],
      [{ kind: 'task', task: 'livenessCheck', timeoutSeconds: 60, retry: checkRetry, whenCheck: 'liveness' }],
    ],
  },
  { kind: 'task', task: 'faceMatch', timeoutSeconds: 60, retry: checkRetry, whenCheck: 'faceMatch' },
  { kind: 'task', task: 'riskSignals', timeoutSeconds: 30, retry: quickRetry },
  { kind: 'task', task: 'decide', timeoutSeconds: 10, retry: quickRetry },
];

/** Input and output of every task (and of the whole pipeline). */
export interface PipelineInput {
  verificationId: string;
  attempt: number;
}

/** All task names in plan order (depth-first), for runners and tests. */
export function planTasks(plan: readonly PipelineStage[] = pipelinePlan): TaskStage[] {
  return plan.flatMap((s) => (s.kind === 'task' ? [s] : s.branches.flatMap((b) => planTasks(b))));
}

const checkTasks = planTasks().filter((t): t is TaskStage & { whenCheck: CheckName } => t.whenCheck !== undefined);

/** The check a plan task runs (its `whenCheck`); undefined for the other tasks. */
export const CHECK_OF_TASK: Readonly<Partial<Record<PipelineTaskName, CheckName>>> = Object.fromEntries(
  checkTasks.map((t) => [t.task, t.whenCheck]),
);

/** The plan task that runs a check. */
export function taskOfCheck(check: CheckName): PipelineTaskName {
  const task = checkTasks.find((t) => t.whenCheck === check)?.task;
  if (!task) throw new Error(`the pipeline plan has no task for the ${check} check`);
  return task;
}
