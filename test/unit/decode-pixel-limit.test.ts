/**
 * Every decoder gets the pixel limit `complete` enforces from the header: bytes that reach a check by any
 * path (or a header the sniff misread) cannot make sharp allocate a canvas larger than MAX_IMAGE_PIXELS.
 */
import sharp from 'sharp';
import { cropBoundingBox, fingerprint } from '../../functions/checks/aws/images';
import { decodeImage, ImageDecodeError } from '../../functions/checks/local/image';
import { MAX_IMAGE_PIXELS } from '../../functions/domain/image-sniff';

let oversized: Buffer;
let small: Buffer;

beforeAll(async () => {
  // One row and one column more than allowed: 6400 x 6251 > 40 M pixels (a flat colour compresses to a few KB).
  const width = 6400;
  const height = Math.floor(MAX_IMAGE_PIXELS / width) + 1;
  oversized = await sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  small = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
});

it('the local decoder refuses an image over the limit and decodes one under it', async () => {
  await expect(decodeImage(oversized, 'selfie')).rejects.toThrow(ImageDecodeError);
  await expect(decodeImage(oversized, 'selfie')).rejects.toThrow(/pixel limit/);
  expect((await decodeImage(small, 'selfie')).width).toBe(64);
});

it('the AWS provider crop and fingerprint refuse to decode an image over the limit', async () => {
  const box = { Left: 0.1, Top: 0.1, Width: 0.5, Height: 0.5 };
  await expect(cropBoundingBox(oversized, box)).rejects.toThrow(/pixel limit/);
  expect((await cropBoundingBox(small, box)).length).toBeGreaterThan(0);
  // Undecodable for the thumbnail: compared by hash only.
  expect((await fingerprint(oversized)).thumbnail).toBeNull();
  expect((await fingerprint(small)).thumbnail).not.toBeNull();
});
