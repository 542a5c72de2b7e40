/**
 * The port contract suites on the local adapters: SQLite store and job queue, file blobs, master-key
 * secret box. The same suites run against DynamoDB Local, s3rver, fauxqs and KMS in *.aws.test.ts.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileBlobStore } from '../../functions/adapters/local/file-blob-store';
import { createFileSecretBox } from '../../functions/adapters/local/file-secret-box';
import { openDatabase } from '../../functions/adapters/sqlite/database';
import { createSqliteJobQueue } from '../../functions/adapters/sqlite/job-queue';
import { createSqliteOperatorStore, createSqliteStore } from '../../functions/adapters/sqlite/store';
import type { Job, JobType } from '../../functions/ports/queue';
import { describeBlobContract } from './blobs.contract';
import { describeAdminPersistenceContract } from './admin-persistence.contract';
import { describeOperatorStoreContract } from './operators.contract';
import { describePersistenceContract } from './persistence.contract';
import { describeQueueContract } from './queue.contract';
import { describeSecretsContract } from './secrets.contract';
import { makeKey, makeOrg } from '../support/builders';

const tempDir = () => mkdtempSync(join(tmpdir(), 'kyc-contract-'));

describePersistenceContract('sqlite', async () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'kyc.sqlite'));
  return {
    store: createSqliteStore(db),
    cleanup: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const sqliteFixture = async () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'kyc.sqlite'));
  return {
    db,
    cleanup: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeAdminPersistenceContract('sqlite', async () => {
  const { db, cleanup } = await sqliteFixture();
  return { store: createSqliteStore(db), cleanup };
});

describeOperatorStoreContract('sqlite', async () => {
  const { db, cleanup } = await sqliteFixture();
  return { store: createSqliteOperatorStore(db), cleanup };
});

describeBlobContract('files', async () => {
  const dir = tempDir();
  return {
    blobs: createFileBlobStore(join(dir, 'blobs')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeSecretsContract('master-key file (AES-256-GCM)', async () => {
  const dir = tempDir();
  return {
    secrets: createFileSecretBox(join(dir, 'master.key')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeQueueContract('sqlite', async () => {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'kyc.sqlite'));
  let offset = 0; // fake clock: queue time advances without waiting
  const queue = createSqliteJobQueue(db, { now: () => new Date(Date.now() + offset) });
  const leased = new Map<string, Job>();
  return {
    queue,
    async receive() {
      const [job] = queue.claimDue(1, 60_000);
      if (job) leased.set(job.id, job);
      return job ?? null;
    },
    async ack(job) {
      queue.ack(job.id);
    },
    async nack(job, delayMs) {
      queue.retryLater(job.id, delayMs);
    },
    async advance(ms) {
      offset += ms;
    },
    async cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('local adapter specifics', () => {
  it('creates the master key file with mode 0600 and reuses it', async () => {
    const dir = tempDir();
    const file = join(dir, 'master.key');
    const a = createFileSecretBox(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ciphertext = await a.encrypt('whsec_secret');
    expect(await createFileSecretBox(file).decrypt(ciphertext)).toBe('whsec_secret');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps recently decrypted secrets by exact ciphertext only, for a bounded time and number', async () => {
    const dir = tempDir();
    let now = 0;
    const box = createFileSecretBox(join(dir, 'master.key'), { ttlMs: 1_000, maxEntries: 1, now: () => now });
    const a = await box.encrypt('whsec_a');
    const b = await box.encrypt('whsec_b');
    expect(await box.decrypt(a)).toBe('whsec_a');
    // A cached plaintext is never returned for a ciphertext that differs from the one it came from.
    const [version, iv, tag, data] = a.split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0]! ^= 1;
    await expect(box.decrypt([version, iv, tag, flipped.toString('base64url')].join('.'))).rejects.toThrow();
    expect(await box.decrypt(b)).toBe('whsec_b'); // evicts a (one entry at most)
    expect(await box.decrypt(a)).toBe('whsec_a');
    now = 5_000; // past the TTL: decrypted again, same answer
    expect(await box.decrypt(a)).toBe('whsec_a');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses blob keys that would escape the root', async () => {
    const dir = tempDir();
    const blobs = createFileBlobStore(join(dir, 'blobs'));
    await expect(blobs.put('../outside', Buffer.from('x'), 'text/plain')).rejects.toThrow('invalid blob key');
    await expect(blobs.get('a/../../b')).rejects.toThrow('invalid blob key');
    rmSync(dir, { recursive: true, force: true });
  });

  it('claims per type only up to each limit, in due order, leaving the other types queued', async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'kyc.sqlite'));
    const queue = createSqliteJobQueue(db, { now: () => new Date() });
    for (let i = 0; i < 3; i++) await queue.enqueue('webhook.deliver', { deliveryId: `whd_${i}` });
    await queue.enqueue('pipeline.run', { verificationId: 'vrf_1', attempt: 1 });
    const first = queue.claimDueByType({ 'webhook.deliver': 2, 'pipeline.run': 0 }, 600_000);
    expect(first.map((j) => j.payload)).toEqual([{ deliveryId: 'whd_0' }, { deliveryId: 'whd_1' }]);
    const second = queue.claimDueByType({ 'webhook.deliver': 5, 'pipeline.run': 5 }, 600_000);
    expect(second.map((j) => j.type).sort()).toEqual(['pipeline.run', 'webhook.deliver']);
    expect(queue.claimDueByType({ 'webhook.deliver': 5, 'pipeline.run': 5 }, 600_000)).toEqual([]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('claims for the worker without writing, skipping the jobs it holds; outcomes ride with the next commit', async () => {
    const dir = tempDir();
    const file = join(dir, 'kyc.sqlite');
    const db = openDatabase(file);
    let offset = 0;
    const queue = createSqliteJobQueue(db, { now: () => new Date(Date.now() + offset) });
    const store = createSqliteStore(db);
    const other = openDatabase(file); // sees only committed data
    const rows = () => (other.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    for (let i = 0; i < 4; i++) await queue.enqueue('webhook.deliver', { deliveryId: `whd_${i}` });
    await queue.enqueue('pipeline.run', { verificationId: 'vrf_1', attempt: 1 });
    const held = new Map<string, JobType>();
    const [a, b] = queue.claimUnheld({ 'webhook.deliver': 2 }, held);
    expect([a!.payload, b!.payload]).toEqual([{ deliveryId: 'whd_0' }, { deliveryId: 'whd_1' }]);
    // A claim writes nothing: unheld, the same jobs are claimed again (what a restart after a crash does).
    expect(queue.claimUnheld({ 'webhook.deliver': 2 }, held).map((j) => j.id)).toEqual([a!.id, b!.id]);
    held.set(a!.id, a!.type).set(b!.id, b!.type);
    const [c] = queue.claimUnheld({ 'webhook.deliver': 1 }, held);
    expect(c!.payload).toEqual({ deliveryId: 'whd_2' });
    held.set(c!.id, c!.type);
    expect(queue.msUntilNextDue(['webhook.deliver'], held)).toBe(0); // whd_3, not counting the held ones
    // Outcomes wait for the next batch: the store's write takes them along in its commit.
    const settled = queue.settle(
      [
        { jobId: a!.id, retryInMs: null },
        { jobId: b!.id, retryInMs: 60_000 },
      ],
      60_000,
    );
    expect(rows()).toBe(5);
    await store.orgs.put(makeOrg({ id: 'org_a' }));
    await settled;
    expect(rows()).toBe(4); // a is gone; b waits for its retry
    held.delete(a!.id);
    held.delete(b!.id);
    expect(queue.claimUnheld({ 'webhook.deliver': 5 }, held).map((j) => j.payload)).toEqual([{ deliveryId: 'whd_3' }]);
    offset = 61_000;
    const later = queue.claimUnheld({ 'webhook.deliver': 5, 'pipeline.run': 0 }, held);
    expect(later.map((j) => j.payload)).toEqual([{ deliveryId: 'whd_3' }, { deliveryId: 'whd_1' }]);
    expect(later.find((j) => j.id === b!.id)?.attempt).toBe(2); // counted when it was put back
    // With no other write, an outcome is committed by its deadline.
    await queue.settle([{ jobId: c!.id, retryInMs: null }], 10);
    expect(rows()).toBe(3);
    expect(queue.msUntilNextDue(['maintenance.sweep'])).toBeNull();
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a crashed worker’s jobs back at start-up (releaseAllLeases)', async () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'kyc.sqlite'));
    const queue = createSqliteJobQueue(db, { now: () => new Date() });
    await queue.enqueue('pipeline.run', { verificationId: 'vrf_1', attempt: 1 });
    expect(queue.claimDue(5, 600_000)).toHaveLength(1);
    expect(queue.claimDue(5, 600_000)).toHaveLength(0); // leased
    expect(queue.releaseAllLeases()).toBe(1);
    const [again] = queue.claimDue(5, 600_000);
    expect(again).toMatchObject({ type: 'pipeline.run', payload: { verificationId: 'vrf_1', attempt: 1 }, attempt: 2 });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('SQLite group commit', () => {
  it('acknowledges writes only once committed, batching one event-loop turn, isolating a failing statement', async () => {
    const dir = tempDir();
    const file = join(dir, 'kyc.sqlite');
    const db = openDatabase(file);
    const store = createSqliteStore(db);
    const other = openDatabase(file); // a second connection sees only committed data
    const count = (table: string) => (other.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const writes = [store.orgs.put(makeOrg({ id: 'org_a' })), store.orgs.put(makeOrg({ id: 'org_b' }))];
    expect(count('orgs')).toBe(0);
    await writes[0];
    expect(count('orgs')).toBe(2); // the second write was committed with the first: one batch
    await writes[1];
    const first = store.keys.create(makeKey({ id: 'key_1', keyHash: 'a'.repeat(64) }));
    const duplicate = store.keys.create(makeKey({ id: 'key_2', keyHash: 'a'.repeat(64) }));
    const third = store.orgs.put(makeOrg({ id: 'org_c' }));
    await expect(duplicate).rejects.toThrow('key exists');
    await Promise.all([first, third]); // the failing statement did not take its batch down
    expect(count('keys')).toBe(1);
    expect(count('orgs')).toBe(3);
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never leaves a write transaction open while other code runs: another connection on the same thread writes at once', async () => {
    const dir = tempDir();
    const file = join(dir, 'kyc.sqlite');
    const db = openDatabase(file);
    const store = createSqliteStore(db);
    // What the CLI does when a test (or an embedding program) runs it in the server's process: a second
    // connection that waits synchronously for the lock. A batch left open here could never commit.
    const other = openDatabase(file);
    other.pragma('busy_timeout = 0');
    const pending = store.orgs.put(makeOrg({ id: 'org_server' }));
    expect(db.inTransaction).toBe(false);
    other.prepare("INSERT INTO orgs (id, doc) VALUES ('org_cli', '{}')").run();
    await pending;
    expect((db.prepare('SELECT COUNT(*) AS n FROM orgs').get() as { n: number }).n).toBe(2);
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('SQLite file permissions', () => {
  it('keeps the database owner-only (it holds personal data)', () => {
    const dir = tempDir();
    const file = join(dir, 'data', 'kyc.sqlite');
    const db = openDatabase(file);
    db.prepare('CREATE TABLE IF NOT EXISTS t (x)').run();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
