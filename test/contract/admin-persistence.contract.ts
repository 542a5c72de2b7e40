/**
 * Contract of the persistence port's admin access patterns (the dashboard's): filtered and ordered
 * verification lists, the org-wide audit log and signing-secret rotation. Runs against every adapter
 * (SQLite in local.test.ts, DynamoDB Local in persistence.aws.test.ts).
 */
import type { Store } from '../../functions/ports/persistence';
import { at, makeAuditEvent, makeKey, makeVerification } from '../support/builders';

export interface AdminStoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

export function describeAdminPersistenceContract(name: string, makeStore: () => Promise<AdminStoreFixture>): void {
  describe(`admin persistence contract: ${name}`, () => {
    let fixture: AdminStoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup());

    const seed = async () => {
      const vs = [
        makeVerification({
          id: 'vrf_a',
          createdAt: at(1),
          status: 'review',
          decision: 'review',
          applicantEmail: 'Ann@Example.com',
          clientTokenHash: 'a'.repeat(64),
        }),
        makeVerification({
          id: 'vrf_b',
          createdAt: at(2),
          status: 'approved',
          decision: 'approved',
          mode: 'live',
          clientTokenHash: 'c'.repeat(64),
        }),
        makeVerification({
          id: 'vrf_c',
          createdAt: at(3),
          status: 'review',
          decision: 'review',
          flowId: 'flow_other',
          clientTokenHash: 'd'.repeat(64),
        }),
        makeVerification({
          id: 'vrf_d',
          createdAt: at(4),
          status: 'review',
          decision: 'review',
          clientTokenHash: 'e'.repeat(64),
        }),
        makeVerification({
          id: 'vrf_x',
          orgId: 'org_other',
          createdAt: at(5),
          status: 'review',
          decision: 'review',
          clientTokenHash: 'f'.repeat(64),
        }),
      ];
      for (const v of vs) await store.verifications.create(v);
    };
    const ids = async (opts: Parameters<Store['verifications']['listByOrg']>[1]) =>
      (await store.verifications.listByOrg('org_test1', opts)).items.map((v) => v.id);

    it('filters verifications by decision, mode, flow, email (case-insensitive) and created range', async () => {
      await seed();
      expect(await ids({ limit: 10, decision: 'approved' })).toEqual(['vrf_b']);
      expect(await ids({ limit: 10, mode: 'live' })).toEqual(['vrf_b']);
      expect(await ids({ limit: 10, flowId: 'flow_other' })).toEqual(['vrf_c']);
      expect(await ids({ limit: 10, applicantEmail: 'ann@example.COM' })).toEqual(['vrf_a']);
      expect(await ids({ limit: 10, createdFrom: at(2), createdTo: at(4) })).toEqual(['vrf_c', 'vrf_b']);
      expect(await ids({ limit: 10, status: 'review', createdTo: at(3) })).toEqual(['vrf_a']);
      expect(await ids({ limit: 10, status: 'review', flowId: 'flow_test1' })).toEqual(['vrf_d', 'vrf_a']);
    });

    it('lists oldest first on request and pages through a filter with a cursor (pages stay full)', async () => {
      await seed();
      const first = await store.verifications.listByOrg('org_test1', { limit: 1, status: 'review', order: 'asc' });
      expect(first.items.map((v) => v.id)).toEqual(['vrf_a']);
      const second = await store.verifications.listByOrg('org_test1', {
        limit: 1,
        status: 'review',
        order: 'asc',
        cursor: first.next,
      });
      expect(second.items.map((v) => v.id)).toEqual(['vrf_c']);
      const filtered = await store.verifications.listByOrg('org_test1', { limit: 1, flowId: 'flow_test1' });
      expect(filtered.items.map((v) => v.id)).toEqual(['vrf_d']);
      const rest = await store.verifications.listByOrg('org_test1', {
        limit: 5,
        flowId: 'flow_test1',
        cursor: filtered.next,
      });
      expect(rest.items.map((v) => v.id)).toEqual(['vrf_b', 'vrf_a']);
      expect(rest.next).toBeNull();
    });

    it('lists the org audit log newest first, with org-level events (no verification), paginated', async () => {
      await store.audit.append(makeAuditEvent({ id: 'evt_1', at: at(1) }));
      await store.audit.append(
        makeAuditEvent({
          id: 'evt_2',
          at: at(2),
          verificationId: null,
          type: 'key.minted',
          actor: 'operator:a@example.com',
        }),
      );
      await store.audit.append(makeAuditEvent({ id: 'evt_3', at: at(3), verificationId: 'vrf_test2' }));
      await store.audit.append(
        makeAuditEvent({ id: 'evt_9', at: at(4), orgId: 'org_other', verificationId: 'vrf_other' }),
      );
      const page1 = await store.audit.listByOrg('org_test1', { limit: 2 });
      expect(page1.items.map((e) => e.id)).toEqual(['evt_3', 'evt_2']);
      expect(page1.items[1]).toMatchObject({ verificationId: null, actor: 'operator:a@example.com' });
      const page2 = await store.audit.listByOrg('org_test1', { limit: 2, cursor: page1.next });
      expect(page2.items.map((e) => e.id)).toEqual(['evt_1']);
      expect(page2.next).toBeNull();
      // Org-level events stay out of every verification's trail.
      expect((await store.audit.listByVerification('vrf_test1')).map((e) => e.id)).toEqual(['evt_1']);
    });

    it('rotates the signing secret of an active key only', async () => {
      await store.keys.create(makeKey());
      const rotation = {
        encryptedSecret: 'enc-new',
        previousEncryptedSecret: 'enc-old',
        previousSecretExpiresAt: at(60),
      };
      expect(await store.keys.rotateSecret('org_test1', 'key_test1', rotation)).toBe(true);
      expect(await store.keys.get('org_test1', 'key_test1')).toMatchObject(rotation);
      expect(await store.keys.rotateSecret('org_other', 'key_test1', rotation)).toBe(false);
      await store.keys.revoke('org_test1', 'key_test1', at(1));
      expect(await store.keys.rotateSecret('org_test1', 'key_test1', { ...rotation, encryptedSecret: 'enc-3' })).toBe(
        false,
      );
      expect((await store.keys.get('org_test1', 'key_test1'))?.encryptedSecret).toBe('enc-new');
    });
  });
}
