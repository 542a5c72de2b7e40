/**
 * Rekognition and Textract take inline bytes only up to 5 MB and only as JPEG or PNG, while uploads are
 * accepted larger and as WebP. A 6 MB JPEG and a WebP capture go through the AWS provider's document check and
 * face match: what reaches the services is JPEG/PNG within 5 MB, upright and of the same picture, so neither
 * turns into a false DOCUMENT_UNREADABLE or NO_FACE_*.
 */
import { CompareFacesCommand, DetectFacesCommand } from '@aws-sdk/client-rekognition';
import { DetectDocumentTextCommand } from '@aws-sdk/client-textract';
import sharp from 'sharp';
import { AWS_INLINE_IMAGE_MAX_BYTES, awsReadyBytes } from '../../functions/checks/aws/images';
import { formatOf } from '../../functions/domain/image-sniff';
import {
  PERSON_A_MRZ,
  TODAY,
  faceDetail,
  faceMatch,
  mockedProvider,
  sourceImageFace,
  testImage,
  textractBlocks,
  thresholds,
} from './aws-fixtures';

const PASSPORT = testImage('documents/synth_td3_uto_person_a.jpg');
const SELFIE = testImage('faces/london_013_smiling.jpg');
const PORTRAIT = testImage('faces/london_013_neutral.jpg');

/** The passport at 4000 px wide with fine noise, at JPEG quality 100: over 6 MB, as a phone might send it. */
async function sixMegabyteJpeg(): Promise<Buffer> {
  const width = 4000;
  const page = await sharp(PASSPORT).resize({ width }).toBuffer({ resolveWithObject: true });
  const { height } = page.info;
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } },
  })
    .png()
    .toBuffer();
  return sharp(page.data)
    .composite([{ input: noise, blend: 'soft-light' }])
    .jpeg({ quality: 100 })
    .toBuffer();
}

function expectAwsReady(bytes: Uint8Array | undefined): Buffer {
  expect(bytes).toBeDefined();
  const buf = Buffer.from(bytes!);
  expect(['jpeg', 'png']).toContain(formatOf(buf));
  expect(buf.length).toBeLessThanOrEqual(AWS_INLINE_IMAGE_MAX_BYTES);
  return buf;
}

describe('inline images sent to Rekognition and Textract', () => {
  let large: Buffer;
  beforeAll(async () => {
    large = await sixMegabyteJpeg();
  });

  it('a 6 MB JPEG document is re-encoded within 5 MB for Textract and Rekognition, same picture', async () => {
    expect(large.length).toBeGreaterThan(6 * 1024 * 1024);
    const { provider, rekognitionMock, textractMock } = mockedProvider();
    textractMock
      .on(DetectDocumentTextCommand)
      .resolves({ DocumentMetadata: { Pages: 1 }, Blocks: textractBlocks(PERSON_A_MRZ) });
    rekognitionMock
      .on(DetectFacesCommand)
      .resolves({ FaceDetails: [faceDetail({ box: { Width: 0.22, Height: 0.36, Left: 0.1, Top: 0.22 } })] });

    const res = await provider.checkDocument({
      front: { bytes: large, label: 'document_front' },
      back: null,
      flow: { documentTypes: [], issuingCountries: [], minimumAge: null },
      today: TODAY,
    });

    expect(res.reasonCodes).not.toContain('DOCUMENT_UNREADABLE');
    const sentToTextract = expectAwsReady(
      textractMock.commandCalls(DetectDocumentTextCommand)[0]!.args[0].input.Document?.Bytes,
    );
    const sentToRekognition = expectAwsReady(
      rekognitionMock.commandCalls(DetectFacesCommand)[0]!.args[0].input.Image?.Bytes,
    );
    const original = await sharp(large).metadata();
    const sent = await sharp(sentToTextract).metadata();
    expect((sent.width ?? 0) / (sent.height ?? 1)).toBeCloseTo((original.width ?? 0) / (original.height ?? 1), 2);
    expect(sent.width).toBeGreaterThanOrEqual(2000);
    // One re-encoding per capture, whichever service asks.
    expect(sentToRekognition.equals(sentToTextract)).toBe(true);
  });

  it('a WebP selfie is sent as JPEG to DetectFaces and CompareFaces', async () => {
    const webp = await sharp(SELFIE).webp({ quality: 90 }).toBuffer();
    expect(formatOf(webp)).toBe('webp');
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock
      .on(CompareFacesCommand)
      .resolves({ SourceImageFace: sourceImageFace, FaceMatches: [faceMatch(97)], UnmatchedFaces: [] });

    const res = await provider.checkFaceMatch({
      probe: { bytes: webp, label: 'selfie' },
      reference: { bytes: PORTRAIT, label: 'document portrait' },
      flow: { thresholds },
    });

    expect(res.outcome).toBe('pass');
    const detect = expectAwsReady(rekognitionMock.commandCalls(DetectFacesCommand)[0]!.args[0].input.Image?.Bytes);
    expect(formatOf(detect)).toBe('jpeg');
    const compare = rekognitionMock.commandCalls(CompareFacesCommand)[0]!.args[0].input;
    expect(formatOf(expectAwsReady(compare.SourceImage?.Bytes))).toBe('jpeg');
    // A JPEG already within limits goes as it is.
    expect(Buffer.from(compare.TargetImage!.Bytes!).equals(PORTRAIT)).toBe(true);
  });

  it('leaves JPEG and PNG within 5 MB untouched', async () => {
    expect(await awsReadyBytes(PORTRAIT)).toBe(PORTRAIT);
    const png = await sharp(PORTRAIT).png().toBuffer();
    expect(await awsReadyBytes(png)).toBe(png);
  });
});
