import * as z from 'zod';
import type { PipelineTaskName } from '../../domain/pipeline-plan';

/**
 * The payload Step Functions sends to the pipeline-task Lambda (see lib/pipeline-state-machine.ts).
 * Either a plan task to run, or — after a task failed all its retries — a request to record that
 * failure (reason CHECK_ERROR) so the `decide` task yields `review`.
 */
export const PIPELINE_TASK_NAMES = [
  'prepare',
  'documentCheck',
  'livenessCheck',
  'faceMatch',
  'riskSignals',
  'decide',
] as const satisfies readonly PipelineTaskName[];

// Compile-time proof the list names every plan task: a task added to the plan must be added here too.
type UnlistedTask = Exclude<PipelineTaskName, (typeof PIPELINE_TASK_NAMES)[number]>;
const everyTaskListed: [UnlistedTask] extends [never] ? true : UnlistedTask = true;
void everyTaskListed;

/** Task name used by the generated Catch states. */
export const RECORD_FAILURE_TASK = 'recordFailure';

const target = {
  verificationId: z.string().min(1).max(64),
  attempt: z.number().int().min(1).max(100),
};

export const pipelineTaskEventSchema = z.discriminatedUnion('task', [
  z.object({ task: z.enum(PIPELINE_TASK_NAMES), ...target }),
  z.object({
    task: z.literal(RECORD_FAILURE_TASK),
    failedTask: z.enum(PIPELINE_TASK_NAMES),
    /** Step Functions error name, e.g. States.Timeout, Lambda.ServiceException, Error. */
    error: z.string().max(256).nullable(),
    ...target,
  }),
]);

export type PipelineTaskEvent = z.infer<typeof pipelineTaskEventSchema>;
