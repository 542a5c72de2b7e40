/**
 * Captures larger than a Lambda response on AWS: the admin handler, as the AWS entry configures it (Cognito
 * claims, an inline limit, signed read links), answers 303 to a 60-second link issued only after the
 * operator's auth, role, organisation and the capture's integrity were checked; small captures stay inline.
 * The S3 adapter's link itself: a SigV4 presigned GET on the bucket's virtual-hosted origin.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Context } from 'aws-lambda';
import { S3BlobStore } from '../../functions/adapters/aws/s3-blob-store';
import { CAPTURE_LINK_SECONDS } from '../../functions/app/admin-console';
import { createAdminHandler, LAMBDA_INLINE_CAPTURE_BYTES } from '../../functions/handlers/admin';
import type { BlobReadLinks } from '../../functions/ports/blobs';
import { api, startTestServer, type TestServer } from '../support/local-server';

const INTEGRATOR = '/api/v1/external/kyc';
const CAPTURE_ROUTE = '/api/v1/admin/verifications/{id}/captures/{captureId}';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.stop());

/** A review case with one uploaded selfie of `size` bytes (the digest the checks validated). */
let captures = 0;
async function caseWithSelfie(size: number): Promise<{ id: string; captureId: string; bytes: Buffer }> {
  captures += 1;
  const captureId = `cap_large${captures}`;
  const { key } = await srv.mintKey('test');
  const v = await api(srv.baseUrl, 'POST', `${INTEGRATOR}/verifications`, { key, body: {} });
  const id = v.json.data.id as string;
  const deps = srv.app.runtime.deps;
  const bytes = Buffer.alloc(size, 7);
  const blobKey = `captures/${id}/1/selfie.jpg`;
  await deps.blobs.put(blobKey, bytes, 'image/jpeg');
  const now = new Date().toISOString();
  await deps.store.captures.create({
    id: captureId,
    verificationId: id,
    attempt: 1,
    kind: 'selfie',
    index: 0,
    blobKey,
    contentType: 'image/jpeg',
    bytes: size,
    width: 10,
    height: 10,
    status: 'uploaded',
    sha256: deps.crypto.sha256Hex(bytes),
    uploadExpiresAt: now,
    createdAt: now,
  });
  return { id, captureId, bytes };
}

/** A GET of the capture route as API Gateway passes it after the Cognito authorizer (claims of the ID token). */
function captureEvent(
  id: string,
  captureId: string,
  claims: Record<string, unknown> | null,
  query: Record<string, string> | null = null,
): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    resource: CAPTURE_ROUTE,
    path: `/api/v1/admin/verifications/${id}/captures/${captureId}`,
    pathParameters: { id, captureId },
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    headers: {},
    multiValueHeaders: {},
    body: null,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: { authorizer: claims ? { claims } : null, identity: { sourceIp: '203.0.113.9' } },
  } as unknown as APIGatewayProxyEvent;
}

const claimsOf = (orgId: string, groups = 'reviewer') => ({
  sub: '6f1c2d3e-0000-4000-8000-000000000001',
  email: 'reviewer@example.com',
  'cognito:groups': groups,
  'custom:orgId': orgId,
  exp: String(Math.floor(Date.now() / 1000) + 3600),
});

/** Records each link request instead of signing (the S3 adapter is tested on its own below). */
function recordingLinks(): BlobReadLinks & {
  calls: Array<{ key: string; expiresSeconds: number; contentType: string }>;
} {
  const calls: Array<{ key: string; expiresSeconds: number; contentType: string }> = [];
  return {
    calls,
    async readLink(key, opts) {
      calls.push({ key, ...opts });
      return `https://captures.example/${key}?X-Amz-Expires=${opts.expiresSeconds}&X-Amz-Signature=sig`;
    },
  };
}

async function invoke(
  handler: ReturnType<typeof createAdminHandler>,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  return (await handler(event, { awsRequestId: 'test' } as Context)) as APIGatewayProxyResult;
}

describe('large captures on AWS (303 to a short-lived signed link)', () => {
  it('answers 303 to a 60-second link for a capture over the inline limit, audited; the bytes never pass the Lambda', async () => {
    const { id, captureId } = await caseWithSelfie(2048);
    const links = recordingLinks();
    const handler = createAdminHandler({ ...srv.app.runtime.deps, blobLinks: links }, { maxInlineCaptureBytes: 1024 });
    const res = await invoke(handler, captureEvent(id, captureId, claimsOf(srv.org.id)));
    expect(res.statusCode).toBe(303);
    expect(res.headers?.Location).toBe(
      `https://captures.example/captures/${id}/1/selfie.jpg?X-Amz-Expires=60&X-Amz-Signature=sig`,
    );
    expect(res.headers?.['Cache-Control']).toContain('no-store');
    expect(res.body).toBe('');
    expect(CAPTURE_LINK_SECONDS).toBe(60);
    expect(links.calls).toEqual([
      { key: `captures/${id}/1/selfie.jpg`, expiresSeconds: 60, contentType: 'image/jpeg' },
    ]);
    const trail = await srv.app.runtime.deps.store.audit.listByVerification(id);
    expect(trail.at(-1)).toMatchObject({
      type: 'capture.viewed',
      actor: 'operator:reviewer@example.com',
    });
    expect(JSON.stringify(trail.at(-1))).toContain('signed_link');
  });

  it('delivery=link (the dashboard): the same link as JSON, so the browser fetches it with no Authorization', async () => {
    const { id, captureId } = await caseWithSelfie(2048);
    const links = recordingLinks();
    const handler = createAdminHandler({ ...srv.app.runtime.deps, blobLinks: links }, { maxInlineCaptureBytes: 1024 });
    const res = await invoke(handler, captureEvent(id, captureId, claimsOf(srv.org.id), { delivery: 'link' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/json/);
    expect(res.headers?.['Cache-Control']).toContain('no-store');
    expect(res.headers?.Location).toBeUndefined();
    const body = JSON.parse(res.body) as { data: { url: string; contentType: string; expiresAt: string } };
    expect(body.data).toEqual({
      url: `https://captures.example/captures/${id}/1/selfie.jpg?X-Amz-Expires=60&X-Amz-Signature=sig`,
      contentType: 'image/jpeg',
      expiresAt: expect.any(String),
    });
    const ttl = Date.parse(body.data.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(links.calls).toHaveLength(1);
    // Small captures stay bytes whatever the delivery; an unknown delivery is a 400 naming the parameter.
    const small = await caseWithSelfie(512);
    const inline = await invoke(
      handler,
      captureEvent(small.id, small.captureId, claimsOf(srv.org.id), { delivery: 'link' }),
    );
    expect(inline.statusCode).toBe(200);
    expect(inline.isBase64Encoded).toBe(true);
    const bad = await invoke(handler, captureEvent(id, captureId, claimsOf(srv.org.id), { delivery: 'email' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('delivery');
    expect(links.calls).toHaveLength(1);
  });

  it('keeps a capture within the limit inline (200, base64 body), issuing no link', async () => {
    const { id, captureId, bytes } = await caseWithSelfie(512);
    const links = recordingLinks();
    const handler = createAdminHandler({ ...srv.app.runtime.deps, blobLinks: links }, { maxInlineCaptureBytes: 1024 });
    const res = await invoke(handler, captureEvent(id, captureId, claimsOf(srv.org.id)));
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(true);
    expect(Buffer.from(res.body, 'base64').equals(bytes)).toBe(true);
    expect(links.calls).toHaveLength(0);
  });

  it('issues no link before the checks: signed out 401, another organisation 404, altered bytes 409', async () => {
    const { id, captureId } = await caseWithSelfie(2048);
    const links = recordingLinks();
    const handler = createAdminHandler({ ...srv.app.runtime.deps, blobLinks: links }, { maxInlineCaptureBytes: 1024 });
    expect((await invoke(handler, captureEvent(id, captureId, null))).statusCode).toBe(401);
    const other = await srv.createOrg('enterprise');
    expect((await invoke(handler, captureEvent(id, captureId, claimsOf(other.org.id)))).statusCode).toBe(404);
    expect((await invoke(handler, captureEvent(id, captureId, claimsOf(srv.org.id, 'none')))).statusCode).toBe(403);
    await srv.app.runtime.deps.blobs.put(`captures/${id}/1/selfie.jpg`, Buffer.alloc(2048, 8), 'image/jpeg');
    const altered = await invoke(handler, captureEvent(id, captureId, claimsOf(srv.org.id)));
    expect(altered.statusCode).toBe(409);
    expect(links.calls).toHaveLength(0);
  });

  it('the AWS limit keeps a 10 MB upload out of the response: base64 of the inline limit fits 6 MB', () => {
    expect(Math.ceil(LAMBDA_INLINE_CAPTURE_BYTES / 3) * 4).toBeLessThan(6 * 1024 * 1024 - 64 * 1024);
    expect(LAMBDA_INLINE_CAPTURE_BYTES).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('S3 signed read link', () => {
  it('is a SigV4 presigned GET on the bucket origin, valid 60 s, with no-store and the content type as overrides', async () => {
    const s3 = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' },
    });
    const store = new S3BlobStore(s3, { bucket: 'kyc-dev-captures-1', kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k' });
    const url = new URL(
      await store.readLink('captures/vrf_1/1/selfie.jpg', { expiresSeconds: 60, contentType: 'image/png' }),
    );
    expect(url.origin).toBe('https://kyc-dev-captures-1.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/captures/vrf_1/1/selfie.jpg');
    const q = url.searchParams;
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(q.get('X-Amz-Security-Token')).toBe('session-token');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.get('response-content-type')).toBe('image/png');
    expect(q.get('response-cache-control')).toBe('no-store, private');
    expect(q.get('response-content-disposition')).toBe('inline');
    expect(url.search).not.toContain('+');
    s3.destroy();
  });
});
