import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { buildApplicantOpenApiDocument, buildOpenApiDocument } from '../../functions/http/openapi';
import { routes, type RouteDef } from '../../functions/http/routes';

/**
 * docs/openapi.json (integrator API) and docs/openapi-applicant.json (applicant API) are the published API
 * references (the running service serves the same documents at /openapi.json and
 * /api/v1/applicant/openapi.json). They are generated from the zod schemas; these tests fail when they drift.
 * Regenerate with `UPDATE_OPENAPI=1 npx jest test/unit/openapi-doc`.
 */
const DOCUMENTS = [
  { file: 'openapi.json', build: buildOpenApiDocument },
  { file: 'openapi-applicant.json', build: buildApplicantOpenApiDocument },
];

it.each(DOCUMENTS)('docs/$file matches the document generated from the schemas', ({ file, build }) => {
  const path = resolve(__dirname, '../../docs', file);
  const generated = `${JSON.stringify(build('http://localhost:3000'), null, 2)}\n`;
  if (process.env.UPDATE_OPENAPI === '1') writeFileSync(path, generated);
  expect(readFileSync(path, 'utf8')).toBe(generated);
});

it.each(DOCUMENTS)(
  '$file: every integrator and applicant operation that takes a body documents 413 (over 64 KB) and, for JSON, 415',
  ({ build }) => {
    // The local server refuses any body over 64 KB on every route but the capture bytes (found by the contract fuzz).
    const doc = build('http://localhost:3000') as { paths: Record<string, Record<string, OperationDoc>> };
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        // The admin API (dashboard) is outside the contract fuzz's scope.
        if (path.startsWith('/api/v1/admin') || (method !== 'post' && method !== 'patch' && method !== 'put')) continue;
        const codes = Object.keys(op.responses);
        expect({ op: `${method} ${path}`, has413: codes.includes('413') }).toEqual({
          op: `${method} ${path}`,
          has413: true,
        });
        if (op.requestBody?.content['application/json'])
          expect({ op: `${method} ${path}`, has415: codes.includes('415') }).toEqual({
            op: `${method} ${path}`,
            has415: true,
          });
      }
  },
);

interface OperationDoc {
  operationId: string;
  security: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema?: Record<string, unknown> }> };
  responses: Record<string, { content?: { 'application/json': { schema: Record<string, unknown> } } }>;
}

describe('the applicant API document', () => {
  const doc = buildApplicantOpenApiDocument('http://localhost:3000') as {
    paths: Record<string, Record<string, OperationDoc>>;
  };
  const applicantRoutes = (routes as readonly RouteDef[]).filter((r) => r.lambda === 'applicant');
  const operationOf = (r: RouteDef) => doc.paths[r.path]?.[r.method.toLowerCase()];
  /** A JSON Schema of the document, read back as a validator (what a client generator would do). */
  const validator = (schema: Record<string, unknown>) => z.fromJSONSchema(schema);

  it('documents every applicant route of the route table, and nothing else', () => {
    expect(applicantRoutes.length).toBeGreaterThanOrEqual(8);
    const documented = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(documented.sort()).toEqual(applicantRoutes.map((r) => r.id).sort());
    for (const r of applicantRoutes) expect(operationOf(r)?.security).toEqual([{ clientToken: [] }]);
  });

  it('gives each route its request schema (JSON routes) or media types (capture bytes)', () => {
    const body = (id: string) => operationOf(applicantRoutes.find((r) => r.id === id)!)?.requestBody?.content;
    for (const id of ['postConsent', 'createUpload', 'submitAttempt', 'simulateAttempt']) {
      expect(body(id)?.['application/json']?.schema).toMatchObject({ type: 'object', additionalProperties: false });
    }
    expect(Object.keys(body('putUploadBytes') ?? {})).toEqual(['image/jpeg', 'image/png', 'image/webp']);
    for (const id of ['getSession', 'completeUpload', 'createLivenessSession']) expect(body(id)).toBeUndefined();
    const consent = validator(body('postConsent')!['application/json']!.schema!);
    expect(consent.safeParse({ accepted: true, textVersion: '2026-11-01', locale: 'en' }).success).toBe(true);
    expect(consent.safeParse({ accepted: 'yes', textVersion: '2026-11-01', locale: 'en' }).success).toBe(false);
    expect(consent.safeParse({ accepted: true, textVersion: 'v', locale: 'en', extra: 1 }).success).toBe(false);
  });

  it('gives each route its success schema and the one error shape on every error status', () => {
    const success: Record<string, string> = {
      getSession: '200',
      postConsent: '200',
      createUpload: '201',
      putUploadBytes: '204',
      completeUpload: '200',
      createLivenessSession: '201',
      submitAttempt: '202',
      simulateAttempt: '200',
    };
    const error = { error: { code: 'invalid_token', message: 'The session link is not valid.', details: [] } };
    for (const r of applicantRoutes) {
      const responses = operationOf(r)!.responses;
      expect(Object.keys(responses)).toContain(success[r.id]);
      expect(Object.keys(responses)).toContain('401');
      for (const [status, res] of Object.entries(responses)) {
        if (status === '204') {
          expect(res.content).toBeUndefined();
          continue;
        }
        const schema = validator(res.content!['application/json'].schema);
        expect(schema.safeParse(error).success).toBe(Number(status) >= 400);
      }
    }
    const session = validator(
      operationOf(applicantRoutes.find((r) => r.id === 'getSession')!)!.responses['200']!.content!['application/json']
        .schema,
    );
    const view = {
      verificationId: 'vrf_1',
      status: 'pending',
      mode: 'live',
      locale: null,
      expiresAt: '2026-12-05T10:00:00.000Z',
      returnUrl: null,
      steps: ['consent', 'document'],
      document: {
        types: ['passport'],
        issuingCountries: [],
        needsBack: { passport: false, id_card: true, driving_licence: true, residence_permit: true },
      },
      consent: { given: false, textVersion: '2026-11-01' },
      challenge: null,
      liveness: null,
      attempts: { used: 0, max: 3, left: 3 },
      lastAttempt: null,
      decision: null,
      declineType: null,
      reasonCodes: [],
    };
    expect(session.safeParse({ data: view }).success).toBe(true);
    expect(session.safeParse({ data: { ...view, status: 'done' } }).success).toBe(false);
    expect(session.safeParse({ data: { ...view, attempts: { used: 0, max: 3 } } }).success).toBe(false);
  });
});
