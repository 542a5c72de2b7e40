import type { UploadSigner } from '../../ports/blobs';

/**
 * Local upload slots: the browser PUTs the bytes to the applicant API (same origin, Bearer token), and
 * the complete step enforces type, size and pixel limits, as the S3 POST policy does on AWS.
 * `bytesPath` is the API path that receives a capture's bytes (the route table's, given by the wiring).
 */
export function createLocalUploadSigner(bytesPath: (captureId: string) => string): UploadSigner {
  return {
    async createUpload({ captureId, maxBytes, contentTypes, expiresAt }) {
      return {
        url: bytesPath(captureId),
        method: 'PUT',
        fields: {},
        maxBytes,
        contentTypes,
        expiresAt: expiresAt.toISOString(),
      };
    },
  };
}
