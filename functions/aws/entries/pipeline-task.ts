import type { AppDeps } from '../../app/deps';
import { pipelineTasks, recordTaskFailure } from '../../app/pipeline/tasks';
import { planTasks, type PipelineInput, type PipelineTaskName } from '../../domain/pipeline-plan';
import { createAwsDeps } from '../deps';
import { faceApiSequenceObserver } from '../face-sequence-observer';
import { traced, withPowertools } from '../tracing';
import { RECORD_FAILURE_TASK } from '../../domain/pipeline-plan';
import { pipelineTaskEventSchema } from './pipeline-task-event';

// Rekognition and Textract calls show up as X-Ray subsegments: they are where this Lambda's time goes.
// The liveness recording is judged here, on the Lambda's CPU (face-api; weights, wasm and onnxruntime ship in the asset).
const deps = createAwsDeps(process.env, { instrumentClient: traced, sequenceObserver: faceApiSequenceObserver() });

/**
 * Lambda entry: one task of the Step Functions pipeline (lib/pipeline-state-machine.ts). A thrown error
 * is retried by the state machine, then caught and sent back here as `recordFailure`.
 */
export const handler = withPowertools(async (event: unknown): Promise<{ ok: true; skipped: boolean }> => {
  const input = pipelineTaskEventSchema.parse(event);
  const target: PipelineInput = { verificationId: input.verificationId, attempt: input.attempt };
  if (input.task === RECORD_FAILURE_TASK) {
    await recordTaskFailure(deps, target, input.failedTask, input.error);
    return { ok: true, skipped: false };
  }
  if (await notInFlow(deps, target, input.task)) return { ok: true, skipped: true };
  await pipelineTasks[input.task](deps, target);
  return { ok: true, skipped: false };
});

/** A check task whose check the flow does not include is skipped, as the local runner does (`whenCheck`). */
async function notInFlow(appDeps: AppDeps, target: PipelineInput, task: PipelineTaskName): Promise<boolean> {
  const check = planTasks().find((t) => t.task === task)?.whenCheck;
  if (!check) return false;
  const verification = await appDeps.store.verifications.get(target.verificationId);
  const flow = verification ? await appDeps.store.flows.get(verification.orgId, verification.flowId) : null;
  return flow !== null && !flow.checks.includes(check);
}
