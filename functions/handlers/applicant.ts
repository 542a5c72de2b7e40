import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  applicantSimulateBody,
  assertLocalBytesRoute,
  completeUpload,
  consentBody,
  createLivenessSession,
  createUploadBody,
  getSession,
  openSession,
  putUploadBytes,
  recordConsent,
  requestUpload,
  simulateAttempt,
  submitAttempt,
  submitBody,
  type OpenSession,
  type SessionAccess,
} from '../app/applicant';
import type { AppDeps } from '../app/deps';
import { dispatcher, type RouteHandler } from '../http/dispatch';
import { viewerIp } from '../http/edge';
import { accessLog, type ApiMiddleware, httpErrorHandler, securityHeaders } from '../http/middleware';
import { header, json, noContent, readJsonBody } from '../http/responses';

/**
 * The applicant API used by the hosted page, one Lambda on AWS and the same module locally. Every route
 * is authorized by the verification's client token (`Authorization: Bearer`) before its body is read, so an
 * unauthenticated caller learns nothing from validation errors. Browser requests are expected here (same
 * origin as the page), so Origin is not refused. Tokens are never logged: the access log records route
 * and status only.
 */
export function createApplicantHandler(deps: AppDeps, runtimeMiddlewares: ApiMiddleware[] = []) {
  /** Opens the token's session, then runs the route with it. */
  const withSession =
    (
      access: SessionAccess,
      run: (session: OpenSession, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
    ): RouteHandler =>
    async (event) =>
      run(await openSession(deps, header(event, 'authorization'), access), event);
  const captureId = (event: APIGatewayProxyEvent) => event.pathParameters?.captureId ?? '';

  const route = dispatcher({
    getSession: withSession('read', async (session) => json(200, { data: await getSession(deps, session) })),
    postConsent: withSession('write', async (session, event) => {
      const body = readJsonBody(event, consentBody);
      const origin = {
        ip: viewerIp(event, deps.config.runtime),
        userAgent: header(event, 'user-agent') ?? event.requestContext?.identity?.userAgent ?? null,
      };
      return json(200, { data: await recordConsent(deps, session, body, origin) });
    }),
    createUpload: withSession('write', async (session, event) =>
      json(201, { data: await requestUpload(deps, session, readJsonBody(event, createUploadBody)) }),
    ),
    putUploadBytes: async (event) => {
      assertLocalBytesRoute(deps); // S3 takes the bytes on AWS: 404 there, before anything else
      return withSession('write', async (session) => {
        const raw = event.body ?? '';
        const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
        await putUploadBytes(deps, session, captureId(event), { bytes, contentType: header(event, 'content-type') });
        return noContent();
      })(event);
    },
    completeUpload: withSession('write', async (session, event) =>
      json(200, { data: await completeUpload(deps, session, captureId(event)) }),
    ),
    createLivenessSession: withSession('write', async (session) =>
      json(201, { data: await createLivenessSession(deps, session) }),
    ),
    submitAttempt: withSession('write', async (session, event) =>
      json(202, { data: await submitAttempt(deps, session, readJsonBody(event, submitBody)) }),
    ),
    simulateAttempt: withSession('write', async (session, event) =>
      json(200, { data: await simulateAttempt(deps, session, readJsonBody(event, applicantSimulateBody)) }),
    ),
  });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(runtimeMiddlewares)
    .use(accessLog())
    .use(securityHeaders())
    .use(httpErrorHandler())
    .handler(route);
}
