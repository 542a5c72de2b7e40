import { mkdir, readFile, rm, stat, writeFile, rename, readdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { BlobStore } from '../../ports/blobs';

/** Blobs as files under a root directory; keys are validated so none can escape the root. */
export function createFileBlobStore(root: string): BlobStore {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    if (!/^[A-Za-z0-9_\-./]+$/.test(key) || key.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new Error('invalid blob key');
    }
    const p = resolve(base, key);
    if (!p.startsWith(base + sep)) throw new Error('invalid blob key');
    return p;
  };
  return {
    async put(key, bytes) {
      const p = pathOf(key);
      await mkdir(dirname(p), { recursive: true, mode: 0o700 });
      // Write then rename so a crash never leaves a half-written capture under the final name.
      const tmp = `${p}.tmp-${process.pid}-${Date.now()}`;
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, p);
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async exists(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch {
        return false;
      }
    },
    async deletePrefix(prefix) {
      const dir = pathOf(prefix.replace(/\/+$/, ''));
      const count = await countFiles(dir);
      await rm(dir, { recursive: true, force: true });
      return count;
    },
  };
}

async function countFiles(dir: string): Promise<number> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    let n = 0;
    for (const e of entries) n += e.isDirectory() ? await countFiles(join(dir, e.name)) : 1;
    return n;
  } catch {
    return 0;
  }
}
