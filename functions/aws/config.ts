/**
 * Settings of the AWS runtime, read once per container from the Lambda environment the stack sets
 * (names in functions/adapters/aws/table-design.ts `AWS_ENV`). Validated with zod: a missing or
 * malformed variable fails the cold start with a message naming it, not a request later.
 */
import { CONFIG_DEFAULTS, envVar, parseEnv } from '../app/config-env';
import type { AppConfig } from '../app/deps';
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
}

/** The AWS runtime's variables; the shared defaults come from CONFIG_DEFAULTS. */
const awsEnv = {
  [AWS_ENV.tableName]: envVar.required(),
  [AWS_ENV.capturesBucket]: envVar.required(),
  [AWS_ENV.capturesKeyArn]: envVar.required(),
  [AWS_ENV.secretsKeyArn]: envVar.required(),
  [AWS_ENV.identityMacKeyArn]: envVar.required(),
  [AWS_ENV.webhookQueueUrl]: envVar.url(),
  [AWS_ENV.pipelineStateMachineArn]: envVar.required(),
  [AWS_ENV.faceCollectionId]: envVar.required(),
  [AWS_ENV.publicUrl]: envVar.url(),
  [AWS_ENV.webhookAllowHosts]: envVar.list(),
  [AWS_ENV.webhookRetryDelaysMs]: envVar.millisList(CONFIG_DEFAULTS.webhookRetryDelaysMs),
  [AWS_ENV.faceLivenessIdentityPoolId]: envVar.optionalText(),
  // Set by the Lambda runtime itself.
  AWS_REGION: envVar.optionalText(),
};

/**
 * Builds the AWS runtime config from environment variables.
 * @throws Error listing every missing or invalid variable
 */
export function loadAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const e = parseEnv(awsEnv, env, 'AWS runtime');
  const identityPoolId = e[AWS_ENV.faceLivenessIdentityPoolId];
  return {
    ...CONFIG_DEFAULTS,
    runtime: 'aws',
    publicUrl: e[AWS_ENV.publicUrl],
    webhookAllowHosts: e[AWS_ENV.webhookAllowHosts],
    webhookRetryDelaysMs: e[AWS_ENV.webhookRetryDelaysMs],
    // Deployed behind HTTPS only: no http:// localhost exceptions.
    allowHttpLocalhost: false,
    tableName: e[AWS_ENV.tableName],
    capturesBucket: e[AWS_ENV.capturesBucket],
    capturesKeyArn: e[AWS_ENV.capturesKeyArn],
    secretsKeyArn: e[AWS_ENV.secretsKeyArn],
    identityMacKeyArn: e[AWS_ENV.identityMacKeyArn],
    webhookQueueUrl: e[AWS_ENV.webhookQueueUrl],
    pipelineStateMachineArn: e[AWS_ENV.pipelineStateMachineArn],
    faceCollectionId: e[AWS_ENV.faceCollectionId],
    // Face Liveness needs both: the pool (browser credentials) and the region the session lives in.
    ...(identityPoolId && e.AWS_REGION ? { faceLiveness: { region: e.AWS_REGION, identityPoolId } } : {}),
  };
}

/**
 * The public URL alone, for the entry that serves only public routes (OpenAPI document, health probe) and
 * so needs none of the other settings.
 * @throws Error if PUBLIC_URL is missing or not an http(s) URL
 */
export function loadAwsPublicUrl(env: NodeJS.ProcessEnv = process.env): string {
  return parseEnv({ [AWS_ENV.publicUrl]: envVar.url() }, env, 'AWS runtime')[AWS_ENV.publicUrl];
}
