import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { hostedFlowCsp } from '../../lib/hosted-flow';
import { OUTPUTS } from '../../lib/kyc-stack';
import { actionsOf, joinToString, logicalId, resources, roleStatements } from './template-helpers';
import { synthKycStack } from './synth';

/**
 * Face Liveness wiring: the identity pool whose guest role streams video (StartFaceLivenessSession only), the
 * pool id handed to the Lambdas and exported, and the page's CSP allowing the streaming and Cognito endpoints.
 * (cdk-nag over the whole stack, including these resources, runs in nag.test.ts.)
 */

const { stack, template } = synthKycStack();
const poolRef = { Ref: logicalId(stack.faceLiveness.identityPool) };

it('has one identity pool with guest identities and no classic (basic) flow', () => {
  const pools = Object.values(resources(template, 'AWS::Cognito::IdentityPool'));
  expect(pools).toHaveLength(1);
  expect(pools[0]!.Properties).toMatchObject({ AllowUnauthenticatedIdentities: true, AllowClassicFlow: false });
});

it('maps guest identities to a role only this pool can assume, allowed StartFaceLivenessSession and nothing else', () => {
  const attachments = Object.values(resources(template, 'AWS::Cognito::IdentityPoolRoleAttachment'));
  expect(attachments).toHaveLength(1);
  const guestRoleId = logicalId(stack.faceLiveness.guestRole);
  expect(attachments[0]!.Properties).toEqual({
    IdentityPoolId: poolRef,
    Roles: { unauthenticated: { 'Fn::GetAtt': [guestRoleId, 'Arn'] } },
  });

  const role = resources(template)[guestRoleId]!.Properties as Record<string, any>;
  expect(role.AssumeRolePolicyDocument.Statement).toEqual([
    {
      Action: 'sts:AssumeRoleWithWebIdentity',
      Effect: 'Allow',
      Principal: { Federated: 'cognito-identity.amazonaws.com' },
      Condition: {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': poolRef },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
      },
    },
  ]);
  expect(role.ManagedPolicyArns).toBeUndefined();
  expect(actionsOf(roleStatements(template, guestRoleId))).toEqual(['rekognition:StartFaceLivenessSession']);
});

it('passes the pool id to the Lambdas and exports it', () => {
  for (const fn of stack.kycFunctions()) {
    const env = (resources(template)[logicalId(fn)]!.Properties as Record<string, any>).Environment.Variables;
    expect(env[AWS_ENV.faceLivenessIdentityPoolId]).toEqual(poolRef);
  }
  expect(template.toJSON().Outputs[OUTPUTS.faceLivenessIdentityPoolId].Value).toEqual(poolRef);
});

it("lets the hosted page reach the region's Rekognition streaming and Cognito identity endpoints", () => {
  const policy = resources(template)[logicalId(stack.hostedFlow.headersPolicy)]!.Properties as Record<string, any>;
  const csp = joinToString(
    policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy,
    () => '<stack-uuid-group>',
  );
  const connectSrc = csp.split('; ').find((d) => d.startsWith('connect-src '));
  expect(connectSrc).toBe(
    `connect-src 'self' https://kyc-dev-captures-000000000000-<stack-uuid-group>.s3.eu-west-1.amazonaws.com wss://streaming-rekognition.eu-west-1.amazonaws.com https://cognito-identity.eu-west-1.amazonaws.com`,
  );
});

it('keeps connect-src to self and the upload origin without extra origins', () => {
  expect(hostedFlowCsp('https://b.s3.amazonaws.com')).toContain("connect-src 'self' https://b.s3.amazonaws.com;");
});
