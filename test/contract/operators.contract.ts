/**
 * Contract of the operator store port (dashboard accounts, sessions, sign-in backoff). The local runtime's
 * SQLite adapter runs it; on AWS Cognito holds operators, so there is no DynamoDB adapter.
 */
import { ConflictError, type Operator, type OperatorStore } from '../../functions/ports/persistence';
import { at } from '../support/builders';

const operator = (overrides: Partial<Operator> = {}): Operator => ({
  id: 'op_1',
  orgId: 'org_1',
  email: 'ann@example.com',
  role: 'admin',
  passwordHash: 'scrypt$N=2,r=1,p=1$c2FsdA==$ZGlnZXN0',
  createdAt: at(0),
  updatedAt: at(0),
  disabledAt: null,
  lastSignInAt: null,
  ...overrides,
});

export function describeOperatorStoreContract(
  name: string,
  makeStore: () => Promise<{ store: OperatorStore; cleanup(): Promise<void> }>,
): void {
  describe(`operator store contract: ${name}`, () => {
    let store: OperatorStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(() => cleanup());

    it('creates operators with unique emails, reads them by id and email, lists them per org', async () => {
      await store.operators.create(operator());
      await store.operators.create(
        operator({ id: 'op_2', email: 'bob@example.com', orgId: 'org_2', role: 'reviewer' }),
      );
      await expect(store.operators.create(operator({ id: 'op_3' }))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.operators.getByEmail('ann@example.com')).toEqual(operator());
      expect(await store.operators.get('op_2')).toMatchObject({ role: 'reviewer' });
      expect(await store.operators.getByEmail('nobody@example.com')).toBeNull();
      expect((await store.operators.list('org_2')).map((o) => o.id)).toEqual(['op_2']);
      expect((await store.operators.list()).map((o) => o.email)).toEqual(['ann@example.com', 'bob@example.com']);
    });

    it('saves changes (disable, password) and reports unknown operators', async () => {
      await store.operators.create(operator());
      expect(await store.operators.save(operator({ disabledAt: at(5), passwordHash: 'other' }))).toBe(true);
      expect(await store.operators.get('op_1')).toMatchObject({ disabledAt: at(5), passwordHash: 'other' });
      expect(await store.operators.save(operator({ id: 'op_missing' }))).toBe(false);
    });

    it('stores sessions by token hash, touches and deletes them, one by one or per operator', async () => {
      const session = {
        tokenHash: 'h1',
        operatorId: 'op_1',
        orgId: 'org_1',
        createdAt: at(0),
        lastSeenAt: at(0),
        expiresAt: at(720),
      };
      await store.sessions.create(session);
      await store.sessions.create({ ...session, tokenHash: 'h2' });
      await store.sessions.create({ ...session, tokenHash: 'h3', operatorId: 'op_2' });
      await store.sessions.touch('h1', at(10));
      expect(await store.sessions.get('h1')).toEqual({ ...session, lastSeenAt: at(10) });
      await store.sessions.delete('h1');
      expect(await store.sessions.get('h1')).toBeNull();
      expect(await store.sessions.deleteByOperator('op_1')).toBe(1);
      expect(await store.sessions.get('h2')).toBeNull();
      expect(await store.sessions.get('h3')).not.toBeNull();
    });

    it('keeps sign-in throttles per key', async () => {
      const t = { key: 'ip:127.0.0.1', failures: 3, lastFailureAt: at(1), blockedUntil: null };
      expect(await store.throttles.get(t.key)).toBeNull();
      await store.throttles.put(t);
      await store.throttles.put({ ...t, failures: 6, blockedUntil: at(2) });
      expect(await store.throttles.get(t.key)).toEqual({ ...t, failures: 6, blockedUntil: at(2) });
      await store.throttles.delete(t.key);
      expect(await store.throttles.get(t.key)).toBeNull();
    });
  });
}
