/** The verification pipeline's tasks and local runner. */
export { runPipeline, backoffMs, type PipelineRunReport, type RunPipelineOptions, type TaskRunReport } from './runner';
export { pipelineTasks, createPipelineTasks, recordTaskFailure } from './tasks';
export { createRecordTaskFailure, type RecordTaskFailure } from './failures';
export type { PipelineTask } from './task';
export type { RecordOutcome } from './decide';
export { PermanentTaskError, PipelineAbortedError, TaskTimeoutError } from './errors';
