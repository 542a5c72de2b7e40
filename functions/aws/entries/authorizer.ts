import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createDocumentClient, createDynamoStore } from '../../adapters/aws/dynamodb-store';
import { nodeCrypto } from '../../adapters/node/node-crypto';
import { systemClock } from '../../ports/clock';
import { loadAwsConfig } from '../config';
import { authorizeKycKey, type KeyAuthorizerDeps } from './kyc-key-authorizer';

// Only what a key lookup needs (the DynamoDB store), not createAwsDeps(): the S3, SQS, Step Functions, KMS,
// Rekognition and Textract clients would add their load time to every authorizer cold start.
const config = loadAwsConfig();
const deps: KeyAuthorizerDeps = {
  store: createDynamoStore(createDocumentClient(), config.tableName),
  crypto: nodeCrypto,
  clock: systemClock,
};

/** Lambda entry: REQUEST authorizer for `kycKey` routes (identity source X-Api-Key, cached 60 s). */
export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
  authorizeKycKey(deps, event);
