/**
 * One property, run on each runtime's blob store and upload slots: what the pipeline reads is exactly
 * what `complete` validated. After `complete`, new bytes sent to the slot (an S3 re-POST with the still
 * valid presigned policy on AWS, a raw write to the slot's file locally) change nothing the checks read,
 * and bytes altered where the checks read them are refused rather than checked.
 */
import sharp from 'sharp';
import { completeUpload, requestUpload } from '../../functions/app/applicant/uploads';
import type { OpenSession } from '../../functions/app/applicant/session';
import type { AppDeps } from '../../functions/app/deps';
import { loadAttemptContext, readCapture } from '../../functions/app/pipeline/context';
import { PermanentTaskError } from '../../functions/app/pipeline/errors';
import type { Capture } from '../../functions/domain/model';
import type { UploadPolicy } from '../../functions/ports/blobs';
import { createPipelineHarness, type PipelineHarness } from '../pipeline/harness';
import { makeFlow, makeVerification } from './builders';

export interface IntegrityRuntime {
  /** Replaces the harness's blob store and upload signer with the runtime's own. */
  adapt(deps: AppDeps): Promise<Pick<AppDeps, 'blobs' | 'uploads'>>;
  /**
   * Writes bytes to an upload slot below the app: the S3 POST the browser sends on AWS; locally a raw write
   * to the slot's file (`slotKey`), which even the bytes route's closed-slot check cannot stop.
   */
  send(slot: { upload: UploadPolicy; slotKey: string }, bytes: Buffer, contentType: string): Promise<void>;
  cleanup?(): Promise<void>;
}

async function png(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/** Registers the capture-integrity tests for one runtime. */
export function describeCaptureIntegrity(name: string, makeRuntime: () => Promise<IntegrityRuntime>): void {
  describe(`capture integrity: ${name}`, () => {
    let h: PipelineHarness;
    let runtime: IntegrityRuntime;
    let deps: AppDeps;
    let session: OpenSession;

    beforeEach(async () => {
      h = await createPipelineHarness();
      runtime = await makeRuntime();
      deps = { ...h.deps, ...(await runtime.adapt(h.deps)) };
      const flow = makeFlow({ checks: ['faceMatch'] });
      await h.store.flows.put(flow);
      const verification = makeVerification({
        id: `vrf_${Math.random().toString(36).slice(2, 12)}`,
        flowId: flow.id,
        consent: {
          accepted: true,
          textVersion: 'v',
          locale: 'en',
          at: h.clock.now().toISOString(),
          ip: null,
          userAgent: null,
        },
      });
      await h.store.verifications.create(verification);
      session = { verification, flow, livenessMode: null };
    });
    afterEach(async () => {
      await runtime?.cleanup?.();
      await h?.close();
    });

    async function openSlot(): Promise<{ captureId: string; upload: UploadPolicy; slotKey: string }> {
      const slot = await requestUpload(deps, session, { kind: 'selfie', index: 0, contentType: 'image/png' });
      const requested = await h.store.captures.get(session.verification.id, slot.captureId);
      return { ...slot, slotKey: requested!.blobKey };
    }

    async function uploadSelfie(bytes: Buffer): Promise<{ captureId: string; upload: UploadPolicy; slotKey: string }> {
      const slot = await openSlot();
      await runtime.send(slot, bytes, 'image/png');
      await completeUpload(deps, session, slot.captureId);
      return slot;
    }

    async function selfieThePipelineReads(): Promise<{ capture: Capture; bytes: Buffer }> {
      const ctx = await loadAttemptContext(deps, { verificationId: session.verification.id, attempt: 1 });
      const capture = ctx.captures.find((c) => c.kind === 'selfie');
      if (!capture) throw new Error('no selfie in the attempt context');
      return { capture, bytes: (await readCapture(deps, capture)).bytes };
    }

    it('reads the validated bytes even after new bytes were sent to the slot', async () => {
      const own = await png('#336699');
      const victim = await png('#aa2200');
      const slot = await uploadSelfie(own);
      // The slot's upload is still signed: a second send goes through at the transport level.
      await runtime.send(slot, victim, 'image/png');
      const read = await selfieThePipelineReads();
      expect(Buffer.compare(read.bytes, own)).toBe(0);
      expect(read.capture.sha256).toBe(deps.crypto.sha256Hex(own));
      // The checked copy lives under a key the slot does not name; the slot's own object was deleted at complete.
      expect(read.capture.blobKey).not.toBe(slot.slotKey);
      expect(read.capture.blobKey).toContain(`/checked/${slot.captureId}-`);
      expect(Buffer.compare((await deps.blobs.get(slot.slotKey))!, victim)).toBe(0);
    });

    it('refuses bytes that changed where the checks read them', async () => {
      await uploadSelfie(await png('#336699'));
      const { capture } = await selfieThePipelineReads();
      await deps.blobs.put(capture.blobKey, await png('#aa2200'), 'image/png');
      await expect(readCapture(deps, capture)).rejects.toThrow(PermanentTaskError);
      await expect(readCapture(deps, capture)).rejects.toThrow(/changed after validation/);
    });

    it('deletes the bytes a retake replaced and the bytes a complete rejected', async () => {
      await uploadSelfie(await png('#336699'));
      const first = (await selfieThePipelineReads()).capture;
      await uploadSelfie(await png('#113355'));
      expect(await deps.blobs.exists(first.blobKey)).toBe(false);
      expect((await h.store.captures.get(first.verificationId, first.id))?.status).toBe('purged');

      const slot = await openSlot();
      await runtime.send(slot, Buffer.from('not an image at all'), 'image/png');
      await expect(completeUpload(deps, session, slot.captureId)).rejects.toMatchObject({
        code: 'unsupported_media_type',
      });
      expect((await h.store.captures.get(session.verification.id, slot.captureId))?.status).toBe('requested');
      expect(await deps.blobs.exists(slot.slotKey)).toBe(false);
    });
  });
}
