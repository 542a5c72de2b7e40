import { createHash } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { AppDeps } from '../../functions/app/deps';
import { authorizeKycKey, stageWildcard, UNAUTHORIZED } from '../../functions/aws/entries/kyc-key-authorizer';
import type { KycKey } from '../../functions/domain/model';

const sha256Hex = (d: string) => createHash('sha256').update(d).digest('hex');
const API_KEY = `nextcap_kk_test_${'A'.repeat(40)}b-_`;
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:000000000000:abc123/dev/POST/api/v1/external/kyc/verifications';

function key(overrides: Partial<KycKey> = {}): KycKey {
  return {
    id: 'key_1',
    orgId: 'org_1',
    flowId: 'flow_1',
    mode: 'test',
    prefix: 'nextcap_kk_test_AAAAA',
    keyHash: sha256Hex(API_KEY),
    encryptedSecret: 'x',
    name: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

/** Only the ports authenticateKey touches: keys by hash, SHA-256, the clock. */
function deps(stored: KycKey | null) {
  const touched: string[] = [];
  const d = {
    store: {
      keys: {
        getByHash: async (hash: string) => (stored && stored.keyHash === hash ? stored : null),
        touch: async (orgId: string, id: string, at: string) => {
          touched.push(`${orgId}/${id}@${at}`);
        },
      },
    },
    crypto: { sha256Hex },
    clock: { now: () => new Date('2026-06-01T12:00:00.000Z') },
  } as unknown as AppDeps;
  return { d, touched };
}

const event = (headers: Record<string, string>) =>
  ({ type: 'REQUEST', methodArn: METHOD_ARN, headers }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('KYC-key REQUEST authorizer', () => {
  it('allows the whole stage for a valid key (the decision is cached across routes) and passes the principal', async () => {
    const { d, touched } = deps(key());
    const result = await authorizeKycKey(d, event({ 'X-Api-Key': API_KEY }));
    expect(result.principalId).toBe('key_1');
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:000000000000:abc123/dev/*',
      },
    ]);
    expect(result.context).toEqual({ orgId: 'org_1', keyId: 'key_1', mode: 'test', flowId: 'flow_1' });
    expect(touched).toEqual(['org_1/key_1@2026-06-01T12:00:00.000Z']);
  });

  it('reads the header case-insensitively and maps a legacy key without flow to an empty flowId', async () => {
    const { d } = deps(key({ flowId: null }));
    const result = await authorizeKycKey(d, event({ 'x-api-key': API_KEY }));
    expect(result.context?.flowId).toBe('');
  });

  it.each([
    ['missing header', {}, key()],
    ['malformed key', { 'X-Api-Key': 'sk_live_123' }, key()],
    ['unknown key', { 'X-Api-Key': API_KEY.replace('b-_', 'c-_') }, key()],
    ['revoked key', { 'X-Api-Key': API_KEY }, key({ revokedAt: '2026-05-01T00:00:00.000Z' })],
  ])('answers 401 (Unauthorized) for a %s', async (_label, headers, stored) => {
    const { d, touched } = deps(stored);
    await expect(authorizeKycKey(d, event(headers))).rejects.toThrow(UNAUTHORIZED);
    expect(touched).toEqual([]);
  });

  it('derives the stage wildcard from a method ARN', () => {
    expect(stageWildcard('arn:aws:execute-api:r:1:api/prod/GET/healthz')).toBe('arn:aws:execute-api:r:1:api/prod/*');
    expect(() => stageWildcard('nonsense')).toThrow();
  });
});
