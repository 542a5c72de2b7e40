/** The verification pipeline's tasks and local runner. */
export { runPipeline, backoffMs, type PipelineRunReport, type RunPipelineOptions, type TaskRunReport } from './runner';
export { pipelineTasks, createPipelineTasks, type PipelineTaskOptions } from './tasks';
export type { PipelineTask } from './task';
export type { RecordOutcome } from './decide';
export { recordStepFailure } from './step-results';
export { PermanentTaskError, PipelineAbortedError, DecisionNotRecordedError, TaskTimeoutError } from './errors';
