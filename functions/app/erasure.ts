import type { Verification } from '../domain/model';
import { withoutPersonalData } from '../domain/verification';
import { captureBlobKey } from './applicant/uploads';
import type { AppDeps } from './deps';
import { updateVerification } from './optimistic-update';
import { readStep } from './pipeline/step-results';

/** What one erasure removed (for the audit event and reports; counts only, no values). */
export interface ErasureReport {
  blobsDeleted: number;
  capturesPurged: number;
  indexedFacesDeleted: number;
  deliveriesScrubbed: number;
}

/**
 * Erases a finished verification's personal data and keeps its decision record. Shared by the retention purge
 * and the integrator's redact request. Removes: the capture bytes under `captures/<id>/` (documents, selfie,
 * frames, portrait crop) and the capture records' status, the selfie's face vector and provider face index entries
 * (by the stored face ids), the applicant email, metadata, return URL and consent IP/user agent on the
 * verification, and the metadata inside stored webhook delivery bodies. `mark` (purgedAt or redactedAt) is written
 * last, so a crash part-way leaves the verification unmarked and the next run (sweep or redact) finishes the job. Keeps ids, flow, mode, status, decision, declineType, reason codes, risk flags,
 * timestamps, the consent's text version and time, and the hashed identity keys (fraud signals).
 *
 * Idempotent: every step is safe to repeat, so an interrupted erasure finishes when run again. `mark` sees the
 * latest record at both writes: it may throw (e.g. 409 while checks run) or return null to refuse; then nothing
 * more is erased. Returns null when the verification is gone or refused.
 */
export async function erasePersonalData(
  deps: AppDeps,
  verificationId: string,
  mark: (v: Verification) => Verification | null,
): Promise<{ verification: Verification; report: ErasureReport } | null> {
  const scrubbed = await writeErased(deps, verificationId, (v) => (mark(v) ? v : null));
  if (!scrubbed) return null;
  const report = await eraseDependents(deps, scrubbed);
  const verification = await writeErased(deps, verificationId, mark);
  return verification ? { verification, report } : null;
}

/** Everything outside the verification record: capture bytes and records, face data, delivery bodies. */
async function eraseDependents(deps: AppDeps, verification: Verification): Promise<ErasureReport> {
  const verificationId = verification.id;
  // The prefix holds every copy: the upload slot's key and the `checked/` copy the pipeline reads.
  const blobsDeleted = await deps.blobs.deletePrefix(`captures/${verificationId}/`);

  let capturesPurged = 0;
  for (const capture of await deps.store.captures.listByVerification(verificationId)) {
    if (capture.status === 'purged' && capture.sha256 === null) continue;
    // The digest (also in the checked copy's key) would still tell whether given image bytes were submitted.
    const patch = {
      status: 'purged' as const,
      sha256: null,
      blobKey: captureBlobKey(verificationId, capture.attempt, capture.kind, capture.index, capture.id),
    };
    if (await deps.store.captures.transition(verificationId, capture.id, capture.status, patch)) capturesPurged++;
  }

  const indexedFacesDeleted = await eraseFaceData(deps, verification);

  let deliveriesScrubbed = 0;
  for (const delivery of await deps.store.deliveries.listByVerification(verificationId)) {
    const body = scrubbedDeliveryBody(delivery.body);
    if (body === delivery.body) continue;
    // Only the body: a send finishing meanwhile keeps its recorded outcome.
    if (await deps.store.deliveries.scrubBody(delivery.id, body)) deliveriesScrubbed++;
  }
  return { blobsDeleted, capturesPurged, indexedFacesDeleted, deliveriesScrubbed };
}

/** Writes `change`'s record without personal data, with the optimistic version check (skipped if unchanged). */
async function writeErased(
  deps: AppDeps,
  verificationId: string,
  change: (v: Verification) => Verification | null,
): Promise<Verification | null> {
  const seen: { unchanged: Verification | null } = { unchanged: null };
  const written = await updateVerification(
    deps,
    verificationId,
    (current) => {
      seen.unchanged = null;
      const changed = change(current);
      if (!changed) return null;
      const erased = withoutPersonalData(changed);
      if (JSON.stringify(erased) === JSON.stringify(current)) {
        seen.unchanged = current;
        return null;
      }
      return { ...erased, version: current.version + 1 };
    },
    () => new Error(`could not erase ${verificationId}: concurrent updates`),
  );
  return written?.after ?? seen.unchanged;
}

/**
 * Removes the selfie's face vector from the identity signal (its hashed keys stay) and deletes the provider's face
 * index entries by the ids stored at indexing. Only a record without stored ids whose risk step indexed a face (or
 * failed, possibly after indexing) falls back to the provider's lookup by verification id.
 */
async function eraseFaceData(deps: AppDeps, verification: Verification): Promise<number> {
  const signal = await deps.store.signals.get(verification.id);
  const faceIds = signal?.indexedFaceIds ?? [];
  let deleted = 0;
  if (faceIds.length > 0) {
    const faceIndex = (await deps.checks()).faceIndex;
    if (faceIndex) deleted = await faceIndex.deleteFaces(verification.orgId, { faceIds });
  } else if (await mayHaveUnrecordedFace(deps, verification)) {
    const faceIndex = (await deps.checks()).faceIndex;
    if (faceIndex) deleted = await faceIndex.deleteFaces(verification.orgId, { verificationId: verification.id });
  }
  if (signal && (signal.faceVector || faceIds.length > 0))
    await deps.store.signals.put({ ...signal, faceVector: null, indexedFaceIds: [] });
  return deleted;
}

/**
 * Whether a risk step indexed a face without its id being stored (records from before face ids were kept, or a
 * step that failed). Lets the local runtime skip loading the check provider (~100 MB of models) for an erasure.
 */
async function mayHaveUnrecordedFace(deps: AppDeps, verification: Verification): Promise<boolean> {
  for (const attempt of verification.attempts) {
    const step = await readStep(deps, { verificationId: verification.id, attempt: attempt.number }, 'riskSignals');
    if (step?.kind === 'failed' || (step?.kind === 'risk' && step.signals.faceIndexed)) return true;
  }
  return false;
}

/**
 * A delivery body with the envelope's personal data removed (metadata emptied, `redacted: true`), or the body
 * unchanged when there is nothing to remove. Re-signed at every send, so a pending delivery goes out scrubbed.
 */
export function scrubbedDeliveryBody(body: string): string {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof envelope !== 'object' || envelope === null || !('data' in envelope)) return body;
  const data = (envelope as { data: unknown }).data;
  if (typeof data !== 'object' || data === null) return body;
  const scrubbed = { ...envelope, data: { ...data, metadata: {}, redacted: true } };
  const next = JSON.stringify(scrubbed);
  return next === body ? body : next;
}
