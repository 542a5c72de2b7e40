/**
 * The verification pipeline, defined once. The local runtime executes this plan on the durable queue
 * (functions/app/pipeline/runner.ts); the CDK stack turns the same plan into the Step Functions state
 * machine (lib/pipeline-state-machine.ts). Steps exchange only `{ verificationId, attempt }`: each
 * step reads its inputs from and writes its result to the store, so a re-run step is idempotent and
 * payloads stay small.
 */

export type PipelineTaskName =
  | 'prepare' // load the attempt, check captures exist, mark in_progress
  | 'documentCheck'
  | 'livenessCheck'
  | 'faceMatch'
  | 'riskSignals'
  | 'decide'; // decision engine + record outcome (events, webhooks)

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
  whenCheck?: 'document' | 'liveness' | 'faceMatch';
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
