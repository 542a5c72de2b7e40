/**
 * Settings of the AWS runtime, read once per container from the Lambda environment the stack sets
 * (names in functions/adapters/aws/table-design.ts `AWS_ENV`). Validated with zod: a missing or
 * malformed variable fails the cold start with a message naming it, not a request later.
 */
import * as z from 'zod';
import type { AppConfig } from '../app/deps';
import { MAX_IMAGE_PIXELS } from '../domain/image-sniff';
import { AWS_ENV } from '../adapters/aws/table-design';

export interface AwsConfig extends AppConfig {
  runtime: 'aws';
  tableName: string;
  capturesBucket: string;
  capturesKeyArn: string;
  secretsKeyArn: string;
  identityMacKeyArn: string;
  webhookQueueUrl: string;
  pipelineStateMachineArn: string;
  faceCollectionId: string;
  retentionDays: number;
  stage: string;
}

/** Production retry schedule: 1 min, 5 min, 30 min (then dead-lettered), as in the local runtime. */
const DEFAULT_RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000];

const required = z.string().trim().min(1);
const commaList = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  [AWS_ENV.tableName]: required,
  [AWS_ENV.capturesBucket]: required,
  [AWS_ENV.capturesKeyArn]: required,
  [AWS_ENV.secretsKeyArn]: required,
  [AWS_ENV.identityMacKeyArn]: required,
  [AWS_ENV.webhookQueueUrl]: z.url(),
  [AWS_ENV.pipelineStateMachineArn]: required,
  [AWS_ENV.faceCollectionId]: required,
  [AWS_ENV.publicUrl]: z.url().transform((u) => u.replace(/\/+$/, '')),
  [AWS_ENV.webhookAllowHosts]: commaList,
  [AWS_ENV.webhookRetryDelaysMs]: commaList.pipe(
    z.array(z.string().regex(/^\d+$/, 'comma-separated milliseconds').transform(Number)),
  ),
  [AWS_ENV.retentionDays]: z.coerce.number().int().positive().default(30),
  [AWS_ENV.stage]: z.string().default('dev'),
  [AWS_ENV.faceLivenessIdentityPoolId]: z.string().trim().optional(),
  // Set by the Lambda runtime itself.
  AWS_REGION: z.string().trim().optional(),
});

/**
 * Builds the AWS runtime config from environment variables.
 * @throws Error listing every missing or invalid variable
 */
export function loadAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid AWS runtime environment: ${problems}`);
  }
  const e = parsed.data;
  const delays = e[AWS_ENV.webhookRetryDelaysMs];
  const identityPoolId = e[AWS_ENV.faceLivenessIdentityPoolId];
  return {
    runtime: 'aws',
    publicUrl: e[AWS_ENV.publicUrl],
    webhookAllowHosts: e[AWS_ENV.webhookAllowHosts],
    webhookRetryDelaysMs: delays.length > 0 ? delays : DEFAULT_RETRY_DELAYS_MS,
    webhookTimeoutMs: 8_000,
    // Deployed behind HTTPS only: no http:// localhost exceptions.
    allowHttpLocalhost: false,
    idempotencyTtlSeconds: 24 * 3600,
    uploadTtlSeconds: 900,
    maxUploadBytes: 10 * 1024 * 1024,
    maxUploadPixels: MAX_IMAGE_PIXELS,
    tableName: e[AWS_ENV.tableName],
    capturesBucket: e[AWS_ENV.capturesBucket],
    capturesKeyArn: e[AWS_ENV.capturesKeyArn],
    secretsKeyArn: e[AWS_ENV.secretsKeyArn],
    identityMacKeyArn: e[AWS_ENV.identityMacKeyArn],
    webhookQueueUrl: e[AWS_ENV.webhookQueueUrl],
    pipelineStateMachineArn: e[AWS_ENV.pipelineStateMachineArn],
    faceCollectionId: e[AWS_ENV.faceCollectionId],
    retentionDays: e[AWS_ENV.retentionDays],
    stage: e[AWS_ENV.stage],
    // Face Liveness needs both: the pool (browser credentials) and the region the session lives in.
    ...(identityPoolId && e.AWS_REGION ? { faceLiveness: { region: e.AWS_REGION, identityPoolId } } : {}),
  };
}
