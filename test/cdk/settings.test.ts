import { kycSettingsSchema, settingsFromContext } from '../../lib/settings';

describe('deployment settings', () => {
  it('defaults to an offline-synthesizable dev stage', () => {
    expect(settingsFromContext(() => undefined)).toMatchObject({
      stage: 'dev',
      account: '000000000000',
      region: 'eu-west-1',
      retentionDays: 30,
      webhookRetryDelaysSeconds: [60, 300, 1800],
      webhookAllowHosts: [],
      logLevel: 'INFO',
    });
  });

  it('reads context strings (as given with -c) and converts them', () => {
    const context: Record<string, string> = {
      stage: 'prod',
      retentionDays: '90',
      webhookAllowHosts: 'a.example.com, b.example.com',
      webhookRetryDelaysSeconds: '10,20',
      alarmEmail: 'ops@example.com',
      logLevel: 'DEBUG',
    };
    expect(settingsFromContext((k) => context[k])).toMatchObject({
      stage: 'prod',
      retentionDays: 90,
      webhookAllowHosts: ['a.example.com', 'b.example.com'],
      webhookRetryDelaysSeconds: [10, 20],
      alarmEmail: 'ops@example.com',
      logLevel: 'DEBUG',
    });
  });

  it('rejects settings that would break resource names or CloudFront', () => {
    expect(() => kycSettingsSchema.parse({ stage: 'Prod_1' })).toThrow();
    expect(() => kycSettingsSchema.parse({ domainName: 'verify.example.com' })).toThrow(/go together/);
    expect(() =>
      kycSettingsSchema.parse({
        domainName: 'verify.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:000000000000:certificate/abc',
      }),
    ).toThrow();
    expect(() => kycSettingsSchema.parse({ logRetentionDays: 31 })).toThrow(/retention/);
  });
});
