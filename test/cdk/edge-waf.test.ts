/**
 * Per-IP limits on the hosted page itself: CloudFront-scope web ACLs exist only in us-east-1, so a stack
 * there makes its own and a stack elsewhere attaches the one named by `edgeWebAclArn`.
 */
import { EDGE_PER_IP_RULE } from '../../lib/hosted-flow';
import { synthKycStack } from './synth';

const distributionConfig = (template: ReturnType<typeof synthKycStack>['template']) => {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return (distribution!.Properties as Record<string, any>).DistributionConfig;
};

it('in us-east-1: creates a CloudFront-scope ACL limiting each viewer IP and attaches it (cdk-nag clean)', () => {
  const { template } = synthKycStack({ region: 'us-east-1', perIpRequestsPer5Min: 900 }, { nag: true });
  const acls = template.findResources('AWS::WAFv2::WebACL', { Properties: { Scope: 'CLOUDFRONT' } });
  const entries = Object.entries(acls) as [string, { Properties: Record<string, any> }][];
  expect(entries).toHaveLength(1);
  const [aclId, acl] = entries[0]!;
  expect(acl.Properties.Rules).toEqual([
    expect.objectContaining({
      Name: EDGE_PER_IP_RULE,
      Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rateLimited' } } },
      Statement: { RateBasedStatement: { Limit: 900, AggregateKeyType: 'IP' } },
    }),
  ]);
  expect(distributionConfig(template).WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
});

it('elsewhere: attaches the us-east-1 ACL named by edgeWebAclArn, or none', () => {
  const arn = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/kyc-edge/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  const withAcl = synthKycStack({ edgeWebAclArn: arn }).template;
  expect(distributionConfig(withAcl).WebACLId).toBe(arn);
  expect(Object.keys(withAcl.findResources('AWS::WAFv2::WebACL', { Properties: { Scope: 'CLOUDFRONT' } }))).toEqual([]);
  expect(distributionConfig(synthKycStack().template).WebACLId).toBeUndefined();
});
