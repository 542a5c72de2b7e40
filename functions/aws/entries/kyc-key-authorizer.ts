import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { KeyRepository } from '../../ports/persistence';

/** Values the authorizer hands to the integrator Lambda (`event.requestContext.authorizer`). */
export interface KycKeyContext {
  orgId: string;
  keyId: string;
  mode: 'live' | 'test';
  /** Empty string for legacy keys without a bound flow (authorizer context values cannot be null). */
  flowId: string;
}

export interface AuthorizerDeps {
  keys: Pick<KeyRepository, 'getByHash' | 'touch'>;
  sha256Hex(data: string): string;
  now(): string;
}

/** API Gateway turns this exact message into a 401 response. */
export const UNAUTHORIZED = 'Unauthorized';
const KEY_PATTERN = /^nextcap_kk_[A-Za-z0-9_-]{16,200}$/;

/**
 * REQUEST authorizer for `kycKey` routes. Looks the X-Api-Key up by its SHA-256 (the key itself is never
 * stored) and allows the whole API stage: API Gateway caches the answer per key for 300 s and reuses it
 * for every route, so the policy must not name only the first route called. Unknown, malformed or
 * revoked keys get 401 (thrown `Unauthorized`).
 */
export async function authorizeKycKey(deps: AuthorizerDeps, event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const apiKey = headerValue(event.headers, 'x-api-key');
  if (!apiKey || !KEY_PATTERN.test(apiKey)) throw new Error(UNAUTHORIZED);
  const key = await deps.keys.getByHash(deps.sha256Hex(apiKey));
  if (!key || key.revokedAt !== null) throw new Error(UNAUTHORIZED);
  // lastUsedAt is informational: a failed write must not refuse a valid key.
  await deps.keys.touch(key.orgId, key.id, deps.now()).catch(() => undefined);
  const context: KycKeyContext = { orgId: key.orgId, keyId: key.id, mode: key.mode, flowId: key.flowId ?? '' };
  return {
    principalId: key.id,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
    },
    context: { ...context },
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
