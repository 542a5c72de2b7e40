import { errors, type ApiError } from '../../domain/errors';
import { FRAME_SEQUENCE_LIMITS, parseFrameSequence } from '../../domain/frame-sequence';
import { sniffImage } from '../../domain/image-sniff';
import type { Capture, CaptureKind, Verification } from '../../domain/model';
import type { UploadPolicy } from '../../ports/blobs';
import type { AppDeps } from '../deps';
import { recordAudit } from '../audit';
import { SEQUENCE_CONTENT_TYPES, UPLOAD_CONTENT_TYPES, type CreateUploadBody } from './schemas';
import { currentAttempt, requireConsent, requirePending, type OpenSession } from './session';
import { stepsOfFlow } from '../../domain/captures';

/**
 * Two-step capture upload: request a slot (a `requested` capture record + where to send the bytes) ->
 * send the bytes (PUT to this API locally, S3 presigned POST on AWS) -> complete (the server reads the
 * bytes back and checks them). A slot is single use and expires after `config.uploadTtlSeconds`.
 */

export interface UploadSlot {
  captureId: string;
  upload: UploadPolicy;
}

export interface CompletedCapture {
  captureId: string;
  kind: CaptureKind;
  index: number;
  width: number;
  height: number;
  bytes: number;
}

const CAPTURE_ID = /^cap_[a-z0-9]{1,64}$/;

/**
 * Upload slots one attempt may open. A flow needs at most a document front and back, a selfie and one frame
 * per liveness prompt; this leaves room for many retakes while bounding what one link can store (each slot
 * holds at most `maxUploadBytes`, a re-send overwrites its own key).
 */
export const MAX_UPLOAD_SLOTS_PER_ATTEMPT = 40;
/** Validated bytes one attempt may keep across its completed captures (retakes included). */
export const MAX_UPLOAD_BYTES_PER_ATTEMPT = 100 * 1024 * 1024;

/** Where a capture's bytes live: one key per capture, grouped by verification and attempt (retention purges the prefix). */
export function captureBlobKey(
  verificationId: string,
  attempt: number,
  kind: CaptureKind,
  index: number,
  captureId: string,
): string {
  return `captures/${verificationId}/${attempt}/${kind}-${index}-${captureId}`;
}

/**
 * Where `complete` puts the bytes it validated: under the verification's prefix (the retention purge takes
 * it) but never a key an upload slot names ({@link captureBlobKey}), and named by its SHA-256, so bytes
 * sent after validation cannot reach what the checks read.
 */
export function checkedCaptureKey(capture: Capture, sha256: string): string {
  return `captures/${capture.verificationId}/${capture.attempt}/checked/${capture.id}-${sha256}`;
}

/** Is this kind/index something the flow asks for? */
function checkCaptureWanted(session: OpenSession, kind: CaptureKind, index: number): void {
  const steps = stepsOfFlow(session.flow);
  const step =
    kind === 'document_front' || kind === 'document_back' ? 'document' : kind === 'selfie' ? 'selfie' : 'liveness';
  if (!steps.includes(step))
    throw errors.validation([{ field: 'kind', issue: `this verification has no ${step} step` }]);
  if (kind === 'liveness_frame') {
    const prompts = session.verification.challenge?.length ?? 0;
    if (index >= prompts)
      throw errors.validation([{ field: 'index', issue: `must be a prompt index below ${prompts}` }]);
  } else if (kind === 'liveness_sequence' && !session.verification.challenge?.length) {
    throw errors.validation([{ field: 'kind', issue: 'this verification has no head-turn challenge' }]);
  } else if (index !== 0) {
    throw errors.validation([{ field: 'index', issue: 'must be 0 for this kind' }]);
  }
}

/**
 * Opens an upload slot for one capture of the current attempt. Primary course: session writable, consent
 * given, no checks running, kind/index wanted by the flow -> `requested` capture -> signed upload policy.
 */
export async function requestUpload(deps: AppDeps, session: OpenSession, body: CreateUploadBody): Promise<UploadSlot> {
  const v = session.verification;
  requireConsent(v);
  requirePending(v);
  checkCaptureWanted(session, body.kind, body.index);
  const now = deps.clock.now();
  const attempt = currentAttempt(v);
  const slots = (await deps.store.captures.listByVerification(v.id)).filter((c) => c.attempt === attempt).length;
  if (slots >= MAX_UPLOAD_SLOTS_PER_ATTEMPT) {
    throw errors.rateLimited(
      'upload_limit_reached',
      `This attempt already opened ${MAX_UPLOAD_SLOTS_PER_ATTEMPT} upload slots; submit it or start over with a new verification.`,
    );
  }
  const id = deps.ids.next('cap');
  const sequence = body.kind === 'liveness_sequence';
  const expiresAt = new Date(now.getTime() + deps.config.uploadTtlSeconds * 1000);
  const capture: Capture = {
    id,
    verificationId: v.id,
    attempt,
    kind: body.kind,
    index: body.index,
    blobKey: captureBlobKey(v.id, attempt, body.kind, body.index, id),
    contentType: body.contentType,
    bytes: null,
    width: null,
    height: null,
    status: 'requested',
    sha256: null,
    uploadExpiresAt: expiresAt.toISOString(),
    createdAt: now.toISOString(),
  };
  await deps.store.captures.create(capture);
  const upload = await deps.uploads.createUpload({
    captureId: id,
    blobKey: capture.blobKey,
    contentType: body.contentType,
    maxBytes: maxBytesOf(deps, body.kind),
    contentTypes: sequence ? [...SEQUENCE_CONTENT_TYPES] : [...UPLOAD_CONTENT_TYPES],
    expiresAt,
  });
  return { captureId: id, upload };
}

/** Largest upload of a kind: the configured limit, and for the liveness recording also the container's own. */
function maxBytesOf(deps: AppDeps, kind: CaptureKind): number {
  return kind === 'liveness_sequence'
    ? Math.min(deps.config.maxUploadBytes, FRAME_SEQUENCE_LIMITS.maxTotalBytes)
    : deps.config.maxUploadBytes;
}

/** What `complete` learnt from the bytes' headers: the stored content type and the (largest) frame size. */
type CheckedContent = { ok: true; contentType: string; width: number; height: number } | { ok: false; error: ApiError };

/**
 * Content check of one upload, from headers only (nothing is decoded here). Photos: JPEG/PNG/WebP magic bytes
 * and a declared pixel count within the limit. The liveness recording: a well-formed frame-sequence container
 * (frame-sequence.ts: index schema, frame count and sizes, every frame a small JPEG).
 */
function checkContent(deps: AppDeps, kind: CaptureKind, bytes: Buffer): CheckedContent {
  if (kind === 'liveness_sequence') {
    const parsed = parseFrameSequence(bytes);
    if (!parsed.ok)
      return {
        ok: false,
        error: errors.unprocessable(
          'sequence_invalid',
          `The liveness recording is not a valid frame sequence (${parsed.field}: ${parsed.issue}).`,
        ),
      };
    return {
      ok: true,
      contentType: SEQUENCE_CONTENT_TYPES[0],
      width: Math.max(...parsed.frames.map((f) => f.width)),
      height: Math.max(...parsed.frames.map((f) => f.height)),
    };
  }
  const image = sniffImage(bytes);
  if (!image.ok) {
    return image.reason === 'unsupported_format'
      ? {
          ok: false,
          error: errors.unprocessable('unsupported_media_type', 'The file is not a JPEG, PNG or WebP image.'),
        }
      : { ok: false, error: errors.unprocessable('image_unreadable', 'The image header could not be read.') };
  }
  // The declared size decides: a small file can announce a canvas that would exhaust memory when decoded.
  if (image.width * image.height > deps.config.maxUploadPixels) {
    return {
      ok: false,
      error: errors.unprocessable('too_many_pixels', `The image has more than ${deps.config.maxUploadPixels} pixels.`),
    };
  }
  return { ok: true, contentType: image.contentType, width: image.width, height: image.height };
}

/** A `requested` capture of this verification's current attempt whose slot is still open. */
async function openSlot(deps: AppDeps, v: Verification, captureId: string): Promise<Capture> {
  const capture = CAPTURE_ID.test(captureId) ? await deps.store.captures.get(v.id, captureId) : null;
  if (!capture) throw errors.notFound('Upload');
  if (capture.status !== 'requested')
    throw errors.conflict(
      'upload_already_completed',
      'This upload was already completed; request a new one to replace it.',
    );
  if (capture.attempt !== currentAttempt(v) || deps.clock.now().getTime() > Date.parse(capture.uploadExpiresAt)) {
    throw errors.unprocessable('upload_expired', 'The upload slot has expired; request a new one.');
  }
  return capture;
}

/**
 * The bytes route serves the local runtime only. On AWS it is in the route table like every route, but S3
 * takes the bytes through the presigned POST, so it answers 404.
 */
export function assertLocalBytesRoute(deps: AppDeps): void {
  if (deps.config.runtime === 'aws') throw errors.routeNotFound();
}

/**
 * Local runtime only: receives a capture's bytes (the S3 POST policy's job on AWS, where this route answers
 * 404). Enforces what the policy would: open slot, declared Content-Type, size.
 */
export async function putUploadBytes(
  deps: AppDeps,
  session: OpenSession,
  captureId: string,
  input: { bytes: Buffer; contentType: string | undefined },
): Promise<void> {
  assertLocalBytesRoute(deps);
  const v = session.verification;
  requireConsent(v);
  requirePending(v);
  const capture = await openSlot(deps, v, captureId);
  const declared = input.contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared !== capture.contentType) {
    throw errors.unsupportedMediaType(
      `Send the bytes with Content-Type ${capture.contentType}, as requested for this upload.`,
      [{ field: 'Content-Type', issue: `must be ${capture.contentType}` }],
    );
  }
  const maxBytes = maxBytesOf(deps, capture.kind);
  if (input.bytes.length > maxBytes) throw errors.tooLarge('file_too_large', `The file exceeds ${maxBytes} bytes.`);
  if (input.bytes.length === 0) throw errors.validation([{ field: 'body', issue: 'empty: send the image bytes' }]);
  await deps.blobs.put(capture.blobKey, input.bytes, capture.contentType ?? 'application/octet-stream');
}

/**
 * Confirms an upload. Primary course: open slot -> bytes present -> size, JPEG/PNG/WebP magic bytes and
 * declared pixel count checked from the header (never decoded here) -> the attempt's byte budget -> the
 * validated bytes copied to a key no upload slot names, with their SHA-256 -> capture `uploaded` pointing
 * at that copy (single use: a conditional transition) -> the slot's own object deleted -> earlier captures
 * of the same kind and index in this attempt set aside and their bytes deleted.
 * A rejected upload's bytes are deleted; its slot stays open for corrected bytes until it expires.
 */
export async function completeUpload(
  deps: AppDeps,
  session: OpenSession,
  captureId: string,
): Promise<CompletedCapture> {
  const v = session.verification;
  requireConsent(v);
  requirePending(v);
  const capture = await openSlot(deps, v, captureId);
  const reject = async (error: ApiError): Promise<never> => {
    await deps.blobs.delete(capture.blobKey);
    await audit(deps, v, 'capture.rejected', {
      captureId: capture.id,
      kind: capture.kind,
      index: capture.index,
      attempt: capture.attempt,
      code: error.code,
    });
    throw error;
  };

  const bytes = await deps.blobs.get(capture.blobKey);
  if (!bytes || bytes.length === 0)
    return reject(
      errors.unprocessable('upload_missing', 'No bytes were received for this upload; send them, then complete.'),
    );
  const maxBytes = maxBytesOf(deps, capture.kind);
  if (bytes.length > maxBytes)
    return reject(errors.unprocessable('file_too_large', `The file exceeds ${maxBytes} bytes.`));
  const image = checkContent(deps, capture.kind, bytes);
  if (!image.ok) return reject(image.error);
  const attemptCaptures = (await deps.store.captures.listByVerification(v.id)).filter(
    (c) => c.attempt === capture.attempt && c.status === 'uploaded',
  );
  const kept = attemptCaptures.reduce((sum, c) => sum + (c.bytes ?? 0), 0);
  if (kept + bytes.length > MAX_UPLOAD_BYTES_PER_ATTEMPT) {
    return reject(
      errors.rateLimited(
        'upload_bytes_exceeded',
        `This attempt already holds ${kept} bytes of captures; at most ${MAX_UPLOAD_BYTES_PER_ATTEMPT} are kept per attempt.`,
      ),
    );
  }

  // Checks read this copy, never the slot's key: a browser may re-send bytes to the slot until its
  // presigned POST expires, but nothing it sends can replace what was validated here.
  const sha256 = deps.crypto.sha256Hex(bytes);
  const checkedKey = checkedCaptureKey(capture, sha256);
  await deps.blobs.put(checkedKey, bytes, image.contentType);
  const uploaded = await deps.store.captures.transition(v.id, capture.id, 'requested', {
    status: 'uploaded',
    blobKey: checkedKey,
    sha256,
    contentType: image.contentType,
    bytes: bytes.length,
    width: image.width,
    height: image.height,
  });
  if (!uploaded) {
    // A concurrent complete won: drop this copy unless it is the very one the winner recorded.
    const winner = await deps.store.captures.get(v.id, capture.id);
    if (winner?.blobKey !== checkedKey) await deps.blobs.delete(checkedKey);
    throw errors.conflict(
      'upload_already_completed',
      'This upload was already completed; request a new one to replace it.',
    );
  }
  await deps.blobs.delete(capture.blobKey);
  await setAsideEarlier(deps, { ...capture, blobKey: checkedKey }, attemptCaptures);
  await audit(deps, v, 'capture.uploaded', {
    captureId: capture.id,
    kind: capture.kind,
    index: capture.index,
    attempt: capture.attempt,
  });
  return {
    captureId: capture.id,
    kind: capture.kind,
    index: capture.index,
    width: image.width,
    height: image.height,
    bytes: bytes.length,
  };
}

/**
 * A new upload for the same kind+index replaces the previous one: the older capture leaves the set the
 * checks read (status `purged`) and its bytes are deleted at once (replaced bytes are kept nowhere).
 */
async function setAsideEarlier(deps: AppDeps, latest: Capture, attemptCaptures: Capture[]): Promise<void> {
  for (const c of attemptCaptures) {
    if (c.id !== latest.id && c.kind === latest.kind && c.index === latest.index) {
      if (await deps.store.captures.transition(c.verificationId, c.id, 'uploaded', { status: 'purged' }))
        await deps.blobs.delete(c.blobKey);
    }
  }
}

async function audit(deps: AppDeps, v: Verification, type: string, data: Record<string, unknown>): Promise<void> {
  await recordAudit(deps, { orgId: v.orgId, verificationId: v.id, type, data });
}
