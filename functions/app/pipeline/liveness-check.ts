import type { PipelineInput } from '../../domain/pipeline-plan';
import type { AppDeps } from '../deps';
import { captureOf, capturesOf, loadAttemptContext, readCapture } from './context';
import { PermanentTaskError } from './errors';
import { readStep, stepDone, storableCheckResult, writeStep } from './step-results';

/**
 * Head-turn liveness: one frame per prompt of the attempt's challenge, compared with the selfie. The prompts
 * come from prepare's snapshot (the verification's challenge is replaced after a retry decline).
 */
export async function livenessCheck(deps: AppDeps, input: PipelineInput): Promise<void> {
  if (await stepDone(deps, input, 'livenessCheck')) return;
  const ctx = await loadAttemptContext(deps, input);
  const prepared = await readStep(deps, input, 'prepare');
  const prompts = prepared?.kind === 'prepare' ? prepared.challenge : ctx.verification.challenge;
  if (!prompts || prompts.length === 0) throw new PermanentTaskError('attempt has no liveness challenge');

  const frames = await Promise.all(capturesOf(ctx, 'liveness_frame').map((c) => readCapture(deps, c, `frame ${c.index}`)));
  const selfieCapture = captureOf(ctx, 'selfie');
  const selfie = selfieCapture ? await readCapture(deps, selfieCapture) : null;

  const provider = await deps.checks();
  const result = await provider.checkLiveness({ prompts, frames, selfie, flow: ctx.flow });
  await writeStep(deps, input, 'livenessCheck', {
    kind: 'check',
    result: storableCheckResult(result),
    portraitKey: null,
    documentKeyHash: null,
    personKeyHash: null,
    error: null,
  });
}
