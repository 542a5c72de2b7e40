import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { loadAwsConfig } from '../../functions/aws/config';
import { awsLambdaEnv } from '../support/aws-env';

/** The AWS runtime offers Face Liveness sessions only when the stack passed the identity pool (and Lambda its region). */
const BASE = awsLambdaEnv({ AWS_REGION: 'eu-west-1' });

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
