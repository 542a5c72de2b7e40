import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  InvalidParameterException,
  ListFacesCommand,
  ResourceNotFoundException,
  SearchFacesByImageCommand,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import 'aws-sdk-client-mock-jest';
import type { AwsImageInput } from '../../functions/checks/aws';
import { faceDetail, mockedProvider, testImage } from './aws-fixtures';

const selfie = { bytes: testImage('faces/london_042_smiling.jpg'), label: 'selfie' };
const COLLECTION = 'kyc-faces-org_1';

/** IndexFaces body as in the API reference: FaceRecords[{ Face, FaceDetail }], FaceModelVersion, UnindexedFaces. */
const indexed = (faceId: string) => ({
  FaceModelVersion: '7.0',
  FaceRecords: [
    {
      Face: {
        FaceId: faceId,
        ExternalImageId: 'vrf_1',
        ImageId: 'img-1',
        Confidence: 99.9,
        BoundingBox: { Width: 0.3, Height: 0.4, Left: 0.3, Top: 0.2 },
      },
      FaceDetail: faceDetail(),
    },
  ],
  UnindexedFaces: [],
});
const match = (verificationId: string, faceId: string, similarity: number) => ({
  Similarity: similarity,
  Face: {
    FaceId: faceId,
    ExternalImageId: verificationId,
    ImageId: `img-${faceId}`,
    Confidence: 99.8,
    BoundingBox: { Width: 0.3, Height: 0.4, Left: 0.3, Top: 0.2 },
  },
});

describe('AWS duplicate-face collection (one collection per organisation)', () => {
  it('indexes the largest face with ExternalImageId = verificationId, MaxFaces 1, QualityFilter AUTO', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(IndexFacesCommand).resolves(indexed('face-1'));
    await expect(provider.faceIndex.indexFace('org_1', 'vrf_1', selfie)).resolves.toEqual({ faceId: 'face-1' });
    expect(rekognitionMock).toHaveReceivedCommandWith(IndexFacesCommand, {
      CollectionId: COLLECTION,
      Image: { Bytes: selfie.bytes },
      ExternalImageId: 'vrf_1',
      MaxFaces: 1,
      QualityFilter: 'AUTO',
    });
    expect(rekognitionMock).not.toHaveReceivedCommand(CreateCollectionCommand);
  });

  it('creates the org collection on first use and retries the index', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock
      .on(IndexFacesCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'collection not found', $metadata: {} }))
      .resolves(indexed('face-2'));
    rekognitionMock.on(CreateCollectionCommand).resolves({
      StatusCode: 200,
      CollectionArn: `aws:rekognition:us-east-1:123456789012:collection/${COLLECTION}`,
      FaceModelVersion: '7.0',
    });
    await expect(provider.faceIndex.indexFace('org_1', 'vrf_1', selfie)).resolves.toEqual({ faceId: 'face-2' });
    expect(rekognitionMock).toHaveReceivedCommandWith(CreateCollectionCommand, { CollectionId: COLLECTION });
    expect(rekognitionMock).toHaveReceivedCommandTimes(IndexFacesCommand, 2);
  });

  it('resolves null when the quality filter indexed no face', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(IndexFacesCommand).resolves({
      FaceRecords: [],
      UnindexedFaces: [{ Reasons: ['LOW_SHARPNESS'], FaceDetail: faceDetail({ sharpness: 2 }) }],
    });
    await expect(provider.faceIndex.indexFace('org_1', 'vrf_1', selfie)).resolves.toEqual({ faceId: null });
  });

  it('searches the org collection with FaceMatchThreshold and returns other verifications, best first, once each', async () => {
    const { provider, rekognitionMock } = mockedProvider({ options: { duplicateMinSimilarity: 97 } });
    rekognitionMock.on(SearchFacesByImageCommand).resolves({
      SearchedFaceBoundingBox: { Width: 0.3, Height: 0.4, Left: 0.3, Top: 0.2 },
      SearchedFaceConfidence: 99.9,
      FaceMatches: [
        match('vrf_self', 'f0', 99.9),
        match('vrf_a', 'f1', 98.1),
        match('vrf_b', 'f2', 99.2),
        match('vrf_a', 'f3', 99.5),
      ],
      FaceModelVersion: '7.0',
    });
    const found = await provider.faceIndex.searchDuplicates('org_1', selfie, { excludeVerificationId: 'vrf_self' });
    expect(found).toEqual([
      { verificationId: 'vrf_a', faceId: 'f3', similarity: 99.5 },
      { verificationId: 'vrf_b', faceId: 'f2', similarity: 99.2 },
    ]);
    expect(rekognitionMock).toHaveReceivedCommandWith(SearchFacesByImageCommand, {
      CollectionId: COLLECTION,
      Image: { Bytes: selfie.bytes },
      FaceMatchThreshold: 97,
      MaxFaces: 10,
    });
  });

  it('searches by S3 location when the capture has one', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(SearchFacesByImageCommand).resolves({ FaceMatches: [] });
    const s3Selfie: AwsImageInput = { ...selfie, s3: { bucket: 'kyc-captures', key: 'captures/vrf_1/1/selfie' } };
    await provider.faceIndex.searchDuplicates('org_1', s3Selfie);
    expect(rekognitionMock).toHaveReceivedCommandWith(SearchFacesByImageCommand, {
      Image: { S3Object: { Bucket: 'kyc-captures', Name: 'captures/vrf_1/1/selfie' } },
    });
  });

  it.each([
    ['no collection yet', new ResourceNotFoundException({ message: 'not found', $metadata: {} })],
    [
      'no face in the image',
      new InvalidParameterException({ message: 'There are no faces in the image', $metadata: {} }),
    ],
  ])('finds nothing when there is %s', async (_why, error) => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(SearchFacesByImageCommand).rejects(error);
    await expect(provider.faceIndex.searchDuplicates('org_1', selfie)).resolves.toEqual([]);
  });

  it('lets throttling propagate', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock
      .on(SearchFacesByImageCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(provider.faceIndex.searchDuplicates('org_1', selfie)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });

  it('deletes faces by id for retention', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock.on(DeleteFacesCommand).resolves({ DeletedFaces: ['f1', 'f2'] });
    await expect(provider.faceIndex.deleteFaces('org_1', { faceIds: ['f1', 'f2'] })).resolves.toBe(2);
    expect(rekognitionMock).toHaveReceivedCommandWith(DeleteFacesCommand, {
      CollectionId: COLLECTION,
      FaceIds: ['f1', 'f2'],
    });
  });

  it("finds a verification's faces across ListFaces pages when only its id is known", async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock
      .on(ListFacesCommand)
      .resolvesOnce({
        Faces: [
          { FaceId: 'f1', ExternalImageId: 'vrf_old' },
          { FaceId: 'f2', ExternalImageId: 'vrf_keep' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({ Faces: [{ FaceId: 'f3', ExternalImageId: 'vrf_old' }] });
    rekognitionMock.on(DeleteFacesCommand).resolves({ DeletedFaces: ['f1', 'f3'] });
    await expect(provider.faceIndex.deleteFaces('org_1', { verificationId: 'vrf_old' })).resolves.toBe(2);
    expect(rekognitionMock).toHaveReceivedNthSpecificCommandWith(2, ListFacesCommand, {
      CollectionId: COLLECTION,
      NextToken: 'page-2',
    });
    expect(rekognitionMock).toHaveReceivedCommandWith(DeleteFacesCommand, { FaceIds: ['f1', 'f3'] });
  });

  it('deletes nothing when the collection is already gone', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock
      .on(ListFacesCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(provider.faceIndex.deleteFaces('org_1', { verificationId: 'vrf_old' })).resolves.toBe(0);
  });
});
