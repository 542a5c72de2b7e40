/**
 * The consent record's IP is the applicant's: on AWS the viewer address CloudFront passes on (never API
 * Gateway's sourceIp, which is a CloudFront edge server there); locally the socket's peer.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { nodeCrypto } from '../../functions/adapters/node/node-crypto';
import { CONSENT_TEXT_VERSION } from '../../functions/app/applicant/session';
import type { AppDeps } from '../../functions/app/deps';
import { createApplicantHandler } from '../../functions/handlers/applicant';
import { VIEWER_IP_HEADER } from '../../functions/http/edge';
import { APPLICANT_BASE } from '../../functions/http/routes';
import { makeFlow, makeVerification } from '../support/builders';
import { createPipelineHarness, type PipelineHarness } from '../pipeline/harness';

const TOKEN = 'tok_viewer_ip_000001';
const EDGE_IP = '130.176.0.10'; // a CloudFront edge address, as API Gateway sees it
let h: PipelineHarness;

beforeEach(async () => {
  h = await createPipelineHarness();
  const flow = makeFlow();
  await h.store.flows.put(flow);
  await h.store.verifications.create(
    makeVerification({
      id: 'vrf_viewerip01',
      flowId: flow.id,
      clientTokenHash: nodeCrypto.sha256Hex(TOKEN),
      expiresAt: new Date(h.clock.now().getTime() + 3600_000).toISOString(),
    }),
  );
});
afterEach(() => h.close());

async function consent(runtime: 'aws' | 'local', headers: Record<string, string> = {}) {
  const deps: AppDeps = { ...h.deps, config: { ...h.deps.config, runtime } };
  const event = {
    httpMethod: 'POST',
    resource: `${APPLICANT_BASE}/consent`,
    path: `${APPLICANT_BASE}/consent`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ accepted: true, textVersion: CONSENT_TEXT_VERSION, locale: 'en' }),
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { identity: { sourceIp: EDGE_IP, userAgent: 'jest' } },
  } as unknown as APIGatewayProxyEvent;
  const res = await createApplicantHandler(deps)(event, {} as Context);
  expect(res.statusCode).toBe(200);
  return (await h.store.verifications.get('vrf_viewerip01'))?.consent?.ip;
}

it('records the viewer address CloudFront saw on AWS, not the edge server', async () => {
  expect(await consent('aws', { [VIEWER_IP_HEADER]: '198.51.100.23' })).toBe('198.51.100.23');
});

it('records no IP on AWS when the viewer header is missing or not an address (never the edge)', async () => {
  expect(await consent('aws')).toBeNull();
});

it('records the socket peer locally', async () => {
  expect(await consent('local', { [VIEWER_IP_HEADER]: '198.51.100.23' })).toBe(EDGE_IP);
});
