import type { UploadSigner } from '../../ports/blobs';
import { APPLICANT_BASE } from '../../http/routes';

/**
 * Local upload slots: the browser PUTs the bytes to the applicant API (same origin, Bearer token), and
 * the complete step enforces type, size and pixel limits, as the S3 POST policy does on AWS.
 */
export function createLocalUploadSigner(): UploadSigner {
  return {
    async createUpload({ captureId, maxBytes, contentTypes, expiresAt }) {
      return {
        url: `${APPLICANT_BASE}/uploads/${encodeURIComponent(captureId)}/bytes`,
        method: 'PUT',
        fields: {},
        maxBytes,
        contentTypes,
        expiresAt: expiresAt.toISOString(),
      };
    },
  };
}
