/**
 * The applicant Lambda ships no native modules (arm64, no sharp). Opening a Face Liveness session there must
 * not load the AWS check provider, whose image normalisation requires sharp: here sharp cannot load at all,
 * as in that Lambda, and the session still opens.
 */
import { CreateFaceLivenessSessionCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { createAwsDeps, resetAwsRuntimeForTests } from '../../functions/aws/deps';

jest.mock('sharp', () => {
  throw new Error("Cannot find module 'sharp' (not shipped in this Lambda)");
});

const ENV = {
  [AWS_ENV.tableName]: 'kyc-table',
  [AWS_ENV.capturesBucket]: 'kyc-captures',
  [AWS_ENV.capturesKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/captures',
  [AWS_ENV.secretsKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
  [AWS_ENV.identityMacKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/identity-mac',
  [AWS_ENV.webhookQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/kyc-webhooks',
  [AWS_ENV.pipelineStateMachineArn]: 'arn:aws:states:eu-west-1:111122223333:stateMachine:kyc',
  [AWS_ENV.faceCollectionId]: 'kyc-dev-faces',
  [AWS_ENV.publicUrl]: 'https://kyc.example.com',
  [AWS_ENV.faceLivenessIdentityPoolId]: 'eu-west-1:pool-id',
  AWS_REGION: 'eu-west-1',
};

const rekognition = mockClient(RekognitionClient);
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
  // The whole provider would have failed here, as it did in the applicant Lambda.
  await expect(deps.checks()).rejects.toThrow('sharp');
});
