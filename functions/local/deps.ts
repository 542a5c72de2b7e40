import { join } from 'node:path';
import type { AppDeps } from '../app/deps';
import { createFileBlobStore } from '../adapters/local/file-blob-store';
import { createFileSecretBox, createFileSecretMac } from '../adapters/local/file-secret-box';
import { createLocalUploadSigner } from '../adapters/local/local-upload-signer';
import { nodeCrypto } from '../adapters/node/node-crypto';
import { createRandomIds } from '../adapters/node/random-ids';
import { createNodeWebhookTransport } from '../adapters/node/node-webhook-transport';
import { startCheckpointer } from '../adapters/sqlite/checkpointer';
import { openDatabase, type SqliteDatabase } from '../adapters/sqlite/database';
import { groupCommitFor } from '../adapters/sqlite/group-commit';
import { createSqliteJobQueue, type SqliteJobQueue } from '../adapters/sqlite/job-queue';
import { createSqliteOperatorStore, createSqliteStore } from '../adapters/sqlite/store';
import { createScryptPasswordHasher } from '../adapters/scrypt-password-hasher';
import type { OperatorDeps } from '../app/operators';
import { uploadBytesPath } from '../http/routes';
import type { CheckProvider } from '../ports/checks';
import { systemClock, type Clock } from '../ports/clock';
import type { LocalConfig } from './config';

/** HKDF info of the identity-key MAC: a new value would re-key (and so disconnect) every stored identity key. */
const IDENTITY_MAC_PURPOSE = 'kyc-identity-keys-v1';

export interface LocalRuntime {
  deps: AppDeps;
  /** Dashboard operators, sessions and sign-in backoff (local runtime only; Cognito on AWS). */
  operators: OperatorDeps;
  db: SqliteDatabase;
  queue: SqliteJobQueue;
  /** Starts background WAL checkpoints (long-running server only; the CLI doesn't need them). */
  startCheckpoints(): void;
  close(): Promise<void>;
}

/**
 * Wires the ports to the local adapters: SQLite (data + job queue in one file), capture files and the
 * master key under the data directory, and the offline check models (loaded on first use, then warm).
 */
export function createLocalRuntime(
  config: LocalConfig,
  overrides: { clock?: Clock; checks?: () => Promise<CheckProvider> } = {},
): LocalRuntime {
  const clock = overrides.clock ?? systemClock;
  const dbFile = join(config.dataDir, 'kyc.sqlite');
  const db = openDatabase(dbFile);
  let checkpointer: ReturnType<typeof startCheckpointer> | null = null;
  const queue = createSqliteJobQueue(db, clock);
  let provider: Promise<CheckProvider> | null = null;
  const deps: AppDeps = {
    config,
    store: createSqliteStore(db),
    blobs: createFileBlobStore(join(config.dataDir, 'blobs')),
    uploads: createLocalUploadSigner(uploadBytesPath),
    queue,
    clock,
    ids: createRandomIds(),
    crypto: nodeCrypto,
    secrets: createFileSecretBox(join(config.dataDir, 'master.key')),
    identityMac: createFileSecretMac(join(config.dataDir, 'master.key'), IDENTITY_MAC_PURPOSE),
    webhookTransport: createNodeWebhookTransport(),
    checks:
      overrides.checks ??
      (() => {
        // Imported lazily: the models cost ~2 s and 100+ MB, and API-only processes (CLI, tests) never need them.
        provider ??= import('../checks/local/provider').then((m) => m.createLocalCheckProvider());
        return provider;
      }),
  };
  return {
    deps,
    operators: {
      operators: createSqliteOperatorStore(db),
      passwords: createScryptPasswordHasher(),
      clock,
      crypto: deps.crypto,
      ids: deps.ids,
    },
    db,
    queue,
    startCheckpoints() {
      checkpointer ??= startCheckpointer(dbFile);
    },
    async close() {
      groupCommitFor(db).flush();
      await checkpointer?.stop();
      db.close();
    },
  };
}
