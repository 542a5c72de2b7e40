/**
 * Blob port: capture bytes (document images, selfies, liveness frames).
 * Local: files under the data directory. AWS: S3 (SSE-KMS), where uploads go straight from the
 * browser through a presigned POST and this port only reads and deletes.
 */
export interface UploadPolicy {
  /** Where the browser sends the bytes. */
  url: string;
  method: 'POST' | 'PUT';
  /** Form fields (S3 presigned POST) or headers to send with the bytes. */
  fields: Record<string, string>;
  maxBytes: number;
  contentTypes: string[];
  expiresAt: string;
}

export interface BlobStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** Deletes one blob; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every blob under the prefix; returns how many were removed. */
  deletePrefix(prefix: string): Promise<number>;
  exists(key: string): Promise<boolean>;
}

/**
 * Short-lived signed read links, for bytes too large to pass through the API (AWS: a Lambda response is
 * limited to 6 MB, a capture may be 10 MB). Only the AWS runtime has them: the local server streams any size.
 */
export interface BlobReadLinks {
  /**
   * A URL that reads `key` for `expiresSeconds` (then refused), answering with `contentType`, `no-store`
   * and `inline`. Issue one only after the caller's access to the blob was checked.
   */
  readLink(key: string, opts: { expiresSeconds: number; contentType: string }): Promise<string>;
}

/**
 * Issues the upload slot a browser sends capture bytes to. Local: a PUT to the applicant API's bytes
 * route (the server enforces the policy itself). AWS: an S3 presigned POST whose policy enforces
 * content-length-range and Content-Type.
 */
export interface UploadSigner {
  createUpload(input: {
    captureId: string;
    blobKey: string;
    contentType: string;
    maxBytes: number;
    contentTypes: string[];
    expiresAt: Date;
  }): Promise<UploadPolicy>;
}
