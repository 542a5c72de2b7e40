/**
 * Only the pipeline task ships sharp. The applicant Lambda (Face Liveness sessions), the integrator Lambda
 * (redact) and the sweeper (retention purge) ship no native modules: here sharp cannot load at all, as in
 * those Lambdas, and what they do still works.
 */
import {
  CreateFaceLivenessSessionCommand,
  DeleteFacesCommand,
  ListFacesCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { createAwsDeps, resetAwsRuntimeForTests } from '../../functions/aws/deps';
import { awsLambdaEnv } from '../support/aws-env';

jest.mock('sharp', () => {
  throw new Error("Cannot find module 'sharp' (not shipped in this Lambda)");
});

const ENV = awsLambdaEnv({ [AWS_ENV.faceLivenessIdentityPoolId]: 'eu-west-1:pool-id', AWS_REGION: 'eu-west-1' });

const rekognition = mockClient(RekognitionClient);
beforeEach(() => rekognition.reset());
afterAll(() => {
  rekognition.restore();
  resetAwsRuntimeForTests();
});

it('opens a Face Liveness session without loading the check provider (sharp)', async () => {
  resetAwsRuntimeForTests();
  const deps = createAwsDeps(ENV);
  rekognition.on(CreateFaceLivenessSessionCommand).resolves({ SessionId: 'sess-1' });

  const sessions = await deps.faceLivenessSessions!();
  await expect(sessions!.createFaceLivenessSession({})).resolves.toEqual({ sessionId: 'sess-1' });
  expect(rekognition.commandCalls(CreateFaceLivenessSessionCommand)[0]!.args[0].input).toMatchObject({
    Settings: { AuditImagesLimit: 0 },
  });
});

it('loads the check provider and erases indexed faces (redact, retention purge) without sharp', async () => {
  expect(() => require('sharp')).toThrow('not shipped');
  resetAwsRuntimeForTests();
  const deps = createAwsDeps(ENV);
  rekognition.on(DeleteFacesCommand).callsFake((input: { FaceIds: string[] }) => ({ DeletedFaces: input.FaceIds }));
  rekognition.on(ListFacesCommand).resolves({
    Faces: [
      { FaceId: 'face-1', ExternalImageId: 'ver_a' },
      { FaceId: 'face-2', ExternalImageId: 'ver_b' },
    ],
  });

  const faceIndex = (await deps.checks()).faceIndex!;
  await expect(faceIndex.deleteFaces('org_1', { faceIds: ['face-9'] })).resolves.toBe(1);
  await expect(faceIndex.deleteFaces('org_1', { verificationId: 'ver_a' })).resolves.toBe(1);
  expect(rekognition.commandCalls(DeleteFacesCommand).map((c) => c.args[0].input.FaceIds)).toEqual([
    ['face-9'],
    ['face-1'],
  ]);
});
