import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { CONFIG_DEFAULTS } from '../../functions/app/config-env';
import { loadAwsConfig, loadAwsPublicUrl } from '../../functions/aws/config';
import { cliRuntime, loadLocalConfig } from '../../functions/local/config';
import { awsLambdaEnv } from '../support/aws-env';

/** The two runtime loaders parse with the same helpers and share one defaults table. */
const AWS_BASE = awsLambdaEnv({ [AWS_ENV.publicUrl]: 'https://kyc.example.com//' });

describe('configuration loaders', () => {
  it('default the shared settings alike on both runtimes', () => {
    const local = loadLocalConfig({}, '/srv/kyc');
    const aws = loadAwsConfig(AWS_BASE);
    for (const [name, value] of Object.entries(CONFIG_DEFAULTS)) {
      expect(local).toHaveProperty([name], value);
      expect(aws).toHaveProperty([name], value);
    }
    expect(local.webhookRetryDelaysMs).toEqual([60_000, 300_000, 1_800_000]);
  });

  it('local: defaults, and every variable read', () => {
    expect(loadLocalConfig({}, '/srv/kyc')).toMatchObject({
      runtime: 'local',
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      dataDir: '/srv/kyc/.kyc-data',
      frameAncestors: "'none'",
      webhookAllowHosts: [],
      sweepIntervalSeconds: 60,
      webhookConcurrency: 8,
      pipelineConcurrency: 2,
      warmModels: true,
      allowHttpLocalhost: true,
    });
    expect(loadLocalConfig({}).adminEmail).toBeUndefined();
    const config = loadLocalConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        PUBLIC_URL: 'https://kyc.example.com/',
        KYC_DATA_DIR: '/var/kyc',
        KYC_FRAME_ANCESTORS: 'https://shop.example.com',
        KYC_WEBHOOK_ALLOW_HOSTS: ' localhost, ,127.0.0.1',
        KYC_WEBHOOK_RETRY_DELAYS_MS: '10,20',
        KYC_WEBHOOK_TIMEOUT_MS: '500',
        KYC_UPLOAD_TTL_SECONDS: '60',
        KYC_SWEEP_INTERVAL_SECONDS: '5',
        KYC_WEBHOOK_CONCURRENCY: '2',
        KYC_PIPELINE_CONCURRENCY: '3',
        KYC_WARM_MODELS: '0',
        KYC_ADMIN_EMAIL: 'ops@example.com',
      },
      '/srv/kyc',
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://kyc.example.com',
      dataDir: '/var/kyc',
      frameAncestors: 'https://shop.example.com',
      webhookAllowHosts: ['localhost', '127.0.0.1'],
      webhookRetryDelaysMs: [10, 20],
      webhookTimeoutMs: 500,
      uploadTtlSeconds: 60,
      sweepIntervalSeconds: 5,
      webhookConcurrency: 2,
      pipelineConcurrency: 3,
      warmModels: false,
      adminEmail: 'ops@example.com',
    });
  });

  it('local: an empty variable takes its default', () => {
    expect(loadLocalConfig({ PORT: '', KYC_WEBHOOK_RETRY_DELAYS_MS: '', KYC_WARM_MODELS: '' })).toMatchObject({
      port: 3000,
      webhookRetryDelaysMs: CONFIG_DEFAULTS.webhookRetryDelaysMs,
      warmModels: true,
    });
  });

  it('local: names every malformed variable', () => {
    const load = () =>
      loadLocalConfig({
        PORT: '-1',
        PUBLIC_URL: 'kyc.example.com',
        KYC_WEBHOOK_RETRY_DELAYS_MS: '1000,soon',
        KYC_WARM_MODELS: 'maybe',
      });
    expect(load).toThrow(/^invalid local environment: /);
    expect(load).toThrow(/PORT: must be a non-negative integer/);
    expect(load).toThrow(/PUBLIC_URL/);
    expect(load).toThrow(/KYC_WEBHOOK_RETRY_DELAYS_MS.*milliseconds/);
    expect(load).toThrow(/KYC_WARM_MODELS: must be 0 or 1/);
  });

  it('AWS: strips the public URL and reads only what the functions use', () => {
    const config = loadAwsConfig(AWS_BASE);
    expect(config.publicUrl).toBe('https://kyc.example.com');
    expect(config).not.toHaveProperty('retentionDays');
    expect(config).not.toHaveProperty('stage');
    expect(loadAwsPublicUrl(AWS_BASE)).toBe('https://kyc.example.com');
    expect(() => loadAwsPublicUrl({})).toThrow(/PUBLIC_URL/);
  });

  it('CLI: KYC_RUNTIME picks the deployment, local by default', () => {
    expect(cliRuntime({})).toBe('local');
    expect(cliRuntime({ KYC_RUNTIME: '' })).toBe('local');
    expect(cliRuntime({ KYC_RUNTIME: 'aws' })).toBe('aws');
    expect(() => cliRuntime({ KYC_RUNTIME: 'gcp' })).toThrow(/KYC_RUNTIME: must be one of local, aws/);
  });
});
