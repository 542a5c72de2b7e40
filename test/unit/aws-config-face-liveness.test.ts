import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { loadAwsConfig } from '../../functions/aws/config';

/** The AWS runtime offers Face Liveness sessions only when the stack passed the identity pool (and Lambda its region). */
const BASE = {
  [AWS_ENV.tableName]: 'kyc-table',
  [AWS_ENV.capturesBucket]: 'kyc-captures',
  [AWS_ENV.capturesKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/captures',
  [AWS_ENV.secretsKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
  [AWS_ENV.identityMacKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/identity-mac',
  [AWS_ENV.webhookQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/kyc-webhooks',
  [AWS_ENV.pipelineStateMachineArn]: 'arn:aws:states:eu-west-1:111122223333:stateMachine:kyc',
  [AWS_ENV.faceCollectionId]: 'kyc-dev-faces',
  [AWS_ENV.publicUrl]: 'https://kyc.example.com',
  AWS_REGION: 'eu-west-1',
};

describe('loadAwsConfig: Face Liveness', () => {
  it('reads the identity pool and region', () => {
    const config = loadAwsConfig({ ...BASE, [AWS_ENV.faceLivenessIdentityPoolId]: 'eu-west-1:pool-id' });
    expect(config.faceLiveness).toEqual({ region: 'eu-west-1', identityPoolId: 'eu-west-1:pool-id' });
  });

  it('leaves sessions unconfigured without the pool', () => {
    expect(loadAwsConfig(BASE).faceLiveness).toBeUndefined();
    expect(loadAwsConfig({ ...BASE, [AWS_ENV.faceLivenessIdentityPoolId]: '' }).faceLiveness).toBeUndefined();
  });
});
