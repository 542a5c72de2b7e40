/**
 * Capture integrity on the AWS adapters against s3rver: the browser's presigned POST (re-sent after
 * `complete`, as the policy still allows) never changes the bytes the pipeline reads.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore, createS3UploadSigner } from '../../functions/adapters/aws/s3-blob-store';
import { describeCaptureIntegrity } from '../support/capture-integrity';
import { type Emulator, S3RVER_CREDENTIALS, TEST_REGION, startS3rver } from '../support/emulators';

const BUCKET = 'kyc-integrity-test';
let s3rver: Emulator;

beforeAll(async () => {
  s3rver = await startS3rver([BUCKET]);
});
afterAll(async () => {
  await s3rver?.stop();
});

describeCaptureIntegrity('S3 presigned POST (s3rver)', async () => {
  const s3 = new S3Client({
    endpoint: s3rver.endpoint,
    region: TEST_REGION,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const store = new S3BlobStore(s3, { bucket: BUCKET });
  return {
    adapt: async (deps) => ({ blobs: store, uploads: createS3UploadSigner(store, () => deps.clock.now()) }),
    // What the hosted page does: multipart/form-data with the policy's fields first, the file last.
    send: async ({ upload }, bytes, contentType) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'capture');
      const res = await fetch(upload.url, { method: upload.method, body: form });
      if (res.status >= 300) throw new Error(`S3 POST answered ${res.status}: ${await res.text()}`);
    },
    cleanup: async () => {
      await store.deletePrefix('');
      s3.destroy();
    },
  };
});
