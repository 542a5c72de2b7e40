/**
 * Contract of the BlobStore port (functions/ports/blobs.ts): local files and S3 must behave the same.
 * Keys are slash-separated paths such as `captures/<verificationId>/<attempt>/<captureId>`; a prefix
 * deletes only keys that start with it (so `captures/vrf_1/` never touches `captures/vrf_10/`).
 */
import type { BlobStore } from '../../functions/ports/blobs';

export interface BlobFixture {
  blobs: BlobStore;
  cleanup(): Promise<void>;
}

/** Bytes that break naive text handling: NUL, high bytes, CR/LF, invalid UTF-8. */
function binarySample(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) b[i] = (i * 131 + 7) % 256;
  return b;
}

/**
 * Registers the blob-store contract for one adapter.
 * @param makeBlobs builds an empty store; called before every test, `cleanup` after it
 */
export function describeBlobContract(name: string, makeBlobs: () => Promise<BlobFixture>): void {
  describe(`blob contract: ${name}`, () => {
    let fixture: BlobFixture;
    let blobs: BlobStore;

    beforeEach(async () => {
      fixture = await makeBlobs();
      blobs = fixture.blobs;
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });

    it('stores and returns bytes unchanged', async () => {
      const bytes = binarySample(70_000);
      await blobs.put('captures/vrf_1/1/cap_1', bytes, 'image/jpeg');
      const back = await blobs.get('captures/vrf_1/1/cap_1');
      expect(back).not.toBeNull();
      expect(Buffer.compare(back!, bytes)).toBe(0);
      expect(await blobs.exists('captures/vrf_1/1/cap_1')).toBe(true);
    });

    it('returns null / false for a missing key', async () => {
      expect(await blobs.get('captures/vrf_missing/1/cap_1')).toBeNull();
      expect(await blobs.exists('captures/vrf_missing/1/cap_1')).toBe(false);
    });

    it('overwrites an existing key', async () => {
      await blobs.put('captures/vrf_1/1/cap_1', Buffer.from('first'), 'image/png');
      await blobs.put('captures/vrf_1/1/cap_1', Buffer.from('second, longer'), 'image/png');
      expect((await blobs.get('captures/vrf_1/1/cap_1'))?.toString()).toBe('second, longer');
    });

    it('stores an empty blob', async () => {
      await blobs.put('captures/vrf_1/1/empty', Buffer.alloc(0), 'application/octet-stream');
      expect(await blobs.exists('captures/vrf_1/1/empty')).toBe(true);
      expect((await blobs.get('captures/vrf_1/1/empty'))?.length).toBe(0);
    });

    it('deletes one blob, and a missing one without error', async () => {
      await blobs.put('captures/vrf_1/1/cap_a', Buffer.from('a'), 'image/jpeg');
      await blobs.put('captures/vrf_1/1/cap_b', Buffer.from('b'), 'image/jpeg');
      await blobs.delete('captures/vrf_1/1/cap_a');
      expect(await blobs.exists('captures/vrf_1/1/cap_a')).toBe(false);
      expect(await blobs.get('captures/vrf_1/1/cap_a')).toBeNull();
      expect((await blobs.get('captures/vrf_1/1/cap_b'))?.toString()).toBe('b');
      await expect(blobs.delete('captures/vrf_1/1/cap_a')).resolves.toBeUndefined();
    });

    it('deletes every blob under a prefix and only those, returning the count', async () => {
      const keys = ['captures/vrf_1/1/cap_a', 'captures/vrf_1/1/cap_b', 'captures/vrf_1/2/cap_c'];
      for (const k of keys) await blobs.put(k, Buffer.from(k), 'image/jpeg');
      await blobs.put('captures/vrf_10/1/cap_d', Buffer.from('keep'), 'image/jpeg');
      await blobs.put('captures/vrf_2/1/cap_e', Buffer.from('keep'), 'image/jpeg');
      expect(await blobs.deletePrefix('captures/vrf_1/')).toBe(3);
      for (const k of keys) expect(await blobs.exists(k)).toBe(false);
      expect(await blobs.exists('captures/vrf_10/1/cap_d')).toBe(true);
      expect((await blobs.get('captures/vrf_2/1/cap_e'))?.toString()).toBe('keep');
      expect(await blobs.deletePrefix('captures/vrf_1/')).toBe(0);
      expect(await blobs.deletePrefix('captures/vrf_none/')).toBe(0);
    });
  });
}
