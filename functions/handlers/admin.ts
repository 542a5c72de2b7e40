import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as adminConsole from '../app/admin-console';
import type { AppDeps } from '../app/deps';
import { type OperatorDeps, signIn, signOut } from '../app/operators';
import { decideReview } from '../app/review';
import { errors } from '../domain/errors';
import { SESSION_ABSOLUTE_SECONDS } from '../domain/operators';
import {
  adminCreateWebhookBody,
  captureQuery,
  createFlowBody,
  listAuditQuery,
  listDeliveriesQuery,
  listVerificationsQuery,
  mintKeyBody,
  reviewDecisionBody,
  reviewQueueQuery,
  rotateSecretBody,
  signInBody,
  updateFlowBody,
} from '../http/admin-schemas';
import { dispatcher, type RouteHandler } from '../http/dispatch';
import { accessLog, type ApiMiddleware, httpErrorHandler, securityHeaders } from '../http/middleware';
import {
  clearedSessionCookie,
  cookie,
  cookiesAreSecure,
  operatorOf,
  requireRole,
  sessionCookie,
  sessionCookieName,
} from '../http/operator-auth';
import { json, readJsonBody, zodDetails } from '../http/responses';
import { type RouteId, routes } from '../http/routes';
import type * as z from 'zod';

/**
 * The admin API (the dashboard's): one Lambda on AWS behind the Cognito authorizer, the same module locally
 * behind the session cookie. Every route checks the operator's role against the route table's `roles`
 * before its use case runs; use cases scope everything to the operator's organisation.
 */
export interface AdminHandlerOptions {
  /** Local runtime only: password sign-in and sessions (on AWS Cognito signs operators in). */
  operators?: OperatorDeps;
  /**
   * Largest capture returned in the response body; larger ones answer 303 to a short-lived signed link
   * (AWS: {@link LAMBDA_INLINE_CAPTURE_BYTES}). Unset: every capture inline (the local server streams any size).
   */
  maxInlineCaptureBytes?: number;
}

/**
 * Captures up to this size go through the admin Lambda: base64 makes 4 MiB into ~5.6 MB, under Lambda's 6 MB
 * synchronous response limit with room for headers. Uploads may be 10 MB.
 */
export const LAMBDA_INLINE_CAPTURE_BYTES = 4 * 1024 * 1024;

function readQuery<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  const result = schema.safeParse(event.queryStringParameters ?? {});
  if (!result.success) throw errors.validation(zodDetails(result.error), 'Invalid query parameters.');
  return result.data;
}

const param = (event: APIGatewayProxyEvent, name: string) => event.pathParameters?.[name] ?? '';

/** A cursor the store did not produce is the caller's mistake (400), not ours. */
async function withCursorCheck<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error && err.name === 'InvalidCursorError')
      throw errors.validation([{ field: 'cursor', issue: 'not a cursor returned by this API' }]);
    throw err;
  }
}

export function createAdminHandler(
  deps: AppDeps,
  opts: AdminHandlerOptions = {},
  runtimeMiddlewares: ApiMiddleware[] = [],
) {
  const secure = cookiesAreSecure(deps.config.publicUrl);
  const op = operatorOf;
  const handlers: Partial<Record<RouteId, RouteHandler>> = {
    adminSignIn: async (event) => {
      if (!opts.operators) throw errors.routeNotFound('Sign in with the hosted login.');
      const body = readJsonBody(event, signInBody);
      const signedIn = await signIn(opts.operators, {
        email: body.email,
        password: body.password,
        ip: event.requestContext?.identity?.sourceIp ?? 'unknown',
      });
      return json(
        200,
        {
          data: {
            email: signedIn.operator.email,
            role: signedIn.operator.role,
            orgId: signedIn.operator.orgId,
            csrfToken: signedIn.csrfToken,
            expiresAt: signedIn.session.expiresAt,
          },
        },
        { 'Set-Cookie': sessionCookie(signedIn.token, SESSION_ABSOLUTE_SECONDS, secure) },
      );
    },
    adminSignOut: async (event) => {
      if (opts.operators) await signOut(opts.operators, cookie(event, sessionCookieName(secure)));
      return json(200, { data: { signedOut: true } }, { 'Set-Cookie': clearedSessionCookie(secure) });
    },
    adminGetSession: async (event) => {
      const o = op(event);
      return json(200, {
        data: { email: o.email, role: o.role, orgId: o.orgId, csrfToken: o.csrfToken, expiresAt: o.expiresAt },
      });
    },
    adminListKeys: async (event) => json(200, { data: await adminConsole.listKeys(deps, op(event)) }),
    adminMintKey: async (event) =>
      json(201, { data: await adminConsole.mintOperatorKey(deps, op(event), readJsonBody(event, mintKeyBody)) }),
    adminRevokeKey: async (event) =>
      json(200, { data: await adminConsole.revokeOperatorKey(deps, op(event), param(event, 'id')) }),
    adminRotateKeySecret: async (event) => {
      const body = readJsonBody(event, rotateSecretBody);
      return json(200, {
        data: await adminConsole.rotateSigningSecret(deps, op(event), param(event, 'id'), body.overlapSeconds),
      });
    },
    adminListFlows: async (event) => json(200, { data: await adminConsole.listFlows(deps, op(event)) }),
    adminCreateFlow: async (event) =>
      json(201, { data: await adminConsole.createOperatorFlow(deps, op(event), readJsonBody(event, createFlowBody)) }),
    adminGetFlow: async (event) => json(200, { data: await adminConsole.getFlow(deps, op(event), param(event, 'id')) }),
    adminUpdateFlow: async (event) =>
      json(200, {
        data: await adminConsole.updateOperatorFlow(
          deps,
          op(event),
          param(event, 'id'),
          readJsonBody(event, updateFlowBody),
        ),
      }),
    adminSetDefaultFlow: async (event) =>
      json(200, { data: await adminConsole.setOperatorDefaultFlow(deps, op(event), param(event, 'id')) }),
    adminListWebhooks: async (event) => json(200, { data: await adminConsole.listOperatorWebhooks(deps, op(event)) }),
    adminCreateWebhook: async (event) =>
      json(201, {
        data: await adminConsole.registerOperatorWebhook(deps, op(event), readJsonBody(event, adminCreateWebhookBody)),
      }),
    adminDeleteWebhook: async (event) =>
      json(200, { data: await adminConsole.deleteOperatorWebhook(deps, op(event), param(event, 'id')) }),
    adminTestWebhook: async (event) =>
      json(202, { data: await adminConsole.sendTestEvent(deps, op(event), param(event, 'id')) }),
    adminListDeliveries: async (event) => {
      const q = readQuery(event, listDeliveriesQuery);
      const page = await withCursorCheck(() => adminConsole.listDeliveries(deps, op(event), param(event, 'id'), q));
      return json(200, { data: page.items, nextCursor: page.next });
    },
    adminRedeliver: async (event) =>
      json(202, {
        data: await adminConsole.redeliverOperatorDelivery(
          deps,
          op(event),
          param(event, 'id'),
          param(event, 'deliveryId'),
        ),
      }),
    adminListVerifications: async (event) => {
      const q = readQuery(event, listVerificationsQuery);
      const page = await withCursorCheck(() =>
        adminConsole.listVerifications(deps, op(event), {
          limit: q.limit,
          cursor: q.cursor,
          status: q.status,
          decision: q.decision,
          mode: q.mode,
          flowId: q.flowId,
          applicantEmail: q.email,
          createdFrom: q.createdFrom,
          createdTo: q.createdTo,
        }),
      );
      return json(200, { data: page.items, nextCursor: page.next });
    },
    adminGetVerification: async (event) =>
      json(200, { data: await adminConsole.verificationDetail(deps, op(event), param(event, 'id')) }),
    adminGetCapture: async (event) => {
      const q = readQuery(event, captureQuery);
      const content = await adminConsole.captureContent(
        deps,
        op(event),
        param(event, 'id'),
        param(event, 'captureId'),
        {
          maxInlineBytes: opts.maxInlineCaptureBytes,
        },
      );
      const privateHeaders = { 'Cache-Control': 'no-store, private', 'Cross-Origin-Resource-Policy': 'same-origin' };
      if (content.kind === 'link') {
        const { url, contentType, expiresAt } = content;
        // The dashboard asks for the link itself and fetches it with no credentials: no browser can then send
        // its Authorization header to S3 (which refuses a presigned request that also carries one).
        if (q.delivery === 'link') return json(200, { data: { url, contentType, expiresAt } }, privateHeaders);
        // See Other: Fetch drops the Authorization header on this cross-origin redirect; valid for 60 s.
        return { statusCode: 303, headers: { ...privateHeaders, Location: url }, body: '' };
      }
      return {
        statusCode: 200,
        headers: { ...privateHeaders, 'Content-Type': content.contentType, 'Content-Disposition': 'inline' },
        body: content.bytes.toString('base64'),
        isBase64Encoded: true,
      };
    },
    adminDecideReview: async (event) => {
      const o = op(event);
      const body = readJsonBody(event, reviewDecisionBody);
      return json(200, {
        data: await decideReview(deps, { orgId: o.orgId, label: `operator:${o.email}` }, param(event, 'id'), body),
      });
    },
    adminReviewQueue: async (event) => {
      const q = readQuery(event, reviewQueueQuery);
      const page = await withCursorCheck(() => adminConsole.reviewQueue(deps, op(event), q));
      return json(200, { data: page.items, nextCursor: page.next });
    },
    adminListAudit: async (event) => {
      const q = readQuery(event, listAuditQuery);
      const page = await withCursorCheck(() => adminConsole.listAudit(deps, op(event), q));
      return json(200, { data: page.items, nextCursor: page.next });
    },
  };
  // Role check from the route table, before any handler: the table is the one place roles are declared.
  for (const route of routes) {
    const h = handlers[route.id];
    if (!h || route.auth !== 'operator') continue;
    handlers[route.id] = async (event) => {
      requireRole(route, operatorOf(event).role);
      return h(event);
    };
  }
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(runtimeMiddlewares)
    .use(accessLog())
    .use(securityHeaders())
    .use(httpErrorHandler())
    .handler(dispatcher(handlers));
}
