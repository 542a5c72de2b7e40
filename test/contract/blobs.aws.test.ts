/**
 * The blob contract against the S3 adapter on s3rver, plus the presigned POST policy, checked by
 * decoding the policy document (s3rver does not enforce POST policies).
 */
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createS3UploadSigner, MAX_POST_SECONDS, S3BlobStore } from '../../functions/adapters/aws/s3-blob-store';
import { type Emulator, S3RVER_CREDENTIALS, TEST_CREDENTIALS, TEST_REGION, startS3rver } from '../support/emulators';
import { describeBlobContract } from './blobs.contract';

const BUCKET = 'kyc-captures-test';
let s3rver: Emulator;

beforeAll(async () => {
  s3rver = await startS3rver([BUCKET]);
});
afterAll(async () => {
  await s3rver?.stop();
});

function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: TEST_REGION,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    // s3rver stores streamed uploads corrupted when the SDK adds its default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

describeBlobContract('S3 (s3rver)', async () => {
  const s3 = s3Client(s3rver.endpoint);
  const blobs = new S3BlobStore(s3, { bucket: BUCKET });
  // Each test gets an empty bucket: remove whatever the previous test left.
  await blobs.deletePrefix('');
  return {
    blobs,
    cleanup: async () => {
      await blobs.deletePrefix('');
      s3.destroy();
    },
  };
});

describe('S3 presigned upload policy', () => {
  const s3 = new S3Client({ region: 'eu-west-1', credentials: TEST_CREDENTIALS });
  afterAll(() => s3.destroy());

  function decodePolicy(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
    return JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
  }

  it('pins key, bucket, size range, a single content type and SSE-KMS', async () => {
    const store = new S3BlobStore(s3, {
      bucket: 'captures-bucket',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
    });
    const before = Date.now();
    const policy = await store.createPresignedUpload('captures/vrf_1/1/cap_1', {
      maxBytes: 8_000_000,
      contentTypes: ['image/jpeg'],
      expiresSeconds: 600,
    });
    expect(policy.method).toBe('POST');
    expect(policy.url).toContain('captures-bucket');
    expect(policy.maxBytes).toBe(8_000_000);
    expect(policy.contentTypes).toEqual(['image/jpeg']);
    expect(policy.fields).toMatchObject({
      key: 'captures/vrf_1/1/cap_1',
      'Content-Type': 'image/jpeg',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111122223333:key/abc',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    expect(policy.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const doc = decodePolicy(policy.fields);
    expect(doc.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 8_000_000],
        ['eq', '$Content-Type', 'image/jpeg'],
        ['eq', '$x-amz-server-side-encryption', 'aws:kms'],
        ['eq', '$x-amz-server-side-encryption-aws-kms-key-id', 'arn:aws:kms:eu-west-1:111122223333:key/abc'],
        { key: 'captures/vrf_1/1/cap_1' },
        { bucket: 'captures-bucket' },
      ]),
    );
    // Nothing in the policy lets the browser pick another key.
    expect(JSON.stringify(doc.conditions)).not.toContain('"starts-with","$key"');
    const expiresMs = Date.parse(doc.expiration);
    expect(expiresMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000 - 1000);
    expect(Math.abs(Date.parse(policy.expiresAt) - expiresMs)).toBeLessThan(1000 + 5_000);
  });

  it('allows several types of one family through their common prefix', async () => {
    const store = new S3BlobStore(s3, { bucket: 'captures-bucket' });
    const policy = await store.createPresignedUpload('captures/vrf_1/1/cap_2', {
      maxBytes: 1000,
      contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
      expiresSeconds: 60,
    });
    expect(policy.fields['Content-Type']).toBeUndefined();
    expect(policy.fields['x-amz-server-side-encryption']).toBeUndefined();
    const doc = decodePolicy(policy.fields);
    expect(doc.conditions).toEqual(
      expect.arrayContaining([
        ['starts-with', '$Content-Type', 'image/'],
        ['content-length-range', 1, 1000],
      ]),
    );
    expect(JSON.stringify(doc.conditions)).not.toContain('server-side-encryption');
  });

  it('the upload signer caps a POST at MAX_POST_SECONDS, or at the slot end when that comes first', async () => {
    const store = new S3BlobStore(s3, { bucket: 'captures-bucket' });
    const now = new Date();
    const signer = createS3UploadSigner(store, () => now);
    const expiryOf = async (slotSeconds: number) => {
      const policy = await signer.createUpload({
        captureId: 'cap_3',
        blobKey: 'captures/vrf_1/1/cap_3',
        contentType: 'image/jpeg',
        contentTypes: ['image/jpeg'],
        maxBytes: 1000,
        expiresAt: new Date(now.getTime() + slotSeconds * 1000),
      });
      // The signed policy is what S3 enforces; the SDK signs against the real clock.
      return (Date.parse(decodePolicy(policy.fields).expiration) - Date.now()) / 1000;
    };
    expect(MAX_POST_SECONDS).toBeLessThanOrEqual(300);
    // A slot open for an hour: still only MAX_POST_SECONDS to send the bytes.
    const long = await expiryOf(3600);
    expect(long).toBeLessThanOrEqual(MAX_POST_SECONDS + 1);
    expect(long).toBeGreaterThan(MAX_POST_SECONDS - 10);
    // A slot that ends sooner: the POST ends with it.
    const short = await expiryOf(40);
    expect(short).toBeLessThanOrEqual(41);
    expect(short).toBeGreaterThan(30);
  });

  it('refuses type lists a policy cannot express', async () => {
    const store = new S3BlobStore(s3, { bucket: 'captures-bucket' });
    await expect(
      store.createPresignedUpload('k', { maxBytes: 1, contentTypes: ['image/png', 'video/webm'], expiresSeconds: 60 }),
    ).rejects.toThrow(/share no top-level type/);
    await expect(
      store.createPresignedUpload('k', { maxBytes: 1, contentTypes: [], expiresSeconds: 60 }),
    ).rejects.toThrow();
  });
});

describe('S3 deletePrefix paging (aws-sdk-client-mock)', () => {
  it('deletes every page of a listing and reports refused deletions', async () => {
    const s3 = new S3Client({ region: TEST_REGION, credentials: TEST_CREDENTIALS });
    const mock = mockClient(s3);
    const page = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({ Key: `captures/vrf_1/${from + i}` }));
    mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: page(1000, 0), IsTruncated: true, NextContinuationToken: 't1' })
      .resolvesOnce({ Contents: page(3, 1000), IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({});
    const store = new S3BlobStore(s3, { bucket: BUCKET });
    expect(await store.deletePrefix('captures/vrf_1/')).toBe(1003);
    const lists = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(lists.map((l) => [l.Prefix, l.ContinuationToken])).toEqual([
      ['captures/vrf_1/', undefined],
      ['captures/vrf_1/', 't1'],
    ]);
    const deletes = mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length);
    expect(deletes).toEqual([1000, 3]);

    mock.reset();
    mock.on(ListObjectsV2Command).resolves({ Contents: page(2, 0), IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'captures/vrf_1/0', Code: 'AccessDenied' }] });
    await expect(store.deletePrefix('captures/vrf_1/')).rejects.toThrow(/AccessDenied/);
    mock.restore();
  });
});
