import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { formatOf, sniffImage } from '../../functions/domain/image-sniff';

/**
 * The header parser must agree with a real decoder (sharp/libvips) on every format it claims, and must
 * read the size a file DECLARES, so a tiny file announcing 50000x50000 is caught without decoding.
 */
import { TESTDATA } from '../support/testdata';

async function encoded(
  format: 'jpeg' | 'png' | 'webp',
  width: number,
  height: number,
  options: Record<string, unknown> = {},
): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } });
  if (format === 'jpeg') return base.jpeg({ quality: 80, ...options }).toBuffer();
  if (format === 'png') return base.png(options).toBuffer();
  return base.webp(options).toBuffer();
}

/** A PNG signature plus an IHDR chunk declaring the given size, and nothing else. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const chunk = Buffer.concat([Buffer.from([0, 0, 0, 13]), Buffer.from('IHDR', 'latin1'), ihdr, Buffer.alloc(4)]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk]);
}

/** SOI, an APP0 segment, then a baseline SOF0 declaring the given size. */
function jpegHeader(width: number, height: number, sofMarker = 0xc0): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  const sof = Buffer.alloc(19);
  sof[0] = 0xff;
  sof[1] = sofMarker;
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  sof[9] = 3;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

describe('sniffImage', () => {
  it.each([
    ['jpeg', 640, 480, {}],
    ['jpeg', 33, 1001, { progressive: true }],
    ['png', 1, 1, {}],
    ['png', 1234, 77, {}],
    ['webp', 640, 360, {}],
    ['webp', 301, 17, { lossless: true }],
  ] as const)('reads %s %ix%i like sharp does', async (format, width, height, options) => {
    const bytes = await encoded(format, width, height, options);
    const meta = await sharp(bytes).metadata();
    expect(sniffImage(bytes)).toEqual({
      ok: true,
      format,
      contentType: `image/${format}`,
      width: meta.width,
      height: meta.height,
    });
    expect([meta.width, meta.height]).toEqual([width, height]);
  });

  it('reads a WebP with an extended header (VP8X, alpha channel)', async () => {
    const bytes = await sharp({
      create: { width: 123, height: 45, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } },
    })
      .webp()
      .toBuffer();
    expect(bytes.toString('latin1', 12, 16)).toBe('VP8X');
    expect(sniffImage(bytes)).toMatchObject({ ok: true, format: 'webp', width: 123, height: 45 });
  });

  it('skips EXIF and other segments before the JPEG frame header', async () => {
    const bytes = await sharp({ create: { width: 90, height: 60, channels: 3, background: '#808080' } })
      .withMetadata({ orientation: 6, exif: { IFD0: { ImageDescription: 'x'.repeat(2000) } } })
      .jpeg()
      .toBuffer();
    expect(bytes[3]).toBe(0xe1); // APP1 (EXIF) precedes the frame
    expect(sniffImage(bytes)).toMatchObject({ ok: true, width: 90, height: 60 });
  });

  it('reads the shared test photos', async () => {
    for (const file of [
      'documents/synth_td3_uto_person_a.jpg',
      'liveness/person_a/frame_019.jpg',
      'faces/london_030_neutral.jpg',
    ]) {
      const bytes = readFileSync(join(TESTDATA, file));
      const meta = await sharp(bytes).metadata();
      expect(sniffImage(bytes)).toEqual({
        ok: true,
        format: 'jpeg',
        contentType: 'image/jpeg',
        width: meta.width,
        height: meta.height,
      });
    }
  });

  it('reports what a bare header declares: a decompression bomb is visible without decoding', () => {
    expect(sniffImage(pngHeader(50_000, 50_000))).toMatchObject({
      ok: true,
      format: 'png',
      width: 50_000,
      height: 50_000,
    });
    expect(sniffImage(jpegHeader(50_000, 50_000))).toMatchObject({
      ok: true,
      format: 'jpeg',
      width: 50_000,
      height: 50_000,
    });
    expect(sniffImage(jpegHeader(640, 480, 0xc2))).toMatchObject({ ok: true, width: 640, height: 480 }); // progressive SOF2
  });

  it('takes the largest declared WebP size, so a small canvas cannot hide a huge frame', () => {
    const vp8x = Buffer.alloc(18);
    vp8x.write('VP8X', 0, 'latin1');
    vp8x.writeUInt32LE(10, 4);
    vp8x.writeUIntLE(9, 12, 3); // canvas 10x10
    vp8x.writeUIntLE(9, 15, 3);
    const vp8l = Buffer.alloc(13);
    vp8l.write('VP8L', 0, 'latin1');
    vp8l.writeUInt32LE(5, 4);
    vp8l[8] = 0x2f;
    vp8l.writeUInt32LE((16_383 & 0x3fff) | ((16_383 & 0x3fff) << 14), 9); // 16384x16384
    const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, vp8l, Buffer.alloc(1)]);
    const riff = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4), body]);
    riff.writeUInt32LE(body.length, 4);
    expect(sniffImage(riff)).toMatchObject({ ok: true, format: 'webp', width: 16_384, height: 16_384 });
  });

  it('refuses anything that is not JPEG, PNG or WebP by its magic bytes, whatever it is called', async () => {
    expect(sniffImage(Buffer.from('hello, I am a text file pretending to be image/jpeg'))).toEqual({
      ok: false,
      reason: 'unsupported_format',
    });
    expect(sniffImage(Buffer.alloc(0))).toEqual({ ok: false, reason: 'unsupported_format' });
    expect(sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toEqual({
      ok: false,
      reason: 'unsupported_format',
    });
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    expect(formatOf(gif)).toBeNull();
  });

  it('reports a truncated or corrupt header as unreadable instead of throwing', async () => {
    const jpeg = await encoded('jpeg', 50, 40);
    const png = await encoded('png', 50, 40);
    const webp = await encoded('webp', 50, 40);
    expect(sniffImage(jpeg.subarray(0, 20))).toEqual({ ok: false, reason: 'unreadable_header' });
    expect(sniffImage(png.subarray(0, 20))).toEqual({ ok: false, reason: 'unreadable_header' });
    expect(sniffImage(webp.subarray(0, 24))).toEqual({ ok: false, reason: 'unreadable_header' });
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08]))).toEqual({
      ok: false,
      reason: 'unreadable_header',
    }); // scan before any frame
    expect(sniffImage(pngHeader(0, 10))).toEqual({ ok: false, reason: 'unreadable_header' });
    // Every prefix of a real file parses or is refused; none throws.
    for (const bytes of [jpeg, png, webp])
      for (let n = 0; n < Math.min(bytes.length, 400); n++)
        expect(() => sniffImage(bytes.subarray(0, n))).not.toThrow();
  });
});
