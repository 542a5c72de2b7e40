import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileBlobStore } from '../../functions/adapters/local/file-blob-store';
import { createFileSecretMac } from '../../functions/adapters/local/file-secret-box';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { createRandomIds } from '../../functions/adapters/node/random-ids';
import { openDatabase, type SqliteDatabase } from '../../functions/adapters/sqlite/database';
import { createSqliteStore } from '../../functions/adapters/sqlite/store';
import type { AppDeps } from '../../functions/app/deps';
import type { AttemptOutcome } from '../../functions/app/outcomes';
import type { Attempt, CaptureKind, Flow, Verification } from '../../functions/domain/model';
import type { Store } from '../../functions/ports/persistence';
import type { JobType } from '../../functions/ports/queue';
import { T0, at, makeCapture, makeFlow, makeKey, makeOrg, makeVerification } from '../support/builders';
import { ScriptedProvider } from './scripted-provider';

/** A clock the test moves by hand. */
export class ManualClock {
  current = new Date(T0);
  now(): Date {
    return new Date(this.current);
  }
  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

export interface PipelineHarness {
  deps: AppDeps;
  store: Store;
  provider: ScriptedProvider;
  clock: ManualClock;
  /** Jobs enqueued (webhook deliveries from recordAttemptOutcome). */
  jobs: { type: JobType; payload: Record<string, unknown> }[];
  /** Outcomes seen by {@link PipelineHarness.recordingOutcome}. */
  outcomes: AttemptOutcome[];
  /** An outcome recorder that only collects (for runner tests that do not need the lifecycle). */
  recordingOutcome: (deps: AppDeps, outcome: AttemptOutcome) => Promise<void>;
  close(): Promise<void>;
}

/** SQLite (in memory) + file blobs in a temp dir + scripted checks: the local runtime minus HTTP and models. */
export async function createPipelineHarness(): Promise<PipelineHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'kyc-pipeline-'));
  const db: SqliteDatabase = openDatabase(':memory:');
  const store = createSqliteStore(db);
  const provider = new ScriptedProvider();
  const clock = new ManualClock();
  const jobs: PipelineHarness['jobs'] = [];
  const outcomes: AttemptOutcome[] = [];
  const deps: AppDeps = {
    config: {
      runtime: 'local',
      publicUrl: 'http://localhost:3000',
      webhookAllowHosts: [],
      webhookRetryDelaysMs: [1000],
      webhookTimeoutMs: 1000,
      allowHttpLocalhost: true,
      idempotencyTtlSeconds: 86_400,
      uploadTtlSeconds: 900,
      maxUploadBytes: 10_000_000,
      maxUploadPixels: 40_000_000,
    },
    store,
    blobs: createFileBlobStore(join(dir, 'blobs')),
    uploads: {
      async createUpload() {
        throw new Error('the pipeline never creates uploads');
      },
    },
    queue: {
      async enqueue(type, payload) {
        jobs.push({ type, payload });
      },
    },
    clock,
    ids: createRandomIds(),
    crypto: nodeCrypto,
    secrets: { encrypt: async (s) => s, decrypt: async (s) => s },
    identityMac: createFileSecretMac(join(dir, 'master.key'), 'kyc-identity-keys-v1'),
    webhookTransport: {
      checkUrl: async () => ({ ok: true }),
      send: async () => {
        throw new Error('the pipeline never sends webhooks itself');
      },
    },
    checks: async () => provider,
  };
  await store.orgs.put(makeOrg());
  await store.keys.create(makeKey());
  return {
    deps,
    store,
    provider,
    clock,
    jobs,
    outcomes,
    recordingOutcome: async (_deps, outcome) => {
      outcomes.push(outcome);
    },
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SeedOptions {
  id?: string;
  flow?: Partial<Flow>;
  verification?: Partial<Verification>;
  /** Number of attempts already submitted (the last one is the one to run). */
  attempts?: number;
  /** Capture kinds to upload for the last attempt; default: what the flow's checks need. */
  captures?: CaptureKind[];
  /** Bytes of the selfie (to script face templates). */
  selfie?: string;
}

/** Bytes stored for a capture: readable text, so tests can tell captures apart in provider inputs. */
export function captureText(verificationId: string, kind: CaptureKind, index: number): string {
  return `${kind}:${verificationId}:${index}`;
}

/** Seeds a flow (once per id) and an in-progress verification whose last attempt has uploaded captures. */
export async function seedVerification(
  h: PipelineHarness,
  options: SeedOptions = {},
): Promise<{ verification: Verification; flow: Flow }> {
  const id = options.id ?? `vrf_${Math.random().toString(36).slice(2, 12)}`;
  const flow = makeFlow(options.flow);
  await h.store.flows.put(flow);
  const attemptCount = options.attempts ?? 1;
  const attempts: Attempt[] = Array.from({ length: attemptCount }, (_, i) => ({
    number: i + 1,
    submittedAt: h.clock.now().toISOString(),
    completedAt: i + 1 < attemptCount ? h.clock.now().toISOString() : null,
    decision: i + 1 < attemptCount ? 'declined' : null,
    declineType: i + 1 < attemptCount ? 'retry' : null,
    reasonCodes: i + 1 < attemptCount ? ['BAD_FACE_MATCHING'] : [],
    riskFlags: [],
  }));
  const verification = makeVerification({
    id,
    flowId: flow.id,
    clientTokenHash: nodeCrypto.sha256Hex(id),
    status: 'in_progress',
    attempts,
    createdAt: h.clock.now().toISOString(),
    updatedAt: h.clock.now().toISOString(),
    expiresAt: at(7 * 24 * 60),
    ...options.verification,
  });
  await h.store.verifications.create(verification);

  const kinds = options.captures ?? defaultCaptures(flow);
  const frameCount = verification.challenge?.length ?? 0;
  let n = 0;
  for (const kind of kinds) {
    const count = kind === 'liveness_frame' ? frameCount : 1;
    // Frames are created in reverse order so the tasks must sort them by index.
    for (let index = count - 1; index >= 0; index--) {
      const capId = `cap_${id}_${n++}`;
      const blobKey = `captures/${id}/${attemptCount}/${capId}`;
      const text = kind === 'selfie' && options.selfie ? options.selfie : captureText(id, kind, index);
      await h.deps.blobs.put(blobKey, Buffer.from(text), 'image/jpeg');
      await h.store.captures.create(
        makeCapture({
          id: capId,
          verificationId: id,
          attempt: attemptCount,
          kind,
          index,
          blobKey,
          status: 'uploaded',
          contentType: 'image/jpeg',
          bytes: text.length,
          sha256: nodeCrypto.sha256Hex(Buffer.from(text)),
        }),
      );
    }
  }
  return { verification, flow };
}

function defaultCaptures(flow: Flow): CaptureKind[] {
  const kinds = new Set<CaptureKind>();
  if (flow.checks.includes('document') || flow.checks.includes('faceMatch')) kinds.add('document_front');
  if (flow.checks.includes('faceMatch') || flow.checks.includes('liveness')) kinds.add('selfie');
  if (flow.checks.includes('liveness')) {
    kinds.add('liveness_frame');
    kinds.add('liveness_sequence');
  }
  return [...kinds];
}

/** Backoff waits requested by the runner, without waiting. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}
