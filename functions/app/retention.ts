import type { Verification } from '../domain/model';
import type { IdentitySignal } from '../ports/persistence';
import type { AppDeps } from './deps';
import { readStep } from './pipeline/step-results';
import { updateVerification } from './optimistic-update';

/** How many of an org's face vectors are scanned to find the purged verification's own (port has no get-by-id). */
const FACE_VECTOR_SCAN_LIMIT = 100_000;

export interface PurgeOptions {
  /** Verifications fetched per batch. */
  batchSize?: number;
  /** Upper bound of batches per call, so one sweep stays short; the next sweep continues. */
  maxBatches?: number;
}

export interface PurgeReport {
  /** Verifications purged by this call. */
  purged: string[];
  /** Verifications whose purge failed (tried again on the next sweep). */
  failed: { verificationId: string; error: string }[];
  blobsDeleted: number;
}

/**
 * Retention sweep: for every terminal verification whose `purgeAfter` (completion + flow.retentionDays) has
 * passed, deletes the capture bytes under `captures/<id>/` (document images, selfie, frames, portrait crop),
 * marks the captures purged, drops the face vector from the identity signals and the provider's face index
 * (AWS Rekognition collection), sets `purgedAt` with a
 * conditional update and appends a `captures.purged` audit event. The decision, reason codes, risk flags and
 * the hashed document/person keys stay.
 *
 * Idempotent: each step is safe to repeat, and a verification leaves the due list only once `purgedAt` is set,
 * so a sweep interrupted half-way finishes the job next time.
 */
export async function purgeExpiredCaptures(deps: AppDeps, now: Date, options: PurgeOptions = {}): Promise<PurgeReport> {
  const batchSize = options.batchSize ?? 100;
  const maxBatches = options.maxBatches ?? 20;
  const report: PurgeReport = { purged: [], failed: [], blobsDeleted: 0 };
  const failedIds = new Set<string>();
  const faces = new FaceVectorIndex(deps);

  for (let batch = 0; batch < maxBatches; batch++) {
    const due = (await deps.store.verifications.listPurgeDue(now.toISOString(), batchSize)).filter(
      (v) => !failedIds.has(v.id),
    );
    if (due.length === 0) break;
    for (const v of due) {
      try {
        const result = await purgeVerification(deps, faces, v, now);
        report.blobsDeleted += result.blobsDeleted;
        if (result.purged) report.purged.push(v.id);
      } catch (err) {
        failedIds.add(v.id);
        report.failed.push({ verificationId: v.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return report;
}

/** Purges one verification. `purged` is false when another sweep got there first. */
async function purgeVerification(
  deps: AppDeps,
  faces: FaceVectorIndex,
  verification: Verification,
  now: Date,
): Promise<{ purged: boolean; blobsDeleted: number }> {
  const at = now.toISOString();
  const blobsDeleted = await deps.blobs.deletePrefix(`captures/${verification.id}/`);

  let capturesPurged = 0;
  for (const capture of await deps.store.captures.listByVerification(verification.id)) {
    if (capture.status === 'purged') continue;
    if (await deps.store.captures.transition(verification.id, capture.id, capture.status, { status: 'purged' }))
      capturesPurged++;
  }

  const signal = await faces.find(verification.orgId, verification.id);
  // Keep the signal's hashed keys (fraud checks still need them) but remove the biometric vector.
  if (signal?.faceVector) await deps.store.signals.put({ ...signal, faceVector: null });
  const indexedFacesDeleted = (await mayHaveIndexedFace(deps, verification))
    ? await deleteIndexedFaces(deps, verification)
    : 0;

  const marked = await markPurged(deps, verification.id, at);
  if (marked) {
    await deps.store.audit.append({
      id: deps.ids.next('evt'),
      verificationId: verification.id,
      orgId: verification.orgId,
      type: 'captures.purged',
      at,
      data: { blobsDeleted, capturesPurged, indexedFacesDeleted, purgeAfter: verification.purgeAfter },
    });
  }
  return { purged: marked, blobsDeleted };
}

/**
 * Finds a verification's identity signal among its org's signals with a face vector (the port has no lookup by
 * verification), reading each org's list once per sweep.
 */
class FaceVectorIndex {
  private readonly byOrg = new Map<string, Map<string, IdentitySignal>>();
  constructor(private readonly deps: AppDeps) {}

  async find(orgId: string, verificationId: string): Promise<IdentitySignal | undefined> {
    let index = this.byOrg.get(orgId);
    if (!index) {
      const signals = await this.deps.store.signals.listFaceVectors(orgId, FACE_VECTOR_SCAN_LIMIT);
      index = new Map(signals.map((s) => [s.verificationId, s]));
      this.byOrg.set(orgId, index);
    }
    return index.get(verificationId);
  }
}

/**
 * Whether a riskSignals step added the selfie to the provider's face index (or failed, possibly after adding it).
 * Lets the local runtime skip loading the check provider (~100 MB of models) for a sweep.
 */
async function mayHaveIndexedFace(deps: AppDeps, verification: Verification): Promise<boolean> {
  for (const attempt of verification.attempts) {
    const step = await readStep(deps, { verificationId: verification.id, attempt: attempt.number }, 'riskSignals');
    if (step?.kind === 'failed' || (step?.kind === 'risk' && step.signals.faceIndexed)) return true;
  }
  return false;
}

async function deleteIndexedFaces(deps: AppDeps, verification: Verification): Promise<number> {
  const faceIndex = (await deps.checks()).faceIndex;
  return faceIndex ? faceIndex.deleteFaces(verification.orgId, { verificationId: verification.id }) : 0;
}

/** Sets purgedAt with the optimistic version check; false if it was already set (by a concurrent sweep). */
async function markPurged(deps: AppDeps, verificationId: string, at: string): Promise<boolean> {
  const result = await updateVerification(deps, verificationId, (current) =>
    current.purgedAt ? null : { ...current, purgedAt: at, updatedAt: at, version: current.version + 1 },
  );
  return result !== null;
}
