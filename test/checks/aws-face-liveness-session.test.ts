import {
  CreateFaceLivenessSessionCommand,
  GetFaceLivenessSessionResultsCommand,
  type GetFaceLivenessSessionResultsCommandOutput,
  RekognitionClient,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { FaceLivenessNotReadyError, createFaceLivenessSessions } from '../../functions/checks/aws';
import { mockedProvider } from './aws-fixtures';

const SESSION_ID = '2f4d6c8e-1a3b-4c5d-9e7f-0a1b2c3d4e5f';
const referenceBytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

/** GetFaceLivenessSessionResults body as in the API reference (ReferenceImage/AuditImages with BoundingBox). */
function sessionResults(
  status: 'SUCCEEDED' | 'FAILED' | 'EXPIRED' | 'IN_PROGRESS' | 'CREATED',
  confidence?: number,
): Omit<GetFaceLivenessSessionResultsCommandOutput, '$metadata'> {
  return {
    SessionId: SESSION_ID,
    Status: status,
    ...(confidence !== undefined ? { Confidence: confidence } : {}),
    ReferenceImage: { Bytes: referenceBytes, BoundingBox: { Width: 0.4, Height: 0.5, Left: 0.3, Top: 0.2 } },
    AuditImages: [{ Bytes: referenceBytes, BoundingBox: { Width: 0.4, Height: 0.5, Left: 0.3, Top: 0.2 } }],
    Challenge: { Type: 'FaceMovementAndLightChallenge', Version: '1.0.0' },
  };
}

function sessions(minConfidence = 80) {
  const rekognition = new RekognitionClient({ region: 'eu-west-1' });
  const mock = mockClient(rekognition);
  return {
    mock,
    api: createFaceLivenessSessions(rekognition, {
      minConfidence,
      outputBucket: 'kyc-liveness',
      outputKeyPrefix: 'liveness/',
      kmsKeyId: 'alias/kyc',
      auditImagesLimit: 2,
    }),
  };
}

describe('Rekognition Face Liveness sessions', () => {
  it('creates a session with the idempotency token and output settings', async () => {
    const { mock, api } = sessions();
    mock.on(CreateFaceLivenessSessionCommand).resolves({ SessionId: SESSION_ID });
    await expect(api.createFaceLivenessSession({ clientRequestToken: 'vrf_abc-1' })).resolves.toEqual({
      sessionId: SESSION_ID,
    });
    expect(mock).toHaveReceivedCommandWith(CreateFaceLivenessSessionCommand, {
      ClientRequestToken: 'vrf_abc-1',
      KmsKeyId: 'alias/kyc',
      Settings: { AuditImagesLimit: 2, OutputConfig: { S3Bucket: 'kyc-liveness', S3KeyPrefix: 'liveness/' } },
    });
  });

  it('passes a SUCCEEDED session at or above the confidence threshold and returns the reference image', async () => {
    const { mock, api } = sessions(80);
    mock.on(GetFaceLivenessSessionResultsCommand).resolves(sessionResults('SUCCEEDED', 93.4));
    const { result, referenceImage } = await api.getFaceLivenessResult(SESSION_ID);
    expect(mock).toHaveReceivedCommandWith(GetFaceLivenessSessionResultsCommand, { SessionId: SESSION_ID });
    expect(result).toMatchObject({
      check: 'liveness',
      provider: 'aws',
      outcome: 'pass',
      reasonCodes: [],
      scores: { confidence: 93.4, threshold: 80 },
    });
    expect(result.extracted).toMatchObject({
      sessionId: SESSION_ID,
      status: 'SUCCEEDED',
      auditImages: 1,
      referenceImage: true,
    });
    expect(result.timings.map((t) => t.step)).toEqual(['rekognition:GetFaceLivenessSessionResults']);
    expect(referenceImage?.bytes.equals(Buffer.from(referenceBytes))).toBe(true);
  });

  it('fails a SUCCEEDED session below the threshold with LIVENESS_FAILED', async () => {
    const { mock, api } = sessions(80);
    mock.on(GetFaceLivenessSessionResultsCommand).resolves(sessionResults('SUCCEEDED', 41.2));
    const { result } = await api.getFaceLivenessResult(SESSION_ID);
    expect(result).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'], scores: { confidence: 41.2 } });
  });

  it('uses the configured threshold, not a fixed one', async () => {
    const { mock, api } = sessions(95);
    mock.on(GetFaceLivenessSessionResultsCommand).resolves(sessionResults('SUCCEEDED', 93.4));
    expect((await api.getFaceLivenessResult(SESSION_ID)).result.outcome).toBe('fail');
  });

  it.each(['FAILED', 'EXPIRED'] as const)('is LIVENESS_INCONCLUSIVE for a %s session', async (status) => {
    const { mock, api } = sessions();
    mock.on(GetFaceLivenessSessionResultsCommand).resolves(sessionResults(status));
    const { result } = await api.getFaceLivenessResult(SESSION_ID);
    expect(result).toMatchObject({ outcome: 'inconclusive', reasonCodes: ['LIVENESS_INCONCLUSIVE'] });
  });

  it.each(['CREATED', 'IN_PROGRESS'] as const)('throws a retryable error while the session is %s', async (status) => {
    const { mock, api } = sessions();
    mock.on(GetFaceLivenessSessionResultsCommand).resolves(sessionResults(status));
    await expect(api.getFaceLivenessResult(SESSION_ID)).rejects.toBeInstanceOf(FaceLivenessNotReadyError);
  });

  it('returns an S3 reference image when Rekognition wrote it to the output bucket', async () => {
    const { mock, api } = sessions();
    mock.on(GetFaceLivenessSessionResultsCommand).resolves({
      SessionId: SESSION_ID,
      Status: 'SUCCEEDED',
      Confidence: 99,
      ReferenceImage: { S3Object: { Bucket: 'kyc-liveness', Name: `liveness/${SESSION_ID}/reference.jpg` } },
    });
    const { referenceImage } = await api.getFaceLivenessResult(SESSION_ID);
    expect(referenceImage).toMatchObject({
      s3: { bucket: 'kyc-liveness', key: `liveness/${SESSION_ID}/reference.jpg` },
    });
    expect(referenceImage?.bytes.length).toBe(0);
  });

  it('rejects a malformed session id before calling Rekognition', async () => {
    const { mock, api } = sessions();
    await expect(api.getFaceLivenessResult('../../etc/passwd')).rejects.toThrow();
    expect(mock.calls()).toHaveLength(0);
  });

  it('lets throttling propagate', async () => {
    const { mock, api } = sessions();
    mock
      .on(GetFaceLivenessSessionResultsCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(api.getFaceLivenessResult(SESSION_ID)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it("is exposed on the provider with the provider's faceLiveness options", async () => {
    const { provider, rekognitionMock } = mockedProvider({ options: { faceLiveness: { minConfidence: 60 } } });
    rekognitionMock.on(CreateFaceLivenessSessionCommand).resolves({ SessionId: SESSION_ID });
    rekognitionMock.on(GetFaceLivenessSessionResultsCommand).resolves(sessionResults('SUCCEEDED', 65));
    await expect(provider.faceLivenessSessions.createFaceLivenessSession({})).resolves.toEqual({
      sessionId: SESSION_ID,
    });
    expect(rekognitionMock).toHaveReceivedCommandWith(CreateFaceLivenessSessionCommand, {
      Settings: { AuditImagesLimit: 0 },
    });
    expect((await provider.faceLivenessSessions.getFaceLivenessResult(SESSION_ID)).result.outcome).toBe('pass');
  });
});
