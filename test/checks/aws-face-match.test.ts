import {
  CompareFacesCommand,
  DetectFacesCommand,
  InvalidParameterException,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import 'aws-sdk-client-mock-jest';
import type { FaceMatchInput } from '../../functions/ports/checks';
import type { AwsImageInput } from '../../functions/checks/aws';
import {
  faceDetail,
  faceMatch,
  mockedProvider,
  sourceImageFace,
  testImage,
  thresholds,
  unmatchedFace,
} from './aws-fixtures';

const selfie = { bytes: testImage('faces/london_013_smiling.jpg'), label: 'selfie' };
const portrait = { bytes: testImage('faces/london_013_neutral.jpg'), label: 'document portrait' };
const input = (over: Partial<FaceMatchInput> = {}): FaceMatchInput => ({
  reference: portrait,
  probe: selfie,
  flow: { thresholds },
  ...over,
});

describe('AWS face match', () => {
  it('passes at or above faceMatchMinSimilarity and sends selfie as source, portrait as target', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock
      .on(CompareFacesCommand)
      .resolves({ SourceImageFace: sourceImageFace, FaceMatches: [faceMatch(98.7)], UnmatchedFaces: [] });

    const res = await provider.checkFaceMatch(input());

    expect(res).toMatchObject({
      check: 'faceMatch',
      provider: 'aws',
      outcome: 'pass',
      reasonCodes: [],
      scores: { similarity: 98.7, threshold: 90 },
    });
    expect(rekognitionMock).toHaveReceivedCommandWith(DetectFacesCommand, { Image: { Bytes: selfie.bytes } });
    expect(rekognitionMock).toHaveReceivedCommandWith(CompareFacesCommand, {
      SourceImage: { Bytes: selfie.bytes },
      TargetImage: { Bytes: portrait.bytes },
      SimilarityThreshold: 85, // 90 from the flow minus the 5-point review band
      QualityFilter: 'NONE',
    });
    expect(res.timings.map((t) => t.step)).toEqual([
      'rekognition:DetectFaces selfie',
      'rekognition:CompareFaces selfie-vs-document',
    ]);
  });

  it('derives SimilarityThreshold from the flow', async () => {
    const { provider, rekognitionMock } = mockedProvider({ options: { faceMatchReviewBand: 3 } });
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(96)] });
    const res = await provider.checkFaceMatch(
      input({ flow: { thresholds: { ...thresholds, faceMatchMinSimilarity: 97 } } }),
    );
    expect(rekognitionMock).toHaveReceivedCommandWith(CompareFacesCommand, { SimilarityThreshold: 94 });
    expect(res).toMatchObject({ outcome: 'inconclusive', reasonCodes: ['FACE_MATCH_INCONCLUSIVE'] });
  });

  it('sends S3Object for captures stored in S3', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(99)] });
    const s3Selfie: AwsImageInput = {
      ...selfie,
      s3: { bucket: 'kyc-captures', key: 'captures/vrf_1/1/selfie', version: 'v1' },
    };
    await provider.checkFaceMatch(input({ probe: s3Selfie }));
    expect(rekognitionMock).toHaveReceivedCommandWith(CompareFacesCommand, {
      SourceImage: { S3Object: { Bucket: 'kyc-captures', Name: 'captures/vrf_1/1/selfie', Version: 'v1' } },
      TargetImage: { Bytes: portrait.bytes },
    });
  });

  it('gives FACE_MATCH_INCONCLUSIVE inside the review band', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(87.2)], UnmatchedFaces: [] });
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({
      outcome: 'inconclusive',
      reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
      scores: { similarity: 87.2 },
    });
  });

  it('gives BAD_FACE_MATCHING when the document face is not similar enough', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock
      .on(CompareFacesCommand)
      .resolves({ SourceImageFace: sourceImageFace, FaceMatches: [], UnmatchedFaces: [unmatchedFace] });
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['BAD_FACE_MATCHING'], scores: { similarity: 0 } });
  });

  it('gives NO_FACE_ON_DOCUMENT when CompareFaces finds no face in the target (InvalidParameterException)', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock
      .on(CompareFacesCommand)
      .rejects(new InvalidParameterException({ message: 'Request has invalid parameters', $metadata: {} }));
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['NO_FACE_ON_DOCUMENT'] });
  });

  it('gives NO_FACE_ON_DOCUMENT when the reference shows no face', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock
      .on(CompareFacesCommand)
      .resolves({ SourceImageFace: sourceImageFace, FaceMatches: [], UnmatchedFaces: [] });
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['NO_FACE_ON_DOCUMENT'] });
  });

  it('gives NO_FACE_IN_SELFIE without calling CompareFaces', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [] });
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['NO_FACE_IN_SELFIE'] });
    expect(rekognitionMock).not.toHaveReceivedCommand(CompareFacesCommand);
  });

  it('gives MULTIPLE_FACES_IN_SELFIE for two confident faces, ignoring faces below minFaceConfidence', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail(), faceDetail({ confidence: 97 })] });
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({
      outcome: 'fail',
      reasonCodes: ['MULTIPLE_FACES_IN_SELFIE'],
      extracted: { selfieFaces: 2 },
    });

    rekognitionMock.reset();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail(), faceDetail({ confidence: 62 })] });
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(99)] });
    expect((await provider.checkFaceMatch(input())).outcome).toBe('pass');
  });

  it.each([
    ['blurred', { sharpness: 3.1 }],
    ['too dark', { brightness: 9.5 }],
  ])('asks for a retake (LIVENESS_INCONCLUSIVE) when the selfie is %s', async (_what, quality) => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail(quality)] });
    const res = await provider.checkFaceMatch(input());
    expect(res).toMatchObject({
      outcome: 'inconclusive',
      reasonCodes: ['LIVENESS_INCONCLUSIVE'],
      extracted: { qualityGate: 'failed' },
    });
    expect(rekognitionMock).not.toHaveReceivedCommand(CompareFacesCommand);
  });

  it('lets throttling propagate so the pipeline retries the step', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail()] });
    rekognitionMock.on(CompareFacesCommand).rejects(new ThrottlingException({ message: 'Slow down', $metadata: {} }));
    await expect(provider.checkFaceMatch(input())).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('has no portable face template: faces live in the Rekognition collection', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    await expect(provider.faceTemplate(selfie)).resolves.toBeNull();
    expect(rekognitionMock.calls()).toHaveLength(0);
  });
});
