import type { PipelineTaskName } from '../../domain/pipeline-plan';
import { recordAttemptOutcome } from '../outcomes';
import { createDecideTask, type RecordOutcome } from './decide';
import { documentCheck } from './document-check';
import { faceMatch } from './face-match';
import { createRecordTaskFailure, type RecordTaskFailure } from './failures';
import { livenessCheck } from './liveness-check';
import { prepare } from './prepare';
import { riskSignals } from './risk-signals';
import type { PipelineTask } from './task';

/** Builds the task registry around an outcome recorder (tests pass a double; production uses the default). */
export function createPipelineTasks(
  recordOutcome: RecordOutcome = recordAttemptOutcome,
): Record<PipelineTaskName, PipelineTask> {
  return {
    prepare,
    documentCheck,
    livenessCheck,
    faceMatch,
    riskSignals,
    decide: createDecideTask(recordOutcome),
  };
}

/** The task registry both runtimes dispatch on: the local runner and the AWS Step Functions task Lambda. */
export const pipelineTasks: Record<PipelineTaskName, PipelineTask> = createPipelineTasks();

/**
 * Records a task that failed all its tries: the local runner calls it, and the AWS task Lambda calls it for
 * the state machine's `recordFailure` task (`{ failedTask, error }`).
 */
export const recordTaskFailure: RecordTaskFailure = createRecordTaskFailure(recordAttemptOutcome);
