import * as z from 'zod';
import { PIPELINE_TASK_NAMES, RECORD_FAILURE_TASK } from '../../domain/pipeline-plan';

/**
 * The payload Step Functions sends to the pipeline-task Lambda (see lib/pipeline-state-machine.ts).
 * Either a plan task to run, or — after a task failed all its retries — a request to record that
 * failure (reason CHECK_ERROR) so the `decide` task yields `review`.
 */

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
