import { AWS_ENV } from '../../functions/adapters/aws/table-design';

/**
 * A complete, valid environment of the stack's Lambdas (the names the stack sets, values of a made-up
 * eu-west-1 deployment), for tests that load the AWS runtime's config. Override what a test is about.
 */
export function awsLambdaEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    [AWS_ENV.tableName]: 'kyc-table',
    [AWS_ENV.capturesBucket]: 'kyc-captures',
    [AWS_ENV.capturesKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/captures',
    [AWS_ENV.secretsKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
    [AWS_ENV.identityMacKeyArn]: 'arn:aws:kms:eu-west-1:111122223333:key/identity-mac',
    [AWS_ENV.webhookQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/kyc-webhooks',
    [AWS_ENV.pipelineStateMachineArn]: 'arn:aws:states:eu-west-1:111122223333:stateMachine:kyc',
    [AWS_ENV.faceCollectionId]: 'kyc-dev-faces',
    [AWS_ENV.publicUrl]: 'https://kyc.example.com',
    ...overrides,
  };
}
