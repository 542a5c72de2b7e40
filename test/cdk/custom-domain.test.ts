import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { logicalId, resources } from './template-helpers';
import { synthKycStack } from './synth';

const certificateArn = 'arn:aws:acm:us-east-1:000000000000:certificate/12345678-aaaa-bbbb-cccc-1234567890ab';
const { stack, template } = synthKycStack({ stage: 'prod', domainName: 'verify.example.com', certificateArn });

describe('custom domain', () => {
  it('serves the distribution on the domain with the given certificate and TLS 1.2+', () => {
    const [, distribution] = Object.entries(resources(template, 'AWS::CloudFront::Distribution'))[0]!;
    const config = (distribution.Properties as Record<string, any>).DistributionConfig;
    expect(config.Aliases).toEqual(['verify.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('uses the domain as PUBLIC_URL and as the only upload CORS origin', () => {
    for (const fn of stack.kycFunctions()) {
      const env = (resources(template)[logicalId(fn)]!.Properties as Record<string, any>).Environment.Variables;
      expect(env[AWS_ENV.publicUrl]).toBe('https://verify.example.com');
    }
    const bucket = resources(template)[logicalId(stack.captures.bucket)]!.Properties as Record<string, any>;
    expect(bucket.CorsConfiguration.CorsRules[0].AllowedOrigins).toEqual(['https://verify.example.com']);
  });

  it('names stage-scoped resources after the stage and protects the prod table from deletion', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'kyc-prod-pipeline' });
    const [, table] = Object.entries(resources(template, 'AWS::DynamoDB::GlobalTable'))[0]!;
    expect((table.Properties as Record<string, any>).Replicas[0].DeletionProtectionEnabled).toBe(true);
  });
});
