import type { PipelineInput } from '../../domain/pipeline-plan';
import type { RiskFlag } from '../../domain/risk-flags';
import type { CheckProvider, ImageInput } from '../../ports/checks';
import type { IdentitySignal } from '../../ports/persistence';
import type { AppDeps } from '../deps';
import { captureOf, loadAttemptContext, readCapture, type AttemptContext } from './context';
import { readStep, stepDone, writeStep } from './step-results';

/** Velocity window and limit: this many verifications of one org for the same document or person in the window. */
export const VELOCITY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const VELOCITY_LIMIT = 3;
/** Fast attempts: the attempt is at least the 3rd of its verification and all came within 10 minutes. */
export const FAST_ATTEMPTS_COUNT = 3;
export const FAST_ATTEMPTS_WINDOW_MS = 10 * 60 * 1000;
/** How many of the org's stored face vectors the duplicate-face search scans (local engine, small installations). */
export const FACE_SEARCH_LIMIT = 5000;

/**
 * Cross-verification risk signals. Stores this verification's identity signal (document key hash, person key
 * hash, selfie face vector), then raises:
 * - DUPLICATE_FACE_DIFFERENT_IDENTITY: another verification of the org has a face within the flow's face-match
 *   distance (or, with a provider {@link CheckProvider.faceIndex}, a face the index matches) and a different
 *   person key (both person keys known);
 * - DOCUMENT_NUMBER_REUSED: another verification of the org has the same document key and a different person key;
 * - HIGH_ATTEMPT_VELOCITY: {@link VELOCITY_LIMIT}+ verifications (this one included) with the same document key or
 *   person key within {@link VELOCITY_WINDOW_MS}, or {@link FAST_ATTEMPTS_COUNT}+ attempts of this verification
 *   within {@link FAST_ATTEMPTS_WINDOW_MS};
 * and passes through the flags the checks raised (REPLAYED_FRAMES, SPECIMEN_DOCUMENT, MRZ_INCONSISTENT...).
 * Flags never change the decision.
 */
export async function riskSignals(deps: AppDeps, input: PipelineInput): Promise<void> {
  if (await stepDone(deps, input, 'riskSignals')) return;
  const ctx = await loadAttemptContext(deps, input);
  const orgId = ctx.verification.orgId;
  const now = deps.clock.now();

  const doc = await readStep(deps, input, 'documentCheck');
  const documentKeyHash = doc?.kind === 'check' ? doc.documentKeyHash : null;
  const personKeyHash = doc?.kind === 'check' ? doc.personKeyHash : null;
  const provider = await deps.checks();
  const selfieCapture = captureOf(ctx, 'selfie');
  const selfie = selfieCapture ? await readCapture(deps, selfieCapture) : null;
  const faceVector = selfie ? await selfieVector(provider, selfie) : null;

  const previous = await deps.store.signals.get(input.verificationId);
  const own: IdentitySignal = {
    orgId,
    verificationId: input.verificationId,
    documentKeyHash,
    personKeyHash,
    faceVector,
    // Earlier attempts' (or an interrupted run's) indexed faces stay listed so erasure deletes them all.
    indexedFaceIds: previous?.indexedFaceIds ?? [],
    createdAt: now.toISOString(),
  };
  await deps.store.signals.put(own);

  const flags = new Set<string>(await checkFlags(deps, input));
  if (faceVector && personKeyHash) {
    const others = await deps.store.signals.listFaceVectors(orgId, FACE_SEARCH_LIMIT);
    if (others.some((s) => isDuplicateFace(own, s, ctx.flow.thresholds.faceMatchMaxDistance)))
      flags.add('DUPLICATE_FACE_DIFFERENT_IDENTITY' satisfies RiskFlag);
  }
  let faceIndexed = false;
  if (provider.faceIndex && selfie) {
    // Search before indexing this selfie; the search excludes this verification anyway (re-runs index again).
    const matches = await provider.faceIndex.searchDuplicates(orgId, selfie, {
      excludeVerificationId: input.verificationId,
    });
    const { faceId } = await provider.faceIndex.indexFace(orgId, input.verificationId, selfie);
    faceIndexed = true;
    // Kept at once: erasure deletes faces by these ids, never by scanning the collection.
    if (faceId && !own.indexedFaceIds?.includes(faceId)) {
      own.indexedFaceIds = [...(own.indexedFaceIds ?? []), faceId];
      await deps.store.signals.put(own);
    }
    if (
      personKeyHash &&
      (await anyOtherPerson(
        deps,
        orgId,
        matches.map((m) => m.verificationId),
        personKeyHash,
      ))
    ) {
      flags.add('DUPLICATE_FACE_DIFFERENT_IDENTITY' satisfies RiskFlag);
    }
  }
  if (documentKeyHash && personKeyHash) {
    const sameDocument = await deps.store.signals.listByDocumentKey(orgId, documentKeyHash);
    if (
      sameDocument.some(
        (s) =>
          s.verificationId !== input.verificationId && s.personKeyHash !== null && s.personKeyHash !== personKeyHash,
      )
    ) {
      flags.add('DOCUMENT_NUMBER_REUSED' satisfies RiskFlag);
    }
  }
  if (await highVelocity(deps, ctx, input, own, now)) flags.add('HIGH_ATTEMPT_VELOCITY' satisfies RiskFlag);

  await writeStep(deps, input, 'riskSignals', {
    kind: 'risk',
    riskFlags: [...flags],
    signals: {
      documentKey: documentKeyHash !== null,
      personKey: personKeyHash !== null,
      faceVector: faceVector !== null,
      faceIndexed,
    },
  });
}

/** Euclidean distance of two equal-length vectors (face descriptors). */
export function faceDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

function isDuplicateFace(own: IdentitySignal, other: IdentitySignal, maxDistance: number): boolean {
  if (other.verificationId === own.verificationId || !other.faceVector || !own.faceVector) return false;
  if (other.faceVector.length !== own.faceVector.length) return false; // another provider's descriptor
  if (other.personKeyHash === null || other.personKeyHash === own.personKeyHash) return false;
  return faceDistance(own.faceVector, other.faceVector) < maxDistance;
}

async function selfieVector(provider: CheckProvider, selfie: ImageInput): Promise<number[] | null> {
  const template = await provider.faceTemplate(selfie);
  return template && template.vector.length > 0 ? [...template.vector] : null;
}

/** True if one of the verifications (of the org) read a document naming a different person. */
async function anyOtherPerson(
  deps: AppDeps,
  orgId: string,
  verificationIds: string[],
  personKeyHash: string,
): Promise<boolean> {
  for (const id of verificationIds) {
    const other = await personKeyOf(deps, orgId, id);
    if (other !== null && other !== personKeyHash) return true;
  }
  return false;
}

/** The person key of a verification's latest attempt whose document was read, from its documentCheck step. */
async function personKeyOf(deps: AppDeps, orgId: string, verificationId: string): Promise<string | null> {
  const v = await deps.store.verifications.get(verificationId);
  if (!v || v.orgId !== orgId) return null;
  for (const attempt of [...v.attempts].sort((a, b) => b.number - a.number)) {
    const doc = await readStep(deps, { verificationId, attempt: attempt.number }, 'documentCheck');
    if (doc?.kind === 'check' && doc.personKeyHash) return doc.personKeyHash;
  }
  return null;
}

/** Flags raised by this attempt's checks. */
async function checkFlags(deps: AppDeps, input: PipelineInput): Promise<string[]> {
  const steps = await Promise.all(
    (['documentCheck', 'livenessCheck', 'faceMatch'] as const).map((s) => readStep(deps, input, s)),
  );
  return steps.flatMap((s) => (s?.kind === 'check' ? s.result.riskFlags : []));
}

async function highVelocity(
  deps: AppDeps,
  ctx: AttemptContext,
  input: PipelineInput,
  own: IdentitySignal,
  now: Date,
): Promise<boolean> {
  const since = new Date(now.getTime() - VELOCITY_WINDOW_MS).toISOString();
  // countSince includes this verification's own signal, stored just before.
  if (
    own.documentKeyHash &&
    (await deps.store.signals.countSince(own.orgId, { documentKeyHash: own.documentKeyHash }, since)) >= VELOCITY_LIMIT
  )
    return true;
  if (
    own.personKeyHash &&
    (await deps.store.signals.countSince(own.orgId, { personKeyHash: own.personKeyHash }, since)) >= VELOCITY_LIMIT
  )
    return true;

  const attempts = ctx.verification.attempts
    .filter((a) => a.number <= input.attempt)
    .sort((a, b) => a.number - b.number);
  const first = attempts[0];
  const current = attempts[attempts.length - 1];
  if (attempts.length < FAST_ATTEMPTS_COUNT || !first || !current) return false;
  return Date.parse(current.submittedAt) - Date.parse(first.submittedAt) <= FAST_ATTEMPTS_WINDOW_MS;
}
