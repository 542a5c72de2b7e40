import type { PipelineInput } from '../../domain/pipeline-plan';
import type { AppDeps } from '../deps';

/**
 * One pipeline task. Reads its inputs from the store, writes its result with steps.putIfAbsent, returns
 * nothing: the same function runs in the local runner and behind the AWS Step Functions task Lambda.
 * A task whose result already exists does nothing, so re-running it after a crash is safe.
 */
export type PipelineTask = (deps: AppDeps, input: PipelineInput) => Promise<void>;
