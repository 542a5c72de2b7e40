/**
 * Contract of the persistence port (functions/ports/persistence.ts). Every adapter (SQLite, DynamoDB)
 * runs this same suite, so the use cases can rely on identical semantics everywhere.
 *
 * Semantics fixed here where the port's doc comments leave a choice (adapters must follow them):
 * - `verifications.listByOrg` is newest first (createdAt desc, then id desc); `next` is null exactly when
 *   no item follows (no trailing empty page); a page never holds more than `limit` items.
 * - `verifications.listExpired` returns non-terminal (pending, in_progress) verifications with
 *   expiresAt < now. `listPurgeDue` returns terminal verifications (approved, declined, review, expired)
 *   with purgedAt null and purgeAfter <= now (purgeAfter null: never). `listUnpublished` returns terminal
 *   verifications with publishedAt null. All three honour `limit`; order is free.
 * - `deliveries.listByEndpoint` is newest first (createdAt desc, then id desc); `listPending` returns
 *   deliveries with status 'pending' only.
 * - `audit.listByVerification` is ordered by `at` ascending, then id.
 * - `signals`: one signal per verification (put replaces); `countSince` counts signals with
 *   createdAt >= since matching the given key (with both keys: verifications matching either).
 * - `keys.touch` on an unknown key is a no-op (it does not create a record).
 * - `idempotency.claim` re-claims a scope whose record has expiresAt <= now (TTL deletion is lazy on DynamoDB), or
 *   whose record is unfinished past leaseExpiresAt (its claimant crashed); complete/release act only for the holder.
 * All timestamps are ISO-8601 UTC with millisecond precision (Date#toISOString).
 */
import { ConflictError, type ListPage, type Store } from '../../functions/ports/persistence';
import { DEFAULT_THRESHOLDS } from '../../functions/domain/flows';
import type { Delivery, Flow, Verification, VerificationStatus } from '../../functions/domain/model';
import {
  at,
  makeAuditEvent,
  makeCapture,
  makeDelivery,
  makeFlow,
  makeIdempotencyRecord,
  makeKey,
  makeOrg,
  makeSignal,
  makeStepResult,
  makeVerification,
  makeWebhookEndpoint,
} from '../support/builders';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

const byId = <T extends { id: string }>(items: T[]): T[] => [...items].sort((a, b) => a.id.localeCompare(b.id));
const ids = (items: { id: string }[]): string[] => items.map((i) => i.id);

/**
 * Registers the persistence contract for one adapter.
 * @param name adapter label shown in test names
 * @param makeStore builds an empty store; called before every test, `cleanup` after it
 */
export function describePersistenceContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`persistence contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });

    describe('orgs', () => {
      it('puts, gets, replaces and lists organisations', async () => {
        expect(await store.orgs.get('org_missing')).toBeNull();
        await store.orgs.put(makeOrg({ id: 'org_a' }));
        await store.orgs.put(makeOrg({ id: 'org_b', name: 'B' }));
        await store.orgs.put(makeOrg({ id: 'org_a', name: 'A renamed', defaultFlowId: 'flow_1' }));
        expect(await store.orgs.get('org_a')).toEqual(
          makeOrg({ id: 'org_a', name: 'A renamed', defaultFlowId: 'flow_1' }),
        );
        expect(byId(await store.orgs.list())).toEqual([
          makeOrg({ id: 'org_a', name: 'A renamed', defaultFlowId: 'flow_1' }),
          makeOrg({ id: 'org_b', name: 'B' }),
        ]);
      });
    });

    describe('flows', () => {
      it('puts, gets, replaces and lists flows of one org only', async () => {
        const f1 = makeFlow({ id: 'flow_1', orgId: 'org_a' });
        const f2 = makeFlow({ id: 'flow_2', orgId: 'org_a', documentTypes: ['passport'], minimumAge: 18 });
        const other = makeFlow({ id: 'flow_3', orgId: 'org_b' });
        await store.flows.put(f1);
        await store.flows.put(f2);
        await store.flows.put(other);
        await store.flows.put({ ...f1, name: 'renamed', updatedAt: at(5) });
        expect(await store.flows.get('org_a', 'flow_1')).toEqual({ ...f1, name: 'renamed', updatedAt: at(5) });
        expect(await store.flows.get('org_b', 'flow_1')).toBeNull();
        expect(await store.flows.get('org_a', 'flow_missing')).toBeNull();
        expect(byId(await store.flows.listByOrg('org_a'))).toEqual([{ ...f1, name: 'renamed', updatedAt: at(5) }, f2]);
        expect(await store.flows.listByOrg('org_empty')).toEqual([]);
      });

      it("returns a flow an older version stored in today's shape (thresholds added since take their defaults)", async () => {
        // livenessMinYaw (a landmark ratio) was replaced by livenessMinTurnDegrees.
        const { livenessMinTurnDegrees: _added, ...before } = makeFlow({ id: 'flow_old', orgId: 'org_a' }).thresholds;
        const old = {
          ...makeFlow({ id: 'flow_old', orgId: 'org_a' }),
          thresholds: { ...before, livenessMinYaw: 0.12 },
        };
        await store.flows.put(old as unknown as Flow);
        const read = await store.flows.get('org_a', 'flow_old');
        expect(read?.thresholds).toEqual({
          ...before,
          livenessMinTurnDegrees: DEFAULT_THRESHOLDS.livenessMinTurnDegrees,
        });
        expect((await store.flows.listByOrg('org_a')).find((f) => f.id === 'flow_old')?.thresholds).toEqual(
          read?.thresholds,
        );
      });
    });

    describe('keys', () => {
      it('creates a key and finds it by hash and by id, scoped to its org', async () => {
        const key = makeKey({ id: 'key_1', orgId: 'org_a', keyHash: '1'.repeat(64) });
        await store.keys.create(key);
        expect(await store.keys.getByHash('1'.repeat(64))).toEqual(key);
        expect(await store.keys.get('org_a', 'key_1')).toEqual(key);
        expect(await store.keys.get('org_b', 'key_1')).toBeNull();
        expect(await store.keys.getByHash('f'.repeat(64))).toBeNull();
      });

      it('rejects a second key with the same hash with ConflictError and keeps the first', async () => {
        const first = makeKey({ id: 'key_1', keyHash: '1'.repeat(64) });
        await store.keys.create(first);
        await expect(
          store.keys.create(makeKey({ id: 'key_2', keyHash: '1'.repeat(64), name: 'dup' })),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await store.keys.getByHash('1'.repeat(64))).toEqual(first);
        expect(await store.keys.get(first.orgId, 'key_2')).toBeNull();
      });

      it('lists the keys of one org', async () => {
        await store.keys.create(makeKey({ id: 'key_1', orgId: 'org_a', keyHash: '1'.repeat(64) }));
        await store.keys.create(makeKey({ id: 'key_2', orgId: 'org_a', keyHash: '2'.repeat(64), mode: 'live' }));
        await store.keys.create(makeKey({ id: 'key_3', orgId: 'org_b', keyHash: '3'.repeat(64) }));
        expect(ids(byId(await store.keys.listByOrg('org_a')))).toEqual(['key_1', 'key_2']);
        expect(await store.keys.listByOrg('org_empty')).toEqual([]);
      });

      it('revokes once: the second revoke and unknown keys return false', async () => {
        await store.keys.create(makeKey({ id: 'key_1', keyHash: '1'.repeat(64) }));
        expect(await store.keys.revoke('org_test1', 'key_1', at(10))).toBe(true);
        expect(await store.keys.revoke('org_test1', 'key_1', at(20))).toBe(false);
        expect(await store.keys.revoke('org_test1', 'key_missing', at(20))).toBe(false);
        expect(await store.keys.revoke('org_other', 'key_1', at(20))).toBe(false);
        expect((await store.keys.get('org_test1', 'key_1'))?.revokedAt).toBe(at(10));
        // Authentication reads by hash: the revocation must be visible there too.
        expect((await store.keys.getByHash('1'.repeat(64)))?.revokedAt).toBe(at(10));
      });

      it('touch records lastUsedAt and is a no-op for unknown keys', async () => {
        await store.keys.create(makeKey({ id: 'key_1', keyHash: '1'.repeat(64) }));
        await store.keys.touch('org_test1', 'key_1', at(30));
        expect((await store.keys.getByHash('1'.repeat(64)))?.lastUsedAt).toBe(at(30));
        await store.keys.touch('org_test1', 'key_missing', at(30));
        expect(await store.keys.get('org_test1', 'key_missing')).toBeNull();
      });
    });

    describe('verifications', () => {
      it('creates and reads by id and by client token hash', async () => {
        const v = makeVerification({
          id: 'vrf_1',
          clientTokenHash: '9'.repeat(64),
          consent: { accepted: true, textVersion: 'v1', locale: 'en', at: at(1), ip: null, userAgent: 'UA' },
          attempts: [
            {
              number: 1,
              submittedAt: at(2),
              completedAt: null,
              decision: null,
              declineType: null,
              reasonCodes: [],
              riskFlags: [],
            },
          ],
        });
        await store.verifications.create(v);
        expect(await store.verifications.get('vrf_1')).toEqual(v);
        expect(await store.verifications.getByTokenHash('9'.repeat(64))).toEqual(v);
        expect(await store.verifications.get('vrf_missing')).toBeNull();
        expect(await store.verifications.getByTokenHash('0'.repeat(64))).toBeNull();
      });

      it('rejects a duplicate id with ConflictError and keeps the first', async () => {
        const v = makeVerification({ id: 'vrf_1' });
        await store.verifications.create(v);
        await expect(
          store.verifications.create({ ...v, clientTokenHash: '8'.repeat(64), locale: 'de' }),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await store.verifications.get('vrf_1')).toEqual(v);
      });

      it('updates only when the stored version matches (optimistic concurrency)', async () => {
        const v = makeVerification({ id: 'vrf_1', version: 1 });
        await store.verifications.create(v);
        const first: Verification = { ...v, status: 'in_progress', version: 2, updatedAt: at(1) };
        const racer: Verification = { ...v, status: 'expired', version: 2, updatedAt: at(1) };
        expect(await store.verifications.update(first, 1)).toBe(true);
        expect(await store.verifications.update(racer, 1)).toBe(false);
        expect(await store.verifications.get('vrf_1')).toEqual(first);
        const second: Verification = {
          ...first,
          status: 'approved',
          decision: 'approved',
          completedAt: at(3),
          version: 3,
        };
        expect(await store.verifications.update(second, 2)).toBe(true);
        expect(await store.verifications.get('vrf_1')).toEqual(second);
        expect(await store.verifications.getByTokenHash(v.clientTokenHash)).toEqual(second);
      });

      it('keeps the audit entry a change carries (pendingAudit) exactly, until an update clears it', async () => {
        const v = makeVerification({ id: 'vrf_1', version: 1, status: 'review', decision: 'review' });
        await store.verifications.create(v);
        const decided: Verification = {
          ...v,
          status: 'approved',
          decision: 'approved',
          review: { decidedAt: at(2), decision: 'approved', note: 'checked' },
          pendingAudit: {
            id: 'evt_fixed',
            type: 'verification.reviewed',
            at: at(2),
            actor: 'operator:a@example.com',
            data: { decision: 'approved', declineType: null, reasonCodes: [], automatedReasonCodes: ['X'], note: '' },
          },
          version: 2,
        };
        expect(await store.verifications.update(decided, 1)).toBe(true);
        expect(await store.verifications.get('vrf_1')).toEqual(decided);
        const published: Verification = { ...decided, publishedAt: at(3), pendingAudit: null, version: 3 };
        expect(await store.verifications.update(published, 2)).toBe(true);
        expect(await store.verifications.get('vrf_1')).toEqual(published);
      });

      it('update of an unknown verification returns false and creates nothing', async () => {
        expect(await store.verifications.update(makeVerification({ id: 'vrf_ghost', version: 2 }), 1)).toBe(false);
        expect(await store.verifications.get('vrf_ghost')).toBeNull();
      });

      it('exactly one of two concurrent updates from the same version wins', async () => {
        const v = makeVerification({ id: 'vrf_1', version: 4 });
        await store.verifications.create(v);
        const results = await Promise.all([
          store.verifications.update({ ...v, status: 'approved', version: 5 }, 4),
          store.verifications.update({ ...v, status: 'declined', version: 5 }, 4),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const stored = await store.verifications.get('vrf_1');
        expect(stored?.version).toBe(5);
        expect(stored?.status).toBe(results[0] ? 'approved' : 'declined');
      });

      it('lists an org newest first with cursor pagination covering every item once', async () => {
        for (let i = 0; i < 7; i += 1) {
          await store.verifications.create(
            makeVerification({ id: `vrf_${i}`, orgId: 'org_a', clientTokenHash: `${i}`.repeat(64), createdAt: at(i) }),
          );
        }
        await store.verifications.create(
          makeVerification({ id: 'vrf_other', orgId: 'org_b', clientTokenHash: 'x'.repeat(64), createdAt: at(3) }),
        );
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.verifications.listByOrg('org_a', { limit: 3, cursor });
          expect(page.items.length).toBeLessThanOrEqual(3);
          expect(page.items.length).toBeGreaterThan(0);
          seen.push(...ids(page.items));
          cursor = page.next;
          pages += 1;
        } while (cursor !== null && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toEqual(['vrf_6', 'vrf_5', 'vrf_4', 'vrf_3', 'vrf_2', 'vrf_1', 'vrf_0']);
        const exact = await store.verifications.listByOrg('org_a', { limit: 7 });
        expect(exact.items).toHaveLength(7);
        expect(exact.next).toBeNull();
        expect(await store.verifications.listByOrg('org_empty', { limit: 5 })).toEqual({ items: [], next: null });
      });

      it('filters the org list by status, with pagination', async () => {
        const statuses: VerificationStatus[] = ['pending', 'approved', 'approved', 'declined', 'approved', 'pending'];
        for (const [i, status] of statuses.entries()) {
          await store.verifications.create(
            makeVerification({
              id: `vrf_${i}`,
              orgId: 'org_a',
              status,
              clientTokenHash: `${i}`.repeat(64),
              createdAt: at(i),
            }),
          );
        }
        const first = await store.verifications.listByOrg('org_a', { limit: 2, status: 'approved' });
        expect(ids(first.items)).toEqual(['vrf_4', 'vrf_2']);
        expect(first.next).not.toBeNull();
        const second = await store.verifications.listByOrg('org_a', {
          limit: 2,
          status: 'approved',
          cursor: first.next,
        });
        expect(ids(second.items)).toEqual(['vrf_1']);
        expect(second.next).toBeNull();
        // A status change moves the record between filtered lists.
        const v4 = (await store.verifications.get('vrf_4'))!;
        expect(await store.verifications.update({ ...v4, status: 'review', version: 2 }, 1)).toBe(true);
        expect(ids((await store.verifications.listByOrg('org_a', { limit: 10, status: 'approved' })).items)).toEqual([
          'vrf_2',
          'vrf_1',
        ]);
        expect(ids((await store.verifications.listByOrg('org_a', { limit: 10, status: 'review' })).items)).toEqual([
          'vrf_4',
        ]);
      });

      it('lists non-terminal verifications past expiresAt, honouring limit', async () => {
        const rows: Array<[string, VerificationStatus, number]> = [
          ['vrf_p_old', 'pending', 10],
          ['vrf_i_old', 'in_progress', 20],
          ['vrf_p_future', 'pending', 200],
          ['vrf_a_old', 'approved', 10],
          ['vrf_e_old', 'expired', 10],
          ['vrf_r_old', 'review', 10],
        ];
        for (const [i, [id, status, exp]] of rows.entries()) {
          await store.verifications.create(
            makeVerification({ id, status, expiresAt: at(exp), clientTokenHash: `${i}`.repeat(64) }),
          );
        }
        expect(ids(byId(await store.verifications.listExpired(at(100), 10)))).toEqual(['vrf_i_old', 'vrf_p_old']);
        const limited = await store.verifications.listExpired(at(100), 1);
        expect(limited).toHaveLength(1);
        expect(['vrf_i_old', 'vrf_p_old']).toContain(limited[0]!.id);
        // Once terminal, it leaves the sweep.
        const p = (await store.verifications.get('vrf_p_old'))!;
        await store.verifications.update({ ...p, status: 'expired', completedAt: at(101), version: 2 }, 1);
        expect(ids(await store.verifications.listExpired(at(100), 10))).toEqual(['vrf_i_old']);
      });

      it('lists terminal, unpurged verifications whose purgeAfter is at or before now', async () => {
        const rows: Array<Partial<Verification> & { id: string }> = [
          { id: 'vrf_done_old', status: 'approved', completedAt: at(5), purgeAfter: at(10) },
          { id: 'vrf_declined_now', status: 'declined', completedAt: at(20), purgeAfter: at(100) },
          { id: 'vrf_expired_old', status: 'expired', completedAt: at(30), purgeAfter: at(30) },
          { id: 'vrf_done_recent', status: 'review', completedAt: at(90), purgeAfter: at(300) },
          { id: 'vrf_purged', status: 'approved', completedAt: at(5), purgeAfter: at(10), purgedAt: at(50) },
          { id: 'vrf_no_retention', status: 'approved', completedAt: at(5), purgeAfter: null },
          { id: 'vrf_open', status: 'pending', purgeAfter: at(10) },
          { id: 'vrf_running', status: 'in_progress', purgeAfter: null, expiresAt: at(10) },
        ];
        for (const [i, row] of rows.entries()) {
          await store.verifications.create(makeVerification({ ...row, clientTokenHash: `${i}`.repeat(64) }));
        }
        expect(ids(byId(await store.verifications.listPurgeDue(at(100), 10)))).toEqual([
          'vrf_declined_now',
          'vrf_done_old',
          'vrf_expired_old',
        ]);
        expect(await store.verifications.listPurgeDue(at(100), 2)).toHaveLength(2);
        // Marking purged removes it from the list.
        const done = (await store.verifications.get('vrf_done_old'))!;
        await store.verifications.update({ ...done, purgedAt: at(101), version: 2 }, 1);
        expect(ids(byId(await store.verifications.listPurgeDue(at(100), 10)))).toEqual([
          'vrf_declined_now',
          'vrf_expired_old',
        ]);
      });

      it('lists terminal verifications whose outcome is not yet published', async () => {
        const rows: Array<Partial<Verification> & { id: string }> = [
          { id: 'vrf_done_unpublished', status: 'approved', completedAt: at(5) },
          { id: 'vrf_expired_unpublished', status: 'expired', completedAt: at(6), purgeAfter: at(1) },
          { id: 'vrf_done_published', status: 'declined', completedAt: at(5), publishedAt: at(6) },
          { id: 'vrf_open', status: 'pending' },
          { id: 'vrf_running', status: 'in_progress' },
        ];
        for (const [i, row] of rows.entries()) {
          await store.verifications.create(makeVerification({ ...row, clientTokenHash: `${i}`.repeat(64) }));
        }
        expect(ids(byId(await store.verifications.listUnpublished(10)))).toEqual([
          'vrf_done_unpublished',
          'vrf_expired_unpublished',
        ]);
        expect(await store.verifications.listUnpublished(1)).toHaveLength(1);
        // A verification can be purge-due and unpublished at the same time.
        expect(ids(await store.verifications.listPurgeDue(at(10), 10))).toEqual(['vrf_expired_unpublished']);
        // Publishing removes it from the list.
        const done = (await store.verifications.get('vrf_done_unpublished'))!;
        await store.verifications.update({ ...done, publishedAt: at(7), version: 2 }, 1);
        expect(ids(await store.verifications.listUnpublished(10))).toEqual(['vrf_expired_unpublished']);
      });
    });

    describe('webhook endpoints', () => {
      it('creates, gets (org-scoped) and lists active endpoints by mode', async () => {
        const live = makeWebhookEndpoint({
          id: 'whe_live',
          mode: 'live',
          events: ['verification.approved', 'fraud.flagged'],
        });
        const test = makeWebhookEndpoint({ id: 'whe_test', mode: 'test' });
        const other = makeWebhookEndpoint({ id: 'whe_other', orgId: 'org_b' });
        await store.webhooks.create(live);
        await store.webhooks.create(test);
        await store.webhooks.create(other);
        expect(await store.webhooks.get('org_test1', 'whe_live')).toEqual(live);
        expect(await store.webhooks.get('org_b', 'whe_live')).toBeNull();
        expect(ids(byId(await store.webhooks.listActive('org_test1')))).toEqual(['whe_live', 'whe_test']);
        expect(await store.webhooks.listActive('org_test1', 'live')).toEqual([live]);
        expect(await store.webhooks.listActive('org_test1', 'test')).toEqual([test]);
      });

      it('deletes once and hides deleted endpoints from listActive', async () => {
        await store.webhooks.create(makeWebhookEndpoint({ id: 'whe_1' }));
        await store.webhooks.create(makeWebhookEndpoint({ id: 'whe_2' }));
        expect(await store.webhooks.delete('org_test1', 'whe_1', at(5))).toBe(true);
        expect(await store.webhooks.delete('org_test1', 'whe_1', at(6))).toBe(false);
        expect(await store.webhooks.delete('org_test1', 'whe_missing', at(6))).toBe(false);
        expect(await store.webhooks.delete('org_b', 'whe_2', at(6))).toBe(false);
        expect((await store.webhooks.get('org_test1', 'whe_1'))?.deletedAt).toBe(at(5));
        expect(ids(await store.webhooks.listActive('org_test1'))).toEqual(['whe_2']);
      });

      it('disables once, keeps disabled endpoints listed, and never disables a deleted one', async () => {
        await store.webhooks.create(makeWebhookEndpoint({ id: 'whe_1' }));
        await store.webhooks.create(makeWebhookEndpoint({ id: 'whe_2' }));
        expect(await store.webhooks.disable('org_test1', 'whe_1', at(5), 'key_revoked')).toBe(true);
        expect(await store.webhooks.disable('org_test1', 'whe_1', at(6), 'key_revoked')).toBe(false);
        expect(await store.webhooks.disable('org_test1', 'whe_missing', at(6), 'key_revoked')).toBe(false);
        expect(await store.webhooks.disable('org_b', 'whe_2', at(6), 'key_revoked')).toBe(false);
        expect(await store.webhooks.delete('org_test1', 'whe_2', at(6))).toBe(true);
        expect(await store.webhooks.disable('org_test1', 'whe_2', at(7), 'key_revoked')).toBe(false);
        expect(await store.webhooks.get('org_test1', 'whe_1')).toMatchObject({
          disabledAt: at(5),
          disabledReason: 'key_revoked',
          deletedAt: null,
        });
        expect((await store.webhooks.get('org_test1', 'whe_2'))?.disabledAt ?? null).toBeNull();
        expect(ids(await store.webhooks.listActive('org_test1'))).toEqual(['whe_1']);
      });
    });

    describe('deliveries', () => {
      it('createMany is idempotent: existing ids keep their stored state', async () => {
        const d1 = makeDelivery({ id: 'whd_1' });
        await store.deliveries.createMany([d1]);
        const outcome = {
          status: 'succeeded' as const,
          attempts: [{ at: at(1), statusCode: 200, error: null, durationMs: 42 }],
          nextAttemptAt: null,
          updatedAt: at(1),
        };
        const delivered = { ...d1, ...outcome };
        expect(await store.deliveries.recordAttempt(d1.id, { status: 'pending', attemptCount: 0 }, outcome)).toBe(true);
        const d2 = makeDelivery({ id: 'whd_2', event: 'verification.approved' });
        await store.deliveries.createMany([{ ...d1, body: 'replaced?' }, d2]);
        expect(await store.deliveries.get('whd_1')).toEqual(delivered);
        expect(await store.deliveries.get('whd_2')).toEqual(d2);
        expect(await store.deliveries.get('whd_missing')).toBeNull();
        await store.deliveries.createMany([]);
      });

      it('createMany racing itself with the same ids (two publications of one outcome) stores each id once', async () => {
        const rows = (body: string) =>
          ['verification.completed', 'verification.approved'].map((event, i) =>
            makeDelivery({ id: `whd_race${i}`, event: event as Delivery['event'], body }),
          );
        await Promise.all([
          store.deliveries.createMany(rows('first')),
          store.deliveries.createMany(rows('second')),
          store.deliveries.createMany(rows('third')),
        ]);
        const stored = await store.deliveries.listByVerification('vrf_test1');
        expect(ids(byId(stored))).toEqual(['whd_race0', 'whd_race1']);
        // Whichever write won, a row is one writer's whole row, never a mix.
        for (const d of stored) expect(['first', 'second', 'third']).toContain(d.body);
      });

      it('lists by endpoint newest first with a limit, and by verification', async () => {
        await store.deliveries.createMany([
          makeDelivery({ id: 'whd_a', createdAt: at(1), verificationId: 'vrf_1' }),
          makeDelivery({ id: 'whd_b', createdAt: at(3), verificationId: 'vrf_2' }),
          makeDelivery({ id: 'whd_c', createdAt: at(2), verificationId: 'vrf_1' }),
          makeDelivery({ id: 'whd_d', createdAt: at(4), endpointId: 'whe_other', verificationId: 'vrf_1' }),
        ]);
        const all = await store.deliveries.listByEndpoint('whe_test1', { limit: 10 });
        expect(ids(all.items)).toEqual(['whd_b', 'whd_c', 'whd_a']);
        expect(all.next).toBeNull();
        expect(ids((await store.deliveries.listByEndpoint('whe_test1', { limit: 2 })).items)).toEqual([
          'whd_b',
          'whd_c',
        ]);
        expect(ids(byId(await store.deliveries.listByVerification('vrf_1')))).toEqual(['whd_a', 'whd_c', 'whd_d']);
        expect(await store.deliveries.listByVerification('vrf_none')).toEqual([]);
      });

      it("pages an endpoint's deliveries with an opaque cursor: every delivery once, newest first, ties by id", async () => {
        const same = at(5);
        await store.deliveries.createMany([
          ...['whd_p1', 'whd_p2', 'whd_p3'].map((id) => makeDelivery({ id, createdAt: same })),
          ...[1, 2, 3, 4].map((n) => makeDelivery({ id: `whd_q${n}`, createdAt: at(n) })),
          makeDelivery({ id: 'whd_elsewhere', createdAt: at(6), endpointId: 'whe_other' }),
        ]);
        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const page: ListPage<Delivery> = await store.deliveries.listByEndpoint('whe_test1', { limit: 3, cursor });
          seen.push(...ids(page.items));
          sizes.push(page.items.length);
          cursor = page.next;
        } while (cursor !== null && sizes.length < 10);
        expect(seen).toEqual(['whd_p3', 'whd_p2', 'whd_p1', 'whd_q4', 'whd_q3', 'whd_q2', 'whd_q1']);
        expect(sizes).toEqual([3, 3, 1]);
        // A last page that is exactly full says so: no cursor to an empty page.
        const exact = await store.deliveries.listByEndpoint('whe_test1', { limit: 7 });
        expect(exact.items).toHaveLength(7);
        expect(exact.next).toBeNull();
        await expect(
          store.deliveries.listByEndpoint('whe_test1', { limit: 3, cursor: 'not-a-cursor' }),
        ).rejects.toMatchObject({ name: 'InvalidCursorError' });
      });

      it('lists only pending deliveries, and recording a final attempt moves them out', async () => {
        await store.deliveries.createMany([
          makeDelivery({ id: 'whd_1', createdAt: at(1) }),
          makeDelivery({ id: 'whd_2', createdAt: at(2) }),
          makeDelivery({ id: 'whd_3', createdAt: at(3), status: 'failed', nextAttemptAt: null }),
        ]);
        expect(ids(byId(await store.deliveries.listPending(10)))).toEqual(['whd_1', 'whd_2']);
        expect(await store.deliveries.listPending(1)).toHaveLength(1);
        const pending0 = { status: 'pending' as const, attemptCount: 0 };
        const success = [{ at: at(5), statusCode: 200, error: null, durationMs: 9 }];
        expect(
          await store.deliveries.recordAttempt('whd_1', pending0, {
            status: 'succeeded',
            attempts: success,
            nextAttemptAt: null,
            updatedAt: at(5),
          }),
        ).toBe(true);
        expect(ids(await store.deliveries.listPending(10))).toEqual(['whd_2']);
        // A retry keeps it pending with a new attempt recorded.
        const d2 = (await store.deliveries.get('whd_2'))!;
        const retry = {
          status: 'pending' as const,
          attempts: [{ at: at(6), statusCode: 500, error: 'HTTP 500', durationMs: 12 }],
          nextAttemptAt: at(7),
          updatedAt: at(6),
        };
        expect(await store.deliveries.recordAttempt('whd_2', pending0, retry)).toBe(true);
        expect(await store.deliveries.listPending(10)).toEqual([{ ...d2, ...retry }]);
        expect(await store.deliveries.recordAttempt('whd_missing', pending0, retry)).toBe(false);
      });

      const firstFailure = { at: at(2), statusCode: 500, error: 'HTTP 500', durationMs: 7 };
      const succeededAfterRetry = {
        status: 'succeeded' as const,
        attempts: [firstFailure, { at: at(4), statusCode: 200, error: null, durationMs: 8 }],
        nextAttemptAt: null,
        updatedAt: at(4),
      };

      it('recordAttempt with a stale expectation returns false and changes nothing', async () => {
        const d = makeDelivery({ id: 'whd_stale' });
        await store.deliveries.createMany([d]);
        const retry = { status: 'pending' as const, attempts: [firstFailure], nextAttemptAt: at(3), updatedAt: at(2) };
        expect(await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 0 }, retry)).toBe(true);
        // A second dispatcher that read the delivery before the first attempt was recorded.
        const late = { status: 'failed' as const, attempts: [firstFailure], nextAttemptAt: null, updatedAt: at(9) };
        expect(await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 0 }, late)).toBe(false);
        expect(await store.deliveries.get(d.id)).toEqual({ ...d, ...retry });
        // A finished delivery is never downgraded by a send that read it while pending.
        expect(
          await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 1 }, succeededAfterRetry),
        ).toBe(true);
        expect(await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 1 }, late)).toBe(false);
        expect(await store.deliveries.get(d.id)).toEqual({ ...d, ...succeededAfterRetry });
        expect(await store.deliveries.listPending(10)).toEqual([]);
      });

      it('scrubBody after a recorded attempt keeps the outcome; a succeeded delivery stays succeeded', async () => {
        const d = makeDelivery({ id: 'whd_scrub1' });
        await store.deliveries.createMany([d]);
        expect(
          await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 0 }, succeededAfterRetry),
        ).toBe(true);
        // Erasure read the delivery while it was pending; its scrub writes the body only.
        expect(await store.deliveries.scrubBody(d.id, '{"scrubbed":true}')).toBe(true);
        expect(await store.deliveries.get(d.id)).toEqual({ ...d, ...succeededAfterRetry, body: '{"scrubbed":true}' });
        expect(await store.deliveries.listPending(10)).toEqual([]);
        expect(await store.deliveries.scrubBody('whd_missing', '{}')).toBe(false);
        expect(await store.deliveries.get('whd_missing')).toBeNull();
      });

      it('recordAttempt after scrubBody keeps the scrubbed body', async () => {
        const d = makeDelivery({ id: 'whd_scrub2' });
        await store.deliveries.createMany([d]);
        // The dispatcher read the body, then erasure scrubbed it while the POST was in flight.
        expect(await store.deliveries.scrubBody(d.id, '{"scrubbed":true}')).toBe(true);
        const retry = { status: 'pending' as const, attempts: [firstFailure], nextAttemptAt: at(3), updatedAt: at(2) };
        expect(await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 0 }, retry)).toBe(true);
        const stored = { ...d, ...retry, body: '{"scrubbed":true}' };
        expect(await store.deliveries.get(d.id)).toEqual(stored);
        expect(await store.deliveries.listPending(10)).toEqual([stored]);
      });

      it('reopen sets a finished delivery pending again without touching body or attempts, once', async () => {
        const d = makeDelivery({ id: 'whd_reopen', body: '{"scrubbed":true}' });
        await store.deliveries.createMany([d]);
        const failed = { status: 'failed' as const, attempts: [firstFailure], nextAttemptAt: null, updatedAt: at(2) };
        expect(await store.deliveries.recordAttempt(d.id, { status: 'pending', attemptCount: 0 }, failed)).toBe(true);
        const change = { redeliveredAfterFailures: 1, nextAttemptAt: at(5), updatedAt: at(5) };
        expect(await store.deliveries.reopen(d.id, { status: 'failed', attemptCount: 1 }, change)).toBe(true);
        const reopened = { ...d, ...failed, ...change, status: 'pending' };
        expect(await store.deliveries.get(d.id)).toEqual(reopened);
        expect(await store.deliveries.listPending(10)).toEqual([reopened]);
        // A second redelivery that read it as failed changes nothing.
        expect(await store.deliveries.reopen(d.id, { status: 'failed', attemptCount: 1 }, change)).toBe(false);
        expect(await store.deliveries.reopen('whd_missing', { status: 'failed', attemptCount: 1 }, change)).toBe(false);
      });
    });

    describe('idempotency', () => {
      it('claims once; a second claim returns the live record', async () => {
        const rec = makeIdempotencyRecord({ scope: 'key_1:abc' });
        expect(await store.idempotency.claim(rec, at(1))).toEqual({ claimed: true });
        const again = await store.idempotency.claim({ ...rec, requestHash: 'f'.repeat(64), createdAt: at(2) }, at(2));
        expect(again).toEqual({ claimed: false, existing: rec });
      });

      it('complete stores the response the next claim sees', async () => {
        const rec = makeIdempotencyRecord({ scope: 'key_1:abc' });
        await store.idempotency.claim(rec, at(1));
        await store.idempotency.complete('key_1:abc', rec.claimId, { statusCode: 201, body: '{"id":"vrf_1"}' });
        expect(await store.idempotency.claim(rec, at(2))).toEqual({
          claimed: false,
          existing: { ...rec, response: { statusCode: 201, body: '{"id":"vrf_1"}' } },
        });
      });

      it('release frees the scope for a new claim', async () => {
        const rec = makeIdempotencyRecord({ scope: 'key_1:abc' });
        await store.idempotency.claim(rec, at(1));
        await store.idempotency.release('key_1:abc', rec.claimId);
        expect(await store.idempotency.claim({ ...rec, createdAt: at(2) }, at(2))).toEqual({ claimed: true });
        await store.idempotency.release('key_1:never-claimed', rec.claimId);
      });

      it('an expired record can be re-claimed, replacing it', async () => {
        const old = makeIdempotencyRecord({ scope: 'key_1:abc', createdAt: at(0), expiresAt: at(60) });
        await store.idempotency.claim(old, at(0));
        await store.idempotency.complete('key_1:abc', old.claimId, { statusCode: 201, body: 'old' });
        const fresh = makeIdempotencyRecord({
          scope: 'key_1:abc',
          requestHash: 'f'.repeat(64),
          createdAt: at(61),
          expiresAt: at(121),
        });
        expect(await store.idempotency.claim(fresh, at(61))).toEqual({ claimed: true });
        expect(await store.idempotency.claim(fresh, at(62))).toEqual({ claimed: false, existing: fresh });
      });

      it('an unfinished claim holds its scope for its lease only; then a new claim takes it over', async () => {
        const crashed = makeIdempotencyRecord({ scope: 'key_1:abc', claimId: 'idm_a', leaseExpiresAt: at(1) });
        await store.idempotency.claim(crashed, at(0));
        const retry = makeIdempotencyRecord({
          scope: 'key_1:abc',
          claimId: 'idm_b',
          createdAt: at(2),
          leaseExpiresAt: at(3),
        });
        expect(await store.idempotency.claim(retry, at(0.5))).toEqual({ claimed: false, existing: crashed });
        expect(await store.idempotency.claim(retry, at(2))).toEqual({ claimed: true });
        expect(await store.idempotency.claim(retry, at(2.5))).toEqual({ claimed: false, existing: retry });
      });

      it('a claim taken over fences out its old claimant: complete and release by it change nothing', async () => {
        const first = makeIdempotencyRecord({ scope: 'key_1:abc', claimId: 'idm_a', leaseExpiresAt: at(1) });
        const second = makeIdempotencyRecord({ scope: 'key_1:abc', claimId: 'idm_b', createdAt: at(2) });
        await store.idempotency.claim(first, at(0));
        await store.idempotency.claim(second, at(2));
        await store.idempotency.complete('key_1:abc', 'idm_a', { statusCode: 201, body: 'late' });
        await store.idempotency.release('key_1:abc', 'idm_a');
        expect(await store.idempotency.claim(first, at(3))).toEqual({ claimed: false, existing: second });
        await store.idempotency.complete('key_1:abc', 'idm_b', { statusCode: 201, body: 'mine' });
        expect(await store.idempotency.claim(first, at(4))).toEqual({
          claimed: false,
          existing: { ...second, response: { statusCode: 201, body: 'mine' } },
        });
      });

      it('a completed claim outlives its lease until it expires', async () => {
        const rec = makeIdempotencyRecord({ scope: 'key_1:abc', leaseExpiresAt: at(1), expiresAt: at(60) });
        await store.idempotency.claim(rec, at(0));
        await store.idempotency.complete('key_1:abc', rec.claimId, { statusCode: 201, body: 'done' });
        expect(await store.idempotency.claim({ ...rec, claimId: 'idm_other' }, at(30))).toEqual({
          claimed: false,
          existing: { ...rec, response: { statusCode: 201, body: 'done' } },
        });
      });

      it('scopes are independent', async () => {
        expect(await store.idempotency.claim(makeIdempotencyRecord({ scope: 'key_1:abc' }), at(1))).toEqual({
          claimed: true,
        });
        expect(await store.idempotency.claim(makeIdempotencyRecord({ scope: 'key_2:abc' }), at(1))).toEqual({
          claimed: true,
        });
      });

      it('exactly one of two concurrent claims wins', async () => {
        const rec = makeIdempotencyRecord({ scope: 'key_1:race' });
        const results = await Promise.all([store.idempotency.claim(rec, at(1)), store.idempotency.claim(rec, at(1))]);
        expect(results.filter((r) => r.claimed)).toHaveLength(1);
      });
    });

    describe('captures', () => {
      it('creates, gets and lists captures of a verification', async () => {
        const c1 = makeCapture({ id: 'cap_1', kind: 'document_front' });
        const c2 = makeCapture({ id: 'cap_2', kind: 'liveness_frame', index: 1 });
        const other = makeCapture({ id: 'cap_3', verificationId: 'vrf_other' });
        await store.captures.create(c1);
        await store.captures.create(c2);
        await store.captures.create(other);
        expect(await store.captures.get('vrf_test1', 'cap_1')).toEqual(c1);
        expect(await store.captures.get('vrf_other', 'cap_1')).toBeNull();
        expect(byId(await store.captures.listByVerification('vrf_test1'))).toEqual([c1, c2]);
        expect(await store.captures.listByVerification('vrf_none')).toEqual([]);
      });

      it('transitions only from the expected status and applies the patch', async () => {
        const c = makeCapture({ id: 'cap_1' });
        await store.captures.create(c);
        const patch = {
          status: 'uploaded' as const,
          // `complete` points the capture at the validated copy and pins it by digest.
          blobKey: `captures/vrf_test1/1/checked/cap_1-${'ab'.repeat(32)}`,
          sha256: 'ab'.repeat(32),
          contentType: 'image/jpeg',
          bytes: 123_456,
          width: 1024,
          height: 768,
        };
        expect(await store.captures.transition('vrf_test1', 'cap_1', 'requested', patch)).toBe(true);
        expect(await store.captures.get('vrf_test1', 'cap_1')).toEqual({ ...c, ...patch });
        expect(
          await store.captures.transition('vrf_test1', 'cap_1', 'requested', { status: 'uploaded', bytes: 1 }),
        ).toBe(false);
        expect((await store.captures.get('vrf_test1', 'cap_1'))?.bytes).toBe(123_456);
        expect(await store.captures.transition('vrf_test1', 'cap_missing', 'requested', { status: 'uploaded' })).toBe(
          false,
        );
        expect(await store.captures.get('vrf_test1', 'cap_missing')).toBeNull();
        expect(await store.captures.transition('vrf_test1', 'cap_1', 'uploaded', { status: 'purged' })).toBe(true);
        expect((await store.captures.get('vrf_test1', 'cap_1'))?.status).toBe('purged');
      });
    });

    describe('audit', () => {
      it('appends and lists a verification trail ordered by time', async () => {
        const e2 = makeAuditEvent({ id: 'evt_2', type: 'consent.accepted', at: at(2), data: { locale: 'en' } });
        const e1 = makeAuditEvent({ id: 'evt_1', type: 'verification.created', at: at(1) });
        const e3 = makeAuditEvent({
          id: 'evt_3',
          type: 'attempt.submitted',
          at: at(3),
          data: { attempt: 1, nested: { ok: true } },
        });
        const other = makeAuditEvent({ id: 'evt_4', verificationId: 'vrf_other', at: at(0) });
        await store.audit.append(e1);
        await store.audit.append(e3);
        await store.audit.append(e2);
        await store.audit.append(other);
        expect(await store.audit.listByVerification('vrf_test1')).toEqual([e1, e2, e3]);
        expect(await store.audit.listByVerification('vrf_none')).toEqual([]);
      });

      it('appending an event whose id is stored again leaves one entry', async () => {
        const e = makeAuditEvent({ id: 'evt_fixed', type: 'verification.finalized', at: at(5) });
        await store.audit.append(e);
        await store.audit.append(e);
        expect(await store.audit.listByVerification('vrf_test1')).toEqual([e]);
      });
    });

    describe('step results', () => {
      it('first write wins and results are listed per attempt', async () => {
        const doc = makeStepResult({ step: 'document' });
        expect(await store.steps.putIfAbsent(doc)).toBe(true);
        expect(await store.steps.putIfAbsent({ ...doc, result: { outcome: 'fail' }, createdAt: at(9) })).toBe(false);
        expect(await store.steps.get('vrf_test1', 1, 'document')).toEqual(doc);
        const face = makeStepResult({ step: 'faceMatch', result: { distance: 0.31 } });
        const attempt2 = makeStepResult({ attempt: 2, step: 'document', result: { outcome: 'fail' } });
        expect(await store.steps.putIfAbsent(face)).toBe(true);
        expect(await store.steps.putIfAbsent(attempt2)).toBe(true);
        const list = await store.steps.listByAttempt('vrf_test1', 1);
        expect([...list].sort((a, b) => a.step.localeCompare(b.step))).toEqual([doc, face]);
        expect(await store.steps.listByAttempt('vrf_test1', 2)).toEqual([attempt2]);
        expect(await store.steps.get('vrf_test1', 3, 'document')).toBeNull();
        expect(await store.steps.listByAttempt('vrf_none', 1)).toEqual([]);
      });

      it('attempt numbers do not collide by prefix (1 vs 10)', async () => {
        await store.steps.putIfAbsent(makeStepResult({ attempt: 1, step: 'document' }));
        await store.steps.putIfAbsent(makeStepResult({ attempt: 10, step: 'document' }));
        expect(await store.steps.listByAttempt('vrf_test1', 1)).toHaveLength(1);
        expect(await store.steps.listByAttempt('vrf_test1', 10)).toHaveLength(1);
      });
    });

    describe('identity signals', () => {
      const DOC = 'd'.repeat(64);
      const PERSON = 'e'.repeat(64);

      it('lists by document key within the org and replaces on put', async () => {
        const s1 = makeSignal({ verificationId: 'vrf_1', documentKeyHash: DOC });
        const s2 = makeSignal({ verificationId: 'vrf_2', documentKeyHash: DOC, createdAt: at(5) });
        const otherDoc = makeSignal({ verificationId: 'vrf_3', documentKeyHash: '0'.repeat(64) });
        const otherOrg = makeSignal({ verificationId: 'vrf_4', orgId: 'org_b', documentKeyHash: DOC });
        for (const s of [s1, s2, otherDoc, otherOrg]) await store.signals.put(s);
        const sortByV = (xs: { verificationId: string }[]) =>
          [...xs].sort((a, b) => a.verificationId.localeCompare(b.verificationId));
        expect(sortByV(await store.signals.listByDocumentKey('org_test1', DOC))).toEqual([s1, s2]);
        // put replaces the verification's signal (e.g. the document was read again).
        await store.signals.put({ ...s2, documentKeyHash: '0'.repeat(64) });
        expect(await store.signals.listByDocumentKey('org_test1', DOC)).toEqual([s1]);
      });

      it('lists only signals carrying a face vector, honouring limit', async () => {
        const f1 = makeSignal({ verificationId: 'vrf_1', faceVector: [0.1, -0.25, 0.5] });
        const f2 = makeSignal({ verificationId: 'vrf_2', faceVector: [0.3, 0.2, -0.1], createdAt: at(1) });
        await store.signals.put(f1);
        await store.signals.put(f2);
        await store.signals.put(makeSignal({ verificationId: 'vrf_3', faceVector: null }));
        await store.signals.put(makeSignal({ verificationId: 'vrf_4', orgId: 'org_b', faceVector: [1, 2, 3] }));
        const all = await store.signals.listFaceVectors('org_test1', 10);
        expect([...all].sort((a, b) => a.verificationId.localeCompare(b.verificationId))).toEqual([f1, f2]);
        expect(await store.signals.listFaceVectors('org_test1', 1)).toHaveLength(1);
      });

      it('counts signals since a time by document key or person key', async () => {
        await store.signals.put(makeSignal({ verificationId: 'vrf_1', createdAt: at(1) }));
        await store.signals.put(makeSignal({ verificationId: 'vrf_2', createdAt: at(10) }));
        await store.signals.put(makeSignal({ verificationId: 'vrf_3', createdAt: at(20), personKeyHash: null }));
        await store.signals.put(makeSignal({ verificationId: 'vrf_4', createdAt: at(20), documentKeyHash: null }));
        await store.signals.put(makeSignal({ verificationId: 'vrf_5', createdAt: at(20), orgId: 'org_b' }));
        expect(await store.signals.countSince('org_test1', { documentKeyHash: DOC }, at(5))).toBe(2);
        expect(await store.signals.countSince('org_test1', { personKeyHash: PERSON }, at(5))).toBe(2);
        expect(await store.signals.countSince('org_test1', { documentKeyHash: DOC }, at(0))).toBe(3);
        expect(await store.signals.countSince('org_test1', { documentKeyHash: DOC }, at(30))).toBe(0);
        expect(
          await store.signals.countSince('org_test1', { documentKeyHash: DOC, personKeyHash: PERSON }, at(5)),
        ).toBe(3);
      });

      it('deletes the signal of a verification', async () => {
        await store.signals.put(makeSignal({ verificationId: 'vrf_1', faceVector: [0.5] }));
        await store.signals.put(makeSignal({ verificationId: 'vrf_2' }));
        await store.signals.deleteByVerification('vrf_1');
        await store.signals.deleteByVerification('vrf_none');
        expect((await store.signals.listByDocumentKey('org_test1', DOC)).map((s) => s.verificationId)).toEqual([
          'vrf_2',
        ]);
        expect(await store.signals.listFaceVectors('org_test1', 10)).toEqual([]);
        expect(await store.signals.countSince('org_test1', { personKeyHash: PERSON }, at(-10))).toBe(1);
      });
    });
  });
}
