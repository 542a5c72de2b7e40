import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fastApp, synthKycStack } from './synth';

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the KYC stack (synth would throw)', () => {
    const { app } = synthKycStack({}, { nag: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('is really enforced: an unencrypted queue without a DLQ fails synthesis', () => {
    // Proves the check above can fail: same plugin, one non-compliant resource.
    const app = fastApp();
    const stack = new Stack(app, 'bad', { env: { account: '000000000000', region: 'eu-west-1' } });
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
