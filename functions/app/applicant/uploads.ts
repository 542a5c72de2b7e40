import { ApiError, errors } from '../../domain/errors';
import { sniffImage } from '../../domain/image-sniff';
import type { Capture, CaptureKind, Verification } from '../../domain/model';
import type { UploadPolicy } from '../../ports/blobs';
import type { AppDeps } from '../deps';
import { UPLOAD_CONTENT_TYPES, type CreateUploadBody } from './schemas';
import { currentAttempt, requireConsent, requirePending, type OpenSession } from './session';
import { stepsOfFlow } from '../../domain/flows';

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
  const id = deps.ids.next('cap');
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
    uploadExpiresAt: expiresAt.toISOString(),
    createdAt: now.toISOString(),
  };
  await deps.store.captures.create(capture);
  const upload = await deps.uploads.createUpload({
    captureId: id,
    blobKey: capture.blobKey,
    contentType: body.contentType,
    maxBytes: deps.config.maxUploadBytes,
    contentTypes: [...UPLOAD_CONTENT_TYPES],
    expiresAt,
  });
  return { captureId: id, upload };
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
    throw new ApiError(422, 'upload_expired', 'The upload slot has expired; request a new one.');
  }
  return capture;
}

/** The bytes route exists on the local runtime only (S3 takes the bytes on AWS, where it is not deployed). */
export function assertLocalBytesRoute(deps: AppDeps): void {
  if (deps.config.runtime === 'aws') throw new ApiError(404, 'route_not_found', 'No such endpoint.');
}

/**
 * Local runtime only: receives a capture's bytes (the S3 POST policy's job on AWS, where this route is not
 * deployed). Enforces what the policy would: open slot, declared Content-Type, size.
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
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Send the bytes with Content-Type ${capture.contentType}, as requested for this upload.`,
      [{ field: 'Content-Type', issue: `must be ${capture.contentType}` }],
    );
  }
  if (input.bytes.length > deps.config.maxUploadBytes) {
    throw new ApiError(413, 'file_too_large', `The file exceeds ${deps.config.maxUploadBytes} bytes.`);
  }
  if (input.bytes.length === 0) throw errors.validation([{ field: 'body', issue: 'empty: send the image bytes' }]);
  await deps.blobs.put(capture.blobKey, input.bytes, capture.contentType ?? 'application/octet-stream');
}

/**
 * Confirms an upload. Primary course: open slot -> bytes present -> size, JPEG/PNG/WebP magic bytes and
 * declared pixel count checked from the header (never decoded here) -> capture `uploaded` (single use:
 * a conditional transition) -> earlier captures of the same kind and index in this attempt are set aside.
 * A rejected upload leaves the slot open for corrected bytes until it expires.
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
  const reject = async (code: string, message: string): Promise<never> => {
    await audit(deps, v, 'capture.rejected', {
      captureId: capture.id,
      kind: capture.kind,
      index: capture.index,
      attempt: capture.attempt,
      code,
    });
    throw new ApiError(422, code, message);
  };

  const bytes = await deps.blobs.get(capture.blobKey);
  if (!bytes || bytes.length === 0)
    return reject('upload_missing', 'No bytes were received for this upload; send them, then complete.');
  if (bytes.length > deps.config.maxUploadBytes)
    return reject('file_too_large', `The file exceeds ${deps.config.maxUploadBytes} bytes.`);
  const image = sniffImage(bytes);
  if (!image.ok) {
    return image.reason === 'unsupported_format'
      ? reject('unsupported_media_type', 'The file is not a JPEG, PNG or WebP image.')
      : reject('image_unreadable', 'The image header could not be read.');
  }
  // The declared size decides: a small file can announce a canvas that would exhaust memory when decoded.
  if (image.width * image.height > deps.config.maxUploadPixels) {
    return reject('too_many_pixels', `The image has more than ${deps.config.maxUploadPixels} pixels.`);
  }

  const uploaded = await deps.store.captures.transition(v.id, capture.id, 'requested', {
    status: 'uploaded',
    contentType: image.contentType,
    bytes: bytes.length,
    width: image.width,
    height: image.height,
  });
  if (!uploaded)
    throw errors.conflict(
      'upload_already_completed',
      'This upload was already completed; request a new one to replace it.',
    );
  await setAsideEarlier(deps, capture);
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
 * checks read (status `purged`). The applicant role may not delete objects on AWS, so its bytes stay
 * under the verification's prefix until the retention purge removes them with the rest.
 */
async function setAsideEarlier(deps: AppDeps, latest: Capture): Promise<void> {
  const all = await deps.store.captures.listByVerification(latest.verificationId);
  for (const c of all) {
    if (
      c.id !== latest.id &&
      c.status === 'uploaded' &&
      c.attempt === latest.attempt &&
      c.kind === latest.kind &&
      c.index === latest.index
    ) {
      await deps.store.captures.transition(c.verificationId, c.id, 'uploaded', { status: 'purged' });
    }
  }
}

async function audit(deps: AppDeps, v: Verification, type: string, data: Record<string, unknown>): Promise<void> {
  await deps.store.audit.append({
    id: deps.ids.next('evt'),
    verificationId: v.id,
    orgId: v.orgId,
    type,
    at: deps.clock.now().toISOString(),
    data,
  });
}
