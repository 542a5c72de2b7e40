import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDashboard } from '../../functions/local/dashboard-static';
import { serveHostedFlow } from '../../functions/local/hosted-flow-static';
import { synthKycStack } from './synth';
import { logicalId, resources } from './template-helpers';

/**
 * Both pages (hosted applicant page, operator dashboard) answer with the same security headers on both
 * runtimes: what the local server sends equals what the stack's CloudFront response headers policies add,
 * except the CSP (its connect-src names the stack's origins) and HSTS (HTTPS only, so CloudFront only).
 */

const { stack, template } = synthKycStack();

/** The header fields a CloudFront response headers policy adds, as a browser receives them (lower-case names). */
function cloudFrontFields(policy: { Properties?: unknown }): Record<string, string> {
  const config = (policy.Properties as Record<string, any>).ResponseHeadersPolicyConfig;
  const security = config.SecurityHeadersConfig ?? {};
  const fields: Record<string, string> = {};
  const overriding = (h: { Override: boolean }) => expect(h.Override).toBe(true);
  if (security.ContentSecurityPolicy) {
    overriding(security.ContentSecurityPolicy);
    fields['content-security-policy'] = '<csp>';
  }
  if (security.ContentTypeOptions) {
    overriding(security.ContentTypeOptions);
    fields['x-content-type-options'] = 'nosniff';
  }
  if (security.FrameOptions) {
    overriding(security.FrameOptions);
    fields['x-frame-options'] = security.FrameOptions.FrameOption;
  }
  if (security.ReferrerPolicy) {
    overriding(security.ReferrerPolicy);
    fields['referrer-policy'] = security.ReferrerPolicy.ReferrerPolicy;
  }
  const hsts = security.StrictTransportSecurity;
  if (hsts) {
    overriding(hsts);
    fields['strict-transport-security'] =
      `max-age=${hsts.AccessControlMaxAgeSec}${hsts.IncludeSubdomains ? '; includeSubDomains' : ''}${hsts.Preload ? '; preload' : ''}`;
  }
  for (const h of config.CustomHeadersConfig?.Items ?? []) {
    overriding(h);
    fields[String(h.Header).toLowerCase()] = h.Value;
  }
  return fields;
}

/** The security header fields the local server sends on a page response. */
async function localFields(
  serve: (req: IncomingMessage, res: ServerResponse) => boolean,
  path: string,
): Promise<Record<string, string>> {
  const server = createServer((req, res) => {
    if (!serve(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    expect(res.status).toBe(200);
    const fields: Record<string, string> = {};
    for (const [name, value] of res.headers) {
      if (/^(content-type|content-length|cache-control|date|connection|keep-alive)$/.test(name)) continue;
      fields[name] = name === 'content-security-policy' ? '<csp>' : value;
    }
    return fields;
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('page security headers: local server and CloudFront agree', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'kyc-page-headers-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>x</title>');
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it.each([
    ['hosted applicant page', () => stack.hostedFlow.headersPolicy, serveHostedFlow, '/v/vrf_abc'],
    ['operator dashboard', () => stack.dashboard.headersPolicy, serveDashboard, '/dashboard/'],
  ] as const)('%s', async (_page, policyOf, serve, path) => {
    const cloudFront = cloudFrontFields(resources(template)[logicalId(policyOf())]!);
    const local = await localFields((req, res) => serve(req, res, { distDir: dist }), path);
    expect(cloudFront['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    const { 'strict-transport-security': _hsts, ...sentByBoth } = cloudFront;
    expect(local).toEqual(sentByBoth);
    expect(local).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
  });
});
