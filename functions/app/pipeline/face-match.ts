import type { PipelineInput } from '../../domain/pipeline-plan';
import type { ImageInput } from '../../ports/checks';
import type { AppDeps } from '../deps';
import { captureOf, loadAttemptContext, readCapture, type AttemptContext } from './context';
import { PermanentTaskError } from './errors';
import { readStep, stepDone, writeCheckStep } from './step-results';

/** Selfie vs the document portrait crop from documentCheck, or the whole document front when there is none. */
export async function faceMatch(deps: AppDeps, input: PipelineInput): Promise<void> {
  if (await stepDone(deps, input, 'faceMatch')) return;
  const ctx = await loadAttemptContext(deps, input);
  const selfieCapture = captureOf(ctx, 'selfie');
  if (!selfieCapture) throw new PermanentTaskError('no selfie capture');
  const probe = await readCapture(deps, selfieCapture);
  const reference = await referenceFace(deps, input, ctx);

  const provider = await deps.checks();
  const result = await provider.checkFaceMatch({ reference, probe, flow: ctx.flow });
  await writeCheckStep(deps, input, 'faceMatch', result);
}

async function referenceFace(deps: AppDeps, input: PipelineInput, ctx: AttemptContext): Promise<ImageInput> {
  const doc = await readStep(deps, input, 'documentCheck');
  // A portrait without a recorded digest (an older run) is not trusted: the verified document front is used.
  if (doc?.kind === 'check' && doc.portraitKey && doc.portraitSha256) {
    const portrait = await deps.blobs.get(doc.portraitKey);
    if (portrait) {
      if (!deps.crypto.safeEqual(deps.crypto.sha256Hex(portrait), doc.portraitSha256))
        throw new PermanentTaskError('the document portrait changed after the document check');
      return { bytes: portrait, label: 'document portrait' };
    }
  }
  const front = captureOf(ctx, 'document_front');
  if (!front) throw new PermanentTaskError('no document portrait and no document_front capture');
  return readCapture(deps, front);
}
