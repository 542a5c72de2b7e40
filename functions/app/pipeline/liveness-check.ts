import type { PipelineInput } from '../../domain/pipeline-plan';
import type { CheckProvider, CheckResult, ImageInput } from '../../ports/checks';
import type { AppDeps } from '../deps';
import { captureOf, capturesOf, loadAttemptContext, readCapture, type AttemptContext } from './context';
import { PermanentTaskError } from './errors';
import { readStep, stepDone, writeCheckStep } from './step-results';

/**
 * Liveness of the attempt. Head-turn mode: one frame per prompt of the attempt's challenge and the continuous
 * recording of the challenge (`liveness_sequence`), compared with the selfie; the prompts come from prepare's snapshot (the verification's challenge is replaced after a retry
 * decline). Face Liveness mode (the attempt names a session): the provider's session verdict, then the
 * session's reference face against the selfie, so the live person is the one in the selfie.
 */
export async function livenessCheck(deps: AppDeps, input: PipelineInput): Promise<void> {
  if (await stepDone(deps, input, 'livenessCheck')) return;
  const ctx = await loadAttemptContext(deps, input);
  const selfieCapture = captureOf(ctx, 'selfie');
  const selfie = selfieCapture ? await readCapture(deps, selfieCapture) : null;
  const provider = await deps.checks();

  const sessionId = ctx.verification.attempts.find((a) => a.number === input.attempt)?.faceLivenessSessionId;
  const result = sessionId
    ? await checkFaceLivenessSession(provider, sessionId, selfie, ctx)
    : await checkChallenge(deps, input, ctx, provider, selfie);
  await writeCheckStep(deps, input, 'livenessCheck', result);
}

async function checkChallenge(
  deps: AppDeps,
  input: PipelineInput,
  ctx: AttemptContext,
  provider: CheckProvider,
  selfie: ImageInput | null,
): Promise<CheckResult> {
  const prepared = await readStep(deps, input, 'prepare');
  const prompts = prepared?.kind === 'prepare' ? prepared.challenge : ctx.verification.challenge;
  if (!prompts || prompts.length === 0) throw new PermanentTaskError('attempt has no liveness challenge');
  const recording = captureOf(ctx, 'liveness_sequence');
  const [frames, sequence] = await Promise.all([
    Promise.all(capturesOf(ctx, 'liveness_frame').map((c) => readCapture(deps, c, `frame ${c.index}`))),
    recording ? readCapture(deps, recording, 'liveness recording') : Promise.resolve(null),
  ]);
  return provider.checkLiveness({ prompts, frames, sequence, selfie, flow: ctx.flow });
}

/**
 * Reads the session's verdict. A session still open makes the provider throw: a transient error, so the task
 * is retried (an abandoned session expires after a few minutes and then reads as inconclusive).
 */
async function checkFaceLivenessSession(
  provider: CheckProvider,
  sessionId: string,
  selfie: ImageInput | null,
  ctx: AttemptContext,
): Promise<CheckResult> {
  if (!provider.faceLivenessSessions)
    throw new PermanentTaskError(
      `provider ${provider.name} has no Face Liveness sessions (attempt names session ${sessionId})`,
    );
  const { result, referenceImage } = await provider.faceLivenessSessions.getFaceLivenessResult(sessionId);
  if (result.outcome !== 'pass' || !selfie) return result;
  if (!referenceImage)
    return {
      ...result,
      outcome: 'inconclusive',
      reasonCodes: ['LIVENESS_INCONCLUSIVE'],
      extracted: { ...result.extracted, samePerson: null },
    };
  const samePerson = await provider.checkFaceMatch({ reference: referenceImage, probe: selfie, flow: ctx.flow });
  return withSamePerson(result, samePerson);
}

/** A live session whose face is not the selfie's is a failed liveness (someone else performed it). */
export function withSamePerson(liveness: CheckResult, samePerson: CheckResult): CheckResult {
  const scores = {
    ...liveness.scores,
    ...Object.fromEntries(Object.entries(samePerson.scores).map(([k, v]) => [`samePerson_${k}`, v])),
  };
  const extracted = { ...liveness.extracted, samePerson: samePerson.outcome };
  const timings = [...liveness.timings, ...samePerson.timings];
  if (samePerson.outcome === 'pass') return { ...liveness, scores, extracted, timings };
  const outcome = samePerson.outcome === 'fail' ? 'fail' : 'inconclusive';
  return {
    ...liveness,
    outcome,
    scores,
    extracted,
    timings,
    reasonCodes: [outcome === 'fail' ? 'LIVENESS_FAILED' : 'LIVENESS_INCONCLUSIVE'],
  };
}
