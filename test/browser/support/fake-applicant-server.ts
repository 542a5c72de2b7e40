import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serveHostedFlow } from '../../../functions/local/hosted-flow-static';

/**
 * Development stand-in for the applicant API (docs/applicant-api.md) used while the real handler was
 * being built: one in-memory session, scripted decision. Serves the real built page.
 */
export interface FakeSession {
  status: string;
  mode: 'live' | 'test';
  locale: string | null;
  consentGiven: boolean;
  prompts: string[];
  uploads: Array<{ kind: string; index: number; bytes: number }>;
  decision: { decision: string; declineType: string | null; reasonCodes: string[] } | null;
}

export async function startFakeApplicantServer(init: Partial<FakeSession> = {}): Promise<{ baseUrl: string; verifyUrl: string; session: FakeSession; stop(): Promise<void> }> {
  const token = 'tok_fake';
  const session: FakeSession = { status: 'pending', mode: 'live', locale: null, consentGiven: false, prompts: ['left', 'right', 'centre'], uploads: [], decision: null, ...init };
  const view = () => ({
    data: {
      verificationId: 'vrf_fake', status: session.status, mode: session.mode, locale: session.locale, expiresAt: new Date(Date.now() + 3600e3).toISOString(), returnUrl: null,
      steps: ['consent', 'document', 'selfie', 'liveness'],
      document: { types: ['passport', 'id_card'], issuingCountries: [], needsBack: { passport: false, id_card: true, driving_licence: true, residence_permit: true } },
      consent: { given: session.consentGiven, textVersion: '2026-11-01' },
      challenge: { prompts: session.prompts }, attempts: { used: 0, max: 3, left: 3 }, lastAttempt: null,
      decision: session.decision?.decision ?? null, declineType: session.decision?.declineType ?? null, reasonCodes: session.decision?.reasonCodes ?? [],
    },
  });
  const distDir = join(__dirname, '..', '..', '..', 'hosted-flow', 'dist');
  const server: Server = createServer((req, res) => {
    if (serveHostedFlow(req, res, { distDir })) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${token}`) return json(401, { error: { code: 'invalid_token', message: 'x', details: [] } });
      const url = req.url ?? '';
      const body = chunks.length && /json/.test(String(req.headers['content-type'])) ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      if (url === '/api/v1/applicant/session') return json(200, view());
      if (url === '/api/v1/applicant/consent') {
        session.consentGiven = !!body.accepted;
        if (!body.accepted) { session.status = 'declined'; session.decision = { decision: 'declined', declineType: 'final', reasonCodes: ['CONSENT_DECLINED'] }; }
        return json(200, view());
      }
      if (url === '/api/v1/applicant/uploads') {
        const id = `cap_${session.uploads.length}`;
        session.uploads.push({ kind: body.kind, index: body.index, bytes: 0 });
        return json(201, { data: { captureId: id, upload: { url: `/api/v1/applicant/uploads/${id}/bytes`, method: 'PUT', fields: {}, maxBytes: 10485760, contentTypes: ['image/jpeg'], expiresAt: 'x' } } });
      }
      const bytes = /^\/api\/v1\/applicant\/uploads\/cap_(\d+)\/bytes$/.exec(url);
      if (bytes) { session.uploads[Number(bytes[1])]!.bytes = Buffer.concat(chunks).length; return res.writeHead(204).end(); }
      if (/\/complete$/.test(url)) return json(200, { data: {} });
      if (url === '/api/v1/applicant/submit') {
        session.status = 'in_progress';
        setTimeout(() => { session.status = 'approved'; session.decision = { decision: 'approved', declineType: null, reasonCodes: [] }; }, 2000);
        return json(202, view());
      }
      if (url === '/api/v1/applicant/simulate') { session.status = body.decision; session.decision = { decision: body.decision, declineType: body.declineType ?? null, reasonCodes: [] }; return json(200, view()); }
      return json(404, { error: { code: 'route_not_found', message: 'x', details: [] } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, verifyUrl: `${baseUrl}/v/vrf_fake?token=${token}`, session, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
