import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  applicantSimulateBody,
  completeUpload,
  consentBody,
  createUploadBody,
  getSession,
  putUploadBytes,
  recordConsent,
  requestUpload,
  simulateAttempt,
  submitAttempt,
  submitBody,
} from '../app/applicant';
import type { AppDeps } from '../app/deps';
import { dispatcher } from '../http/dispatch';
import { accessLog, httpErrorHandler, securityHeaders } from '../http/middleware';
import { header, json, noContent, readJsonBody } from '../http/responses';

/**
 * The applicant API used by the hosted page, one Lambda on AWS and the same module locally. Every route
 * is authorized by the verification's client token (`Authorization: Bearer`), resolved inside the use
 * cases. Browser requests are expected here (same origin as the page), so Origin is not refused.
 * Tokens are never logged: the access log records route and status only.
 */
export function createApplicantHandler(deps: AppDeps) {
  const auth = (event: APIGatewayProxyEvent) => header(event, 'authorization');
  const captureId = (event: APIGatewayProxyEvent) => event.pathParameters?.captureId ?? '';
  const route = dispatcher({
    getSession: async (event) => json(200, { data: await getSession(deps, auth(event)) }),
    postConsent: async (event) => {
      const body = readJsonBody(event, consentBody);
      const origin = { ip: event.requestContext?.identity?.sourceIp ?? null, userAgent: header(event, 'user-agent') ?? event.requestContext?.identity?.userAgent ?? null };
      return json(200, { data: await recordConsent(deps, auth(event), body, origin) });
    },
    createUpload: async (event) => json(201, { data: await requestUpload(deps, auth(event), readJsonBody(event, createUploadBody)) }),
    putUploadBytes: async (event) => {
      const raw = event.body ?? '';
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      await putUploadBytes(deps, auth(event), captureId(event), { bytes, contentType: header(event, 'content-type') });
      return noContent();
    },
    completeUpload: async (event) => json(200, { data: await completeUpload(deps, auth(event), captureId(event)) }),
    submitAttempt: async (event) => json(202, { data: await submitAttempt(deps, auth(event), readJsonBody(event, submitBody)) }),
    simulateAttempt: async (event) => json(200, { data: await simulateAttempt(deps, auth(event), readJsonBody(event, applicantSimulateBody)) }),
  });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(accessLog()).use(securityHeaders()).use(httpErrorHandler()).handler(route);
}
