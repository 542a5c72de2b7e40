/** Capture integrity on the local runtime: file blobs and the local upload slots. */
import { createLocalUploadSigner } from '../../functions/adapters/local/local-upload-signer';
import { uploadBytesPath } from '../../functions/http/routes';
import type { BlobStore } from '../../functions/ports/blobs';
import { describeCaptureIntegrity } from '../support/capture-integrity';

describeCaptureIntegrity('local files', async () => {
  let blobs: BlobStore | null = null;
  return {
    adapt: async (deps) => {
      blobs = deps.blobs;
      return { blobs: deps.blobs, uploads: createLocalUploadSigner(uploadBytesPath) };
    },
    // Below the bytes route (which refuses a completed slot): the slot's file, written directly.
    send: async (slot, bytes, contentType) => blobs!.put(slot.slotKey, bytes, contentType),
  };
});
