import { purgeExpiredCaptures } from '../../functions/app/retention';
import { at } from '../support/builders';
import { createPipelineHarness, seedVerification, type PipelineHarness } from './harness';
import { MemoryFaceIndex } from './scripted-provider';

describe('purgeExpiredCaptures', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await createPipelineHarness();
  });
  afterEach(async () => h.close());

  /** A decided verification with captures, a portrait crop and an identity signal with a face vector. */
  async function decided(id: string, purgeAfter: string) {
    await seedVerification(h, {
      id,
      verification: {
        status: 'approved',
        decision: 'approved',
        reasonCodes: [],
        riskFlags: ['DOCUMENT_NUMBER_REUSED'],
        completedAt: at(10),
        purgeAfter,
      },
    });
    await h.deps.blobs.put(`captures/${id}/1/portrait`, Buffer.from('portrait'), 'image/png');
    await h.store.signals.put({
      orgId: 'org_test1',
      verificationId: id,
      documentKeyHash: 'd'.repeat(64),
      personKeyHash: 'e'.repeat(64),
      faceVector: [0.1, 0.2, 0.3],
      createdAt: at(5),
    });
  }

  it('purges the bytes of verifications past retention and keeps their decision', async () => {
    await decided('vrf_due', at(60));
    await decided('vrf_later', at(24 * 60));
    h.clock.current = new Date(at(120));

    const report = await purgeExpiredCaptures(h.deps, h.clock.now());

    expect(report.purged).toEqual(['vrf_due']);
    expect(report.failed).toEqual([]);
    expect(report.blobsDeleted).toBe(6); // front, selfie, 2 frames, head-turn recording, portrait
    const captures = await h.store.captures.listByVerification('vrf_due');
    expect(captures.length).toBe(5);
    for (const c of captures) {
      expect(c.status).toBe('purged');
      expect(await h.deps.blobs.exists(c.blobKey)).toBe(false);
    }
    expect(await h.deps.blobs.exists('captures/vrf_due/1/portrait')).toBe(false);

    const v = await h.store.verifications.get('vrf_due');
    expect(v).toMatchObject({
      purgedAt: at(120),
      status: 'approved',
      decision: 'approved',
      riskFlags: ['DOCUMENT_NUMBER_REUSED'],
    });
    const faces = await h.store.signals.listFaceVectors('org_test1', 10);
    expect(faces.map((s) => s.verificationId)).toEqual(['vrf_later']);
    expect(await h.store.signals.listByDocumentKey('org_test1', 'd'.repeat(64))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ verificationId: 'vrf_due', faceVector: null, personKeyHash: 'e'.repeat(64) }),
      ]),
    );
    const audit = await h.store.audit.listByVerification('vrf_due');
    expect(audit.filter((e) => e.type === 'captures.purged')).toEqual([
      expect.objectContaining({
        at: at(120),
        data: { blobsDeleted: 6, capturesPurged: 5, indexedFacesDeleted: 0, deliveriesScrubbed: 0, purgeAfter: at(60) },
      }),
    ]);

    // The verification not yet due is untouched.
    expect((await h.store.verifications.get('vrf_later'))?.purgedAt).toBeNull();
    for (const c of await h.store.captures.listByVerification('vrf_later')) {
      expect(c.status).toBe('uploaded');
      expect(await h.deps.blobs.exists(c.blobKey)).toBe(true);
    }
  });

  it("deletes the verification's faces from the provider's face index", async () => {
    const index = new MemoryFaceIndex();
    h.provider.faceIndex = index;
    await decided('vrf_due', at(60));
    await decided('vrf_later', at(24 * 60));
    await index.indexFace('org_test1', 'vrf_due', { bytes: Buffer.from('face-a#1'), label: 'selfie' });
    await index.indexFace('org_test1', 'vrf_later', { bytes: Buffer.from('face-b#1'), label: 'selfie' });
    for (const id of ['vrf_due', 'vrf_later']) {
      await h.store.steps.putIfAbsent({
        verificationId: id,
        attempt: 1,
        step: 'riskSignals',
        result: {
          kind: 'risk',
          riskFlags: [],
          signals: { documentKey: true, personKey: true, faceVector: false, faceIndexed: true },
        },
        createdAt: at(5),
      });
    }
    h.clock.current = new Date(at(120));
    let providerLoads = 0;
    const deps = {
      ...h.deps,
      checks: async () => {
        providerLoads++;
        return h.provider;
      },
    };

    await purgeExpiredCaptures(deps, h.clock.now());
    expect(providerLoads).toBe(1);
    expect(index.faces.map((f) => f.verificationId)).toEqual(['vrf_later']);
    const audit = (await h.store.audit.listByVerification('vrf_due')).find((e) => e.type === 'captures.purged');
    expect(audit?.data).toMatchObject({ indexedFacesDeleted: 1 });
  });

  it('erases face data by verification id and stored face ids, never by scanning', async () => {
    const index = new MemoryFaceIndex();
    h.provider.faceIndex = index;
    await decided('vrf_due', at(60));
    const { faceId } = await index.indexFace('org_test1', 'vrf_due', {
      bytes: Buffer.from('face-a#1'),
      label: 'selfie',
    });
    await index.indexFace('org_test1', 'vrf_other', { bytes: Buffer.from('face-b#1'), label: 'selfie' });
    const signal = (await h.store.signals.get('vrf_due'))!;
    await h.store.signals.put({ ...signal, indexedFaceIds: [faceId!] });
    h.clock.current = new Date(at(120));
    // Neither the org's face vectors nor the provider's whole index may be listed to find this verification's.
    h.store.signals.listFaceVectors = async () => {
      throw new Error('erasure must not scan the newest N face vectors');
    };

    expect((await purgeExpiredCaptures(h.deps, h.clock.now())).purged).toEqual(['vrf_due']);
    expect(index.deleteCalls).toEqual([{ faceIds: [faceId] }]);
    expect(index.faces.map((f) => f.verificationId)).toEqual(['vrf_other']);
    expect(await h.store.signals.get('vrf_due')).toMatchObject({
      faceVector: null,
      indexedFaceIds: [],
      documentKeyHash: 'd'.repeat(64),
      personKeyHash: 'e'.repeat(64),
    });
  });

  it('does not load the check provider when no face was indexed (local runtime)', async () => {
    await decided('vrf_due', at(60));
    await h.store.steps.putIfAbsent({
      verificationId: 'vrf_due',
      attempt: 1,
      step: 'riskSignals',
      result: {
        kind: 'risk',
        riskFlags: [],
        signals: { documentKey: true, personKey: true, faceVector: true, faceIndexed: false },
      },
      createdAt: at(5),
    });
    h.clock.current = new Date(at(120));
    const deps = {
      ...h.deps,
      checks: async () => {
        throw new Error('models must not load for a purge');
      },
    };
    expect((await purgeExpiredCaptures(deps, h.clock.now())).purged).toEqual(['vrf_due']);
  });

  it('is idempotent: a second sweep purges nothing and writes no second audit event', async () => {
    await decided('vrf_due', at(60));
    h.clock.current = new Date(at(120));
    await purgeExpiredCaptures(h.deps, h.clock.now());
    const before = await h.store.verifications.get('vrf_due');

    const again = await purgeExpiredCaptures(h.deps, h.clock.now());
    expect(again).toEqual({ purged: [], failed: [], blobsDeleted: 0 });
    expect(await h.store.verifications.get('vrf_due')).toEqual(before);
    expect(
      (await h.store.audit.listByVerification('vrf_due')).filter((e) => e.type === 'captures.purged'),
    ).toHaveLength(1);
  });

  it('finishes a purge interrupted after the bytes were deleted', async () => {
    await decided('vrf_due', at(60));
    await h.deps.blobs.deletePrefix('captures/vrf_due/'); // a sweep crashed right after deleting the bytes
    h.clock.current = new Date(at(120));

    const report = await purgeExpiredCaptures(h.deps, h.clock.now());
    expect(report.purged).toEqual(['vrf_due']);
    expect((await h.store.verifications.get('vrf_due'))?.purgedAt).toBe(at(120));
    expect((await h.store.captures.listByVerification('vrf_due')).every((c) => c.status === 'purged')).toBe(true);
  });

  it('works through more due verifications than one batch', async () => {
    for (let i = 0; i < 5; i++) await decided(`vrf_due${i}`, at(60));
    h.clock.current = new Date(at(120));
    const report = await purgeExpiredCaptures(h.deps, h.clock.now(), { batchSize: 2 });
    expect(report.purged.sort()).toEqual(['vrf_due0', 'vrf_due1', 'vrf_due2', 'vrf_due3', 'vrf_due4']);
  });
});
