import { Match } from 'aws-cdk-lib/assertions';
import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { OPERATOR_ROLES } from '../../functions/domain/operators';
import { type RouteDef, routes } from '../../functions/http/routes';
import { DASHBOARD_PATH } from '../../lib/operators';
import { logicalId, resources } from './template-helpers';
import { synthKycStack } from './synth';

/** Dashboard operators on AWS: the Cognito user pool, its groups, the dashboard's client and the API authorizer. */
const { stack, template } = synthKycStack({ account: '123456789012', region: 'eu-west-1', stage: 'dev' });
const poolId = logicalId(stack.operators.userPool);

describe('operators user pool', () => {
  it('admits admin-created users only, MFA optional (TOTP), a strong password policy, immutable orgId', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UsernameAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'orgId', Mutable: false, AttributeDataType: 'String' })]),
      DeletionProtection: 'ACTIVE',
    });
  });

  it('has exactly the groups admin and reviewer', () => {
    const groups = Object.values(resources(template, 'AWS::Cognito::UserPoolGroup'));
    expect(groups.map((g) => g.Properties!.GroupName).sort()).toEqual([...OPERATOR_ROLES].sort());
    for (const g of groups) expect(g.Properties!.UserPoolId).toEqual({ Ref: poolId });
  });

  it('has a hosted login domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { UserPoolId: { Ref: poolId } });
  });
});

describe('dashboard app client', () => {
  const clients = Object.values(resources(template, 'AWS::Cognito::UserPoolClient'));

  it('is a public client (no secret) using the authorization code flow only, back to /dashboard/', () => {
    expect(clients).toHaveLength(1);
    const props = clients[0]!.Properties as Record<string, any>;
    expect(props.GenerateSecret).toBe(false);
    expect(props.AllowedOAuthFlows).toEqual(['code']);
    expect(props.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(props.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    expect(JSON.stringify(props.CallbackURLs)).toContain(`${DASHBOARD_PATH}/`);
    expect(props.PreventUserExistenceErrors).toBe('ENABLED');
    expect(props.SupportedIdentityProviders).toEqual(['COGNITO']);
  });

  it('lets the ID token carry custom:orgId but lets no operator write it', () => {
    const props = clients[0]!.Properties as Record<string, any>;
    expect(props.ReadAttributes).toEqual(expect.arrayContaining(['custom:orgId', 'email']));
    expect(props.WriteAttributes ?? []).toEqual([]);
  });
});

describe('admin API authorization', () => {
  const methods = Object.values(resources(template, 'AWS::ApiGateway::Method'));
  const [cognitoAuthorizerId] = Object.entries(resources(template, 'AWS::ApiGateway::Authorizer')).find(
    ([, a]) => a.Properties!.Type === 'COGNITO_USER_POOLS',
  )!;

  it('uses a Cognito authorizer on the operator pool, reading the Authorization header', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [poolId, 'Arn'] }],
    });
  });

  it('puts every deployed operator route behind it and sends it to the admin Lambda; password sign-in is not deployed', () => {
    const operatorRoutes = (routes as readonly RouteDef[]).filter((r) => r.auth === 'operator' && !r.localOnly);
    expect(operatorRoutes.length).toBeGreaterThan(15);
    const cognitoMethods = methods.filter((m) => m.Properties!.AuthorizationType === 'COGNITO_USER_POOLS');
    expect(cognitoMethods).toHaveLength(operatorRoutes.length);
    for (const m of cognitoMethods) {
      expect(m.Properties!.AuthorizerId).toEqual({ Ref: cognitoAuthorizerId });
      expect(JSON.stringify(m.Properties!.Integration)).toContain(logicalId(stack.api.functions.admin));
    }
    const localOnly = (routes as readonly RouteDef[]).filter((r) => r.localOnly).map((r) => r.method);
    expect(localOnly.sort()).toEqual(['DELETE', 'POST']);
  });

  it('returns capture images as binary and tells the CLI the pool id', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['image/*'] });
    const env = (resources(template)[logicalId(stack.api.functions.admin)]!.Properties as Record<string, any>)
      .Environment.Variables;
    expect(env[AWS_ENV.operatorsUserPoolId]).toEqual({ Ref: poolId });
  });
});
