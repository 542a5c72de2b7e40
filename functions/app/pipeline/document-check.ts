import type { PipelineInput } from '../../domain/pipeline-plan';
import type { AppDeps } from '../deps';
import { captureOf, imageContentType, loadAttemptContext, portraitBlobKey, readCapture, today } from './context';
import { PermanentTaskError } from './errors';
import { identityKeys } from './identity-keys';
import { stepDone, storableCheckResult, writeStep } from './step-results';

/**
 * Document check: MRZ/fields, expiry, accepted type/country, age. Stores the portrait crop as a blob for
 * faceMatch, and the identity key hashes (not the fields) for riskSignals.
 */
export async function documentCheck(deps: AppDeps, input: PipelineInput): Promise<void> {
  if (await stepDone(deps, input, 'documentCheck')) return;
  const ctx = await loadAttemptContext(deps, input);
  const frontCapture = captureOf(ctx, 'document_front');
  if (!frontCapture) throw new PermanentTaskError('no document_front capture');
  const backCapture = captureOf(ctx, 'document_back');
  const front = await readCapture(deps, frontCapture);
  const back = backCapture ? await readCapture(deps, backCapture) : null;

  const provider = await deps.checks();
  const result = await provider.checkDocument({ front, back, flow: ctx.flow, today: today(deps) });

  let portraitKey: string | null = null;
  let portraitSha256: string | null = null;
  if (result.portrait && result.portrait.length > 0) {
    portraitKey = portraitBlobKey(input);
    // A crashed earlier run may have stored it already; keep that one (same input, same crop).
    let stored = await deps.blobs.get(portraitKey);
    if (!stored) {
      await deps.blobs.put(portraitKey, result.portrait, imageContentType(result.portrait));
      stored = result.portrait;
    }
    portraitSha256 = deps.crypto.sha256Hex(stored);
  }
  const keys = await identityKeys(deps.identityMac, ctx.verification.orgId, result.fields);
  await writeStep(deps, input, 'documentCheck', {
    kind: 'check',
    result: storableCheckResult(result, result.fields),
    portraitKey,
    portraitSha256,
    documentKeyHash: keys.documentKeyHash,
    personKeyHash: keys.personKeyHash,
    error: null,
  });
}
