import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAwsDeps } from '../deps';
import { authorizeKycKey } from './kyc-key-authorizer';

const deps = createAwsDeps();

/** Lambda entry: REQUEST authorizer for `kycKey` routes (identity source X-Api-Key, cached 300 s). */
export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => authorizeKycKey(deps, event);
