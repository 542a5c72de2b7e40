import type { Verification } from '../domain/model';
import type { AppDeps } from './deps';

/** Tries of an optimistic update before it gives up (each lost race re-reads the record). */
export const MAX_UPDATE_TRIES = 5;

/**
 * Optimistic update of a verification, the one loop every writer uses: read the latest record -> `change`
 * -> conditional write on the version read; a lost race re-reads and tries again. `change` returns the new
 * record, or null when there is nothing to do; it may throw to refuse (it sees the latest record, so it is
 * where preconditions are re-checked). Returns null when the verification does not exist or `change`
 * declined; throws `onContention()` when every try lost its race.
 */
export async function updateVerification(
  deps: Pick<AppDeps, 'store'>,
  id: string,
  change: (current: Verification) => Verification | null,
  onContention: () => Error = () => new Error(`verification ${id}: too many concurrent updates`),
): Promise<{ before: Verification; after: Verification } | null> {
  for (let i = 0; i < MAX_UPDATE_TRIES; i++) {
    const before = await deps.store.verifications.get(id);
    if (!before) return null;
    const after = change(before);
    if (!after) return null;
    if (await deps.store.verifications.update(after, before.version)) return { before, after };
  }
  throw onContention();
}
