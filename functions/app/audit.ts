import type { Verification } from '../domain/model';
import type { AuditEvent } from '../ports/persistence';
import type { AppDeps } from './deps';

/** What an audit entry says; its id, and its time unless given, are filled in by {@link recordAudit}. */
export interface AuditEntry {
  orgId: string;
  /** The verification it concerns; null for organisation-level changes (keys, flows, webhooks). */
  verificationId: string | null;
  /** What happened, `<subject>.<verb>` (e.g. `verification.finalized`, `key.revoked`). */
  type: string;
  /** Who acted: `operator:<email>`, `cli:<user>`. Omitted when the system or the applicant did. */
  actor?: string;
  /** Ids, counts and codes only: never personal data, tokens or secrets. */
  data: Record<string, unknown>;
  /** ISO time of the change, when the caller already stamped it; now otherwise. */
  at?: string;
  /**
   * A fixed id for an entry that crash recovery may write again (the store's append ignores a known id);
   * a new random `evt_` id otherwise.
   */
  id?: string;
}

/** Builds the stored event of an audit entry (id `evt_...`): the one place audit events are made. */
export function auditEvent(deps: Pick<AppDeps, 'ids' | 'clock'>, entry: AuditEntry): AuditEvent {
  return {
    id: entry.id ?? deps.ids.next('evt'),
    verificationId: entry.verificationId,
    orgId: entry.orgId,
    type: entry.type,
    at: entry.at ?? deps.clock.now().toISOString(),
    ...(entry.actor === undefined ? {} : { actor: entry.actor }),
    data: entry.data,
  };
}

/** Appends one entry to the audit log. */
export async function recordAudit(deps: Pick<AppDeps, 'store' | 'ids' | 'clock'>, entry: AuditEntry): Promise<void> {
  await deps.store.audit.append(auditEvent(deps, entry));
}

/**
 * Appends the audit entry a verification carries (see Verification.pendingAudit), if any. Idempotent: the entry's
 * id is fixed, so a second append (the recovery of a crash that came after the first) leaves one entry.
 */
export async function appendPendingAudit(
  deps: Pick<AppDeps, 'store' | 'ids' | 'clock'>,
  v: Pick<Verification, 'id' | 'orgId' | 'pendingAudit'>,
): Promise<void> {
  const entry = v.pendingAudit;
  if (!entry) return;
  await recordAudit(deps, { ...entry, orgId: v.orgId, verificationId: v.id });
}
