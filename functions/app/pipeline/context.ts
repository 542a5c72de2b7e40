import type { Capture, CaptureKind, Flow, Verification } from '../../domain/model';
import type { PipelineInput } from '../../domain/pipeline-plan';
import type { ImageInput } from '../../ports/checks';
import type { AppDeps } from '../deps';
import { PermanentTaskError } from './errors';

/** What every task reads first: the verification, its flow and the uploaded captures of the attempt. */
export interface AttemptContext {
  verification: Verification;
  flow: Flow;
  /** Uploaded captures of this attempt, one per kind and index (the latest upload), in kind then index order. */
  captures: Capture[];
}

/** Loads the attempt's context; a missing verification or flow is permanent (retrying will not create it). */
export async function loadAttemptContext(deps: AppDeps, input: PipelineInput): Promise<AttemptContext> {
  const verification = await deps.store.verifications.get(input.verificationId);
  if (!verification) throw new PermanentTaskError(`verification ${input.verificationId} not found`);
  const flow = await deps.store.flows.get(verification.orgId, verification.flowId);
  if (!flow) throw new PermanentTaskError(`flow ${verification.flowId} not found`);
  const latest = new Map<string, Capture>();
  for (const c of await deps.store.captures.listByVerification(input.verificationId)) {
    if (c.attempt !== input.attempt || c.status !== 'uploaded') continue;
    // A re-taken photo is a new capture with the same kind and index: the latest one counts.
    const slot = `${c.kind}#${c.index}`;
    const seen = latest.get(slot);
    if (!seen || c.createdAt > seen.createdAt || (c.createdAt === seen.createdAt && c.id > seen.id))
      latest.set(slot, c);
  }
  const captures = [...latest.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.index - b.index);
  return { verification, flow, captures };
}

/** Captures of one kind, by index. */
export function capturesOf(ctx: AttemptContext, kind: CaptureKind): Capture[] {
  return ctx.captures.filter((c) => c.kind === kind);
}

/** The single capture of a kind, or null. */
export function captureOf(ctx: AttemptContext, kind: CaptureKind): Capture | null {
  return capturesOf(ctx, kind)[0] ?? null;
}

/**
 * Reads a capture's bytes: exactly those validated at `complete`, or nothing. Missing bytes, a capture
 * without a recorded digest, or bytes whose SHA-256 differs from it are permanent failures (the
 * upload was confirmed, so the bytes were lost, purged or tampered with; a retry reads the same).
 */
export async function readCapture(deps: AppDeps, capture: Capture, label: string = capture.kind): Promise<ImageInput> {
  if (!capture.sha256) throw new PermanentTaskError(`capture ${capture.id} (${capture.kind}) has no validated digest`);
  const bytes = await deps.blobs.get(capture.blobKey);
  if (!bytes) throw new PermanentTaskError(`bytes of capture ${capture.id} (${capture.kind}) are missing`);
  if (!deps.crypto.safeEqual(deps.crypto.sha256Hex(bytes), capture.sha256))
    throw new PermanentTaskError(`bytes of capture ${capture.id} (${capture.kind}) changed after validation`);
  return { bytes, label };
}

/** Blob key of the document portrait crop that documentCheck stores for faceMatch. */
export function portraitBlobKey(input: PipelineInput): string {
  return `captures/${input.verificationId}/${input.attempt}/portrait`;
}

/** Today's date (YYYY-MM-DD, UTC) for expiry and age rules. */
export function today(deps: AppDeps): string {
  return deps.clock.now().toISOString().slice(0, 10);
}

/** Content type of an encoded image from its magic bytes (portrait crops are PNG or JPEG). */
export function imageContentType(bytes: Buffer): string {
  if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return 'application/octet-stream';
}
