import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createCognitoOperatorAccounts } from '../adapters/aws/cognito-operator-accounts';
import { errors } from '../domain/errors';
import type { OperatorAccounts } from '../ports/operator-accounts';

/** The environment variable naming the operators' user pool (stack output `KycOperatorsUserPoolId`). */
export const OPERATORS_USER_POOL_ENV = 'KYC_OPERATORS_USER_POOL_ID';

/**
 * Operator accounts of a deployed stack, for the admin CLI (`KYC_RUNTIME=aws npm run kyc -- operators ...`):
 * the Cognito user pool named by KYC_OPERATORS_USER_POOL_ID, with the caller's AWS credentials. No Lambda
 * uses this: the stack's functions have no Cognito admin permissions.
 */
export function createAwsOperatorAccounts(
  env: NodeJS.ProcessEnv = process.env,
  client: CognitoIdentityProviderClient = new CognitoIdentityProviderClient({}),
): OperatorAccounts {
  const poolId = env[OPERATORS_USER_POOL_ENV]?.trim();
  if (!poolId || !/^[\w-]+_[0-9a-zA-Z]+$/.test(poolId))
    throw errors.validation(
      [{ field: OPERATORS_USER_POOL_ENV, issue: poolId ? 'not a user pool id (region_id)' : 'required' }],
      `Set ${OPERATORS_USER_POOL_ENV} to the stack output KycOperatorsUserPoolId to manage operators on AWS.`,
    );
  return createCognitoOperatorAccounts(client, poolId);
}
