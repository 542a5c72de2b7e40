/**
 * Shared fixtures for the AWS provider suites: SDK clients wrapped by aws-sdk-client-mock, response
 * bodies shaped like the examples in the Rekognition/Textract API references, and test images from
 * ../shared/testdata (tests may read it; the product never does).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RekognitionClient, type BoundingBox, type FaceDetail } from '@aws-sdk/client-rekognition';
import { TextractClient, type Block } from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import type { Flow } from '../../functions/domain/model';
import { createAwsCheckProvider, type AwsCheckOptions } from '../../functions/checks/aws';
import type { SequenceObserver } from '../../functions/checks/face-sequence/sequence-verdict';
import type { MrzReader } from '../../functions/checks/aws';
import { computeCheckDigit } from '../../functions/domain/mrz';

import { TESTDATA } from '../support/testdata';

export { TESTDATA };

export function testImage(relative: string): Buffer {
  return readFileSync(path.join(TESTDATA, relative));
}

export const thresholds: Flow['thresholds'] = {
  faceMatchMaxDistance: 0.6,
  faceMatchMinSimilarity: 90,
  livenessMinTurnDegrees: 20,
  minFaceConfidence: 0.9,
};

export const TODAY = '2026-11-29';

/** A DetectFaces FaceDetail (DEFAULT attributes: BoundingBox, Confidence, Landmarks, Pose, Quality). */
export function faceDetail(
  o: { yaw?: number; confidence?: number; sharpness?: number; brightness?: number; box?: BoundingBox } = {},
): FaceDetail {
  return {
    BoundingBox: o.box ?? { Width: 0.3, Height: 0.4, Left: 0.35, Top: 0.2 },
    Confidence: o.confidence ?? 99.9,
    Landmarks: [
      { Type: 'eyeLeft', X: 0.45, Y: 0.35 },
      { Type: 'eyeRight', X: 0.55, Y: 0.35 },
      { Type: 'nose', X: 0.5, Y: 0.45 },
    ],
    Pose: { Roll: 1.2, Yaw: o.yaw ?? 0.5, Pitch: -3.1 },
    Quality: { Brightness: o.brightness ?? 78.4, Sharpness: o.sharpness ?? 83.1 },
  };
}

/** A ComparedFace / CompareFacesMatch as CompareFaces returns them. */
export function faceMatch(similarity: number) {
  return {
    Similarity: similarity,
    Face: {
      BoundingBox: { Width: 0.2, Height: 0.3, Left: 0.1, Top: 0.2 },
      Confidence: 99.8,
      Pose: { Roll: 0, Yaw: 1, Pitch: 0 },
      Quality: { Brightness: 60, Sharpness: 70 },
    },
  };
}
export const unmatchedFace = { BoundingBox: { Width: 0.2, Height: 0.3, Left: 0.1, Top: 0.2 }, Confidence: 99.1 };
export const sourceImageFace = { BoundingBox: { Width: 0.3, Height: 0.4, Left: 0.35, Top: 0.2 }, Confidence: 99.9 };

/** DetectDocumentText Blocks: a PAGE, some visual-zone LINEs, then the given lines (MRZ last, as printed). */
export function textractBlocks(lines: string[]): Block[] {
  const visual = ['PASSPORT', 'PASSEPORT', 'UTOPIA', 'Surname / Nom', 'SPECIMEN'];
  const all = [...visual, ...lines];
  return [
    { BlockType: 'PAGE', Id: 'page-1', Confidence: 99.9 },
    ...all.map(
      (text, i): Block => ({
        BlockType: 'LINE',
        Id: `line-${i}`,
        Text: text,
        Confidence: 96.5,
        Geometry: { BoundingBox: { Width: 0.8, Height: 0.03, Left: 0.1, Top: 0.1 + i * 0.05 } },
      }),
    ),
    { BlockType: 'WORD', Id: 'word-0', Text: 'PASSPORT', Confidence: 99.5 },
  ];
}

/** The MRZ of testdata/documents/synth_td3_uto_person_a.jpg (labels: check digits valid, expires 2034-06-10). */
export const PERSON_A_MRZ = [
  'P<UTOSPECIMEN<<PAULA<<<<<<<<<<<<<<<<<<<<<<<<',
  'H5D8K2L736UTO8806116F3406108<<<<<<<<<<<<<<06',
];

/** Builds a TD3 MRZ with correct check digits, for cases the labelled set does not cover (minors, other countries). */
export function td3(o: {
  type?: string;
  country?: string;
  surname?: string;
  given?: string;
  docNumber?: string;
  birth: string;
  sex?: string;
  expiry: string;
}): string[] {
  const country = (o.country ?? 'UTO').padEnd(3, '<');
  const names = `${o.surname ?? 'SPECIMEN'}<<${o.given ?? 'TEST'}`.padEnd(39, '<');
  const line1 = `${(o.type ?? 'P<').padEnd(2, '<')}${country}${names}`;
  const doc = (o.docNumber ?? 'X12345678').padEnd(9, '<');
  const optional = '<'.repeat(14);
  const body = `${doc}${computeCheckDigit(doc)}${country}${o.birth}${computeCheckDigit(o.birth)}${o.sex ?? 'F'}${o.expiry}${computeCheckDigit(o.expiry)}${optional}<`;
  const composite = computeCheckDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
  return [line1, `${body}${composite}`];
}

/** A provider over mocked clients; `mrzReader` defaults to one that finds nothing (Textract fallback). */
export function mockedProvider(
  opts: { mrzReader?: MrzReader | null; options?: Partial<AwsCheckOptions>; sequenceObserver?: SequenceObserver } = {},
) {
  const rekognition = new RekognitionClient({ region: 'us-east-1' });
  const textract = new TextractClient({ region: 'us-east-1' });
  const rekognitionMock = mockClient(rekognition);
  const textractMock = mockClient(textract);
  const provider = createAwsCheckProvider({
    rekognition,
    textract,
    mrzReader: opts.mrzReader === undefined ? async () => null : opts.mrzReader,
    collectionId: 'kyc-faces',
    sequenceObserver: opts.sequenceObserver ?? null,
    options: opts.options,
  });
  return { provider, rekognitionMock, textractMock };
}
