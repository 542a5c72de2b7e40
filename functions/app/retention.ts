import type { Verification } from '../domain/model';
import type { AppDeps } from './deps';
import { recordAudit } from './audit';
import { erasePersonalData } from './erasure';

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
 * passed, erases its personal data ({@link erasePersonalData}: captures, face vector and face index entries,
 * email, metadata, return URL, consent IP and user agent, metadata in webhook delivery bodies), sets `purgedAt` in
 * the same conditional write, and appends a `captures.purged` audit event (counts only). The decision record and
 * the hashed document/person keys stay. Ends with {@link Store.flushErasures} so no erased bytes remain in the
 * database files.
 *
 * Idempotent: each step is safe to repeat, and a verification leaves the due list only once `purgedAt` is set,
 * which is written last, so a sweep interrupted half-way finishes the job next time.
 */
export async function purgeExpiredCaptures(deps: AppDeps, now: Date, options: PurgeOptions = {}): Promise<PurgeReport> {
  const batchSize = options.batchSize ?? 100;
  const maxBatches = options.maxBatches ?? 20;
  const report: PurgeReport = { purged: [], failed: [], blobsDeleted: 0 };
  const failedIds = new Set<string>();

  for (let batch = 0; batch < maxBatches; batch++) {
    const due = (await deps.store.verifications.listPurgeDue(now.toISOString(), batchSize)).filter(
      (v) => !failedIds.has(v.id),
    );
    if (due.length === 0) break;
    for (const v of due) {
      try {
        const result = await purgeVerification(deps, v, now);
        report.blobsDeleted += result.blobsDeleted;
        if (result.purged) report.purged.push(v.id);
      } catch (err) {
        failedIds.add(v.id);
        report.failed.push({ verificationId: v.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  if (report.purged.length > 0) await deps.store.flushErasures();
  return report;
}

/** Purges one verification. `purged` is false when another sweep got there first. */
async function purgeVerification(
  deps: AppDeps,
  verification: Verification,
  now: Date,
): Promise<{ purged: boolean; blobsDeleted: number }> {
  const at = now.toISOString();
  let firstTime = false;
  const erased = await erasePersonalData(deps, verification.id, (v) => {
    firstTime = !v.purgedAt;
    return v.purgedAt ? v : { ...v, purgedAt: at, updatedAt: at };
  });
  if (!erased) return { purged: false, blobsDeleted: 0 };
  if (firstTime) {
    await recordAudit(deps, {
      orgId: verification.orgId,
      verificationId: verification.id,
      type: 'captures.purged',
      at,
      data: { ...erased.report, purgeAfter: verification.purgeAfter },
    });
  }
  return { purged: firstTime, blobsDeleted: erased.report.blobsDeleted };
}
