/**
 * S3 implementation of the BlobStore port, plus presigned POST upload slots so browsers send capture
 * bytes straight to S3 (size and content type enforced by the POST policy, SSE-KMS named in it).
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BlobReadLinks, BlobStore, UploadPolicy, UploadSigner } from '../../ports/blobs';

export interface S3BlobStoreOptions {
  bucket: string;
  /** KMS key for SSE-KMS. When set, writes and upload policies require it. */
  kmsKeyId?: string | null;
}

export interface PresignedUploadOptions {
  maxBytes: number;
  /** Allowed MIME types. One type is pinned exactly; several share a `starts-with` prefix (e.g. `image/`). */
  contentTypes: string[];
  expiresSeconds: number;
}

/** S3 DeleteObjects accepts at most this many keys per call. */
const DELETE_BATCH = 1000;

/** One POST-policy condition (the shapes @aws-sdk/s3-presigned-post accepts). */
export type PolicyCondition =
  | ['eq' | 'starts-with', string, string]
  | ['content-length-range', number, number]
  | Record<string, string>;

function isNotFound(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const status = (err as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || status === 404;
}

/** Longest shared prefix of the allowed types, cut after the last `/` so it names a whole top-level type. */
function contentTypePrefix(types: string[]): string {
  let prefix = types[0] ?? '';
  for (const t of types) while (!t.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const slash = prefix.indexOf('/');
  if (slash <= 0)
    throw new Error(
      `content types ${types.join(', ')} share no top-level type; a POST policy cannot allow them together`,
    );
  return prefix.slice(0, slash + 1);
}

export class S3BlobStore implements BlobStore, BlobReadLinks {
  constructor(
    private readonly s3: S3Client,
    private readonly options: S3BlobStoreOptions,
  ) {}

  private sseParams() {
    return this.options.kmsKeyId
      ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.options.kmsKeyId }
      : {};
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.length,
        ...this.sseParams(),
      }),
    );
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * A presigned GET (SigV4 query string, the client's own signer and credentials) on the bucket's
   * virtual-hosted origin `https://<bucket>.s3.<region>.amazonaws.com`, the origin the dashboard's CSP and the
   * bucket's CORS allow. The response overrides keep it out of caches and shown inline as `contentType`.
   */
  async readLink(key: string, opts: { expiresSeconds: number; contentType: string }): Promise<string> {
    const config = this.s3.config;
    const region = await config.region();
    const signer = new SignatureV4({
      credentials: config.credentials,
      region,
      service: 's3',
      sha256: config.sha256,
      uriEscapePath: false,
    });
    const hostname = `${this.options.bucket}.s3.${region}.amazonaws.com`;
    const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname,
        path,
        query: {
          'response-content-type': opts.contentType,
          'response-cache-control': 'no-store, private',
          'response-content-disposition': 'inline',
        },
        // S3 presigned URLs sign no payload.
        headers: { host: hostname, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: opts.expiresSeconds },
    );
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(signed.query ?? {}))
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) query.append(name, v);
    return `https://${hostname}${path}?${query.toString().replace(/\+/g, '%20')}`;
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for a missing key too.
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: prefix,
          ContinuationToken: token,
          MaxKeys: DELETE_BATCH,
        }),
      );
      const objectKeys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objectKeys.length > 0) {
        const res = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: objectKeys, Quiet: true } }),
        );
        const errors = res.Errors ?? [];
        if (errors.length > 0)
          throw new Error(
            `S3 refused to delete ${errors.length} object(s) under ${prefix}: ${errors[0]?.Code ?? 'unknown'}`,
          );
        deleted += objectKeys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  /**
   * The POST policy conditions for one upload slot: exact key, size range, content type, SSE-KMS.
   * Exposed so tests can check them without decoding the policy document.
   */
  uploadConditions(opts: PresignedUploadOptions): PolicyCondition[] {
    if (opts.contentTypes.length === 0) throw new Error('at least one content type is required');
    const conditions: PolicyCondition[] = [['content-length-range', 1, opts.maxBytes]];
    conditions.push(
      opts.contentTypes.length === 1
        ? ['eq', '$Content-Type', opts.contentTypes[0]!]
        : ['starts-with', '$Content-Type', contentTypePrefix(opts.contentTypes)],
    );
    if (this.options.kmsKeyId) {
      conditions.push(['eq', '$x-amz-server-side-encryption', 'aws:kms']);
      conditions.push(['eq', '$x-amz-server-side-encryption-aws-kms-key-id', this.options.kmsKeyId]);
    }
    return conditions;
  }

  /**
   * Creates a presigned POST for one object. The browser sends `fields` (plus `Content-Type` when
   * several types are allowed, and the file last) as multipart/form-data to `url`. With several types
   * the policy can only pin their common prefix: the server checks the exact type after upload.
   */
  async createPresignedUpload(key: string, opts: PresignedUploadOptions): Promise<UploadPolicy> {
    const fields: Record<string, string> = {};
    if (opts.contentTypes.length === 1) fields['Content-Type'] = opts.contentTypes[0]!;
    if (this.options.kmsKeyId) {
      fields['x-amz-server-side-encryption'] = 'aws:kms';
      fields['x-amz-server-side-encryption-aws-kms-key-id'] = this.options.kmsKeyId;
    }
    const expiresAt = new Date(Date.now() + opts.expiresSeconds * 1000).toISOString();
    const post = await createPresignedPost(this.s3, {
      Bucket: this.options.bucket,
      Key: key,
      Conditions: this.uploadConditions(opts),
      Fields: fields,
      Expires: opts.expiresSeconds,
    });
    return {
      url: post.url,
      method: 'POST',
      fields: post.fields,
      maxBytes: opts.maxBytes,
      contentTypes: [...opts.contentTypes],
      expiresAt,
    };
  }
}

/**
 * Longest a presigned POST stays valid. S3 cannot revoke a signed POST, so this bounds how long after
 * `complete` a browser could still write to the slot's key (which the checks never read: `complete`
 * copies the validated bytes elsewhere). Five minutes cover a 10 MB upload on a slow mobile link.
 */
export const MAX_POST_SECONDS = 300;

/**
 * UploadSigner over S3 presigned POST. The policy pins the key, the content type the applicant declared
 * (the app has checked it against the allowed list) and the size limit; it expires with the slot or after
 * {@link MAX_POST_SECONDS}, whichever comes first.
 */
export function createS3UploadSigner(store: S3BlobStore, now: () => Date = () => new Date()): UploadSigner {
  return {
    async createUpload({ blobKey, contentType, maxBytes, expiresAt }) {
      const untilSlotEnds = Math.ceil((expiresAt.getTime() - now().getTime()) / 1000);
      const expiresSeconds = Math.max(1, Math.min(MAX_POST_SECONDS, untilSlotEnds));
      return store.createPresignedUpload(blobKey, {
        maxBytes,
        contentTypes: [contentType],
        expiresSeconds,
      });
    },
  };
}
