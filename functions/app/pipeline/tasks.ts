import type { PipelineTaskName } from '../../domain/pipeline-plan';
import { recordAttemptOutcome } from '../outcomes';
import { createDecideTask, type RecordOutcome } from './decide';
import { documentCheck } from './document-check';
import { faceMatch } from './face-match';
import { livenessCheck } from './liveness-check';
import { prepare } from './prepare';
import { riskSignals } from './risk-signals';
import type { PipelineTask } from './task';

export interface PipelineTaskOptions {
  /** How `decide` records the outcome; defaults to recordAttemptOutcome (verification lifecycle + webhooks). */
  recordOutcome?: RecordOutcome;
}

/** Builds the task registry (tests pass their own outcome recorder). */
export function createPipelineTasks(options: PipelineTaskOptions = {}): Record<PipelineTaskName, PipelineTask> {
  return {
    prepare,
    documentCheck,
    livenessCheck,
    faceMatch,
    riskSignals,
    decide: createDecideTask(options.recordOutcome ?? recordAttemptOutcome),
  };
}

/** The task registry both runtimes dispatch on: the local runner and the AWS Step Functions task Lambda. */
export const pipelineTasks: Record<PipelineTaskName, PipelineTask> = createPipelineTasks();
