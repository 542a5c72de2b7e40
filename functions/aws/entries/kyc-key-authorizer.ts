import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authenticateKey, toContext } from '../../app/auth';
import type { AppDeps } from '../../app/deps';

/** What resolving a key needs: the key store, hashing and the clock (lastUsedAt). */
export type KeyAuthorizerDeps = Pick<AppDeps, 'store' | 'crypto' | 'clock'>;

/** API Gateway turns this exact message into a 401 response. */
export const UNAUTHORIZED = 'Unauthorized';

/**
 * REQUEST authorizer for `kycKey` routes: resolves X-Api-Key with the same `authenticateKey` the local
 * server uses, and allows the whole API stage. API Gateway caches the answer per key for 60 s and reuses
 * it for every route, so the policy must not name only the route called first. Unknown, malformed or
 * revoked keys get 401 (thrown `Unauthorized`); the principal reaches the handler as authorizer context.
 */
export async function authorizeKycKey(
  deps: KeyAuthorizerDeps,
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  const principal = await authenticateKey(deps, headerValue(event.headers, 'x-api-key'));
  if (!principal) throw new Error(UNAUTHORIZED);
  return {
    principalId: principal.keyId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
    },
    context: toContext(principal),
  };
}

/** arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path> -> .../<apiId>/<stage>/* */
export function stageWildcard(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  if (!prefix || !stage) throw new Error(`unexpected methodArn: ${methodArn}`);
  return `${prefix}/${stage}/*`;
}

function headerValue(headers: APIGatewayRequestAuthorizerEvent['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v) return v;
  return undefined;
}
