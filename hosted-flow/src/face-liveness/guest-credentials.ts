import * as z from 'zod/mini';

/**
 * Guest (unauthenticated) AWS credentials from a Cognito identity pool, the way the browser signs the
 * Face Liveness video stream. Two calls of Cognito's JSON API over fetch (GetId, then
 * GetCredentialsForIdentity, the enhanced flow) instead of the Amplify Auth library: the page needs nothing
 * else from it. The identity pool's guest role may call only rekognition:StartFaceLivenessSession.
 */

/** Credentials in the shape the AWS SDK signer takes. */
export interface GuestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const getIdSchema = z.object({ IdentityId: z.string() });
const credentialsSchema = z.object({
  Credentials: z.object({
    AccessKeyId: z.string(),
    SecretKey: z.string(),
    SessionToken: z.string(),
    /** Epoch seconds. */
    Expiration: z.number(),
  }),
});

/** Renew this long before the credentials expire, so a stream never starts with credentials about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Cognito refused or could not be reached; `retryable` is false for a misconfigured pool. */
export class GuestCredentialsError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GuestCredentialsError';
  }
}

/**
 * A credential provider for one identity pool: the first call fetches, later calls reuse the credentials
 * until shortly before they expire. The identity id is kept for the page's lifetime only (never stored).
 */
export function guestCredentialProvider(
  region: string,
  identityPoolId: string,
  fetchImpl: typeof fetch = fetch,
): () => Promise<GuestCredentials> {
  const endpoint = `https://cognito-identity.${region}.amazonaws.com/`;
  let identityId: string | null = null;
  let cached: GuestCredentials | null = null;

  async function call<T>(target: string, body: unknown, schema: z.ZodMiniType<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityService.${target}`,
        },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new GuestCredentialsError(`${target}: network error`, true);
    }
    if (!response.ok) {
      // 4xx other than throttling means the pool or its guest role is misconfigured: retrying will not help.
      const retryable = response.status >= 500 || response.status === 429;
      throw new GuestCredentialsError(`${target}: HTTP ${response.status}`, retryable);
    }
    const parsed = schema.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new GuestCredentialsError(`${target}: unexpected response`, false);
    return parsed.data;
  }

  return async () => {
    if (cached && cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS) return cached;
    identityId ??= (await call('GetId', { IdentityPoolId: identityPoolId }, getIdSchema)).IdentityId;
    const { Credentials: c } = await call('GetCredentialsForIdentity', { IdentityId: identityId }, credentialsSchema);
    cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration * 1000),
    };
    return cached;
  };
}
