import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { OPERATOR_ROLES } from '../functions/domain/operators';
import { COGNITO_ORG_ATTRIBUTE } from '../functions/http/operator-auth';

export interface OperatorsProps {
  stage: string;
}

/** Path of the dashboard under the public URL (CloudFront serves it; the hosted login returns there). */
export const DASHBOARD_PATH = '/dashboard';

/**
 * Dashboard operators on AWS: a Cognito user pool. Accounts are created by an admin only (the CLI's
 * `operators create` -> AdminCreateUser, or the console): no self sign-up. MFA (TOTP) is optional, passwords
 * follow a strong policy, and the groups `admin` and `reviewer` carry the role (`cognito:groups` in the ID
 * token). The organisation is the immutable custom attribute `orgId`, which no app client may write.
 * The dashboard signs in through the hosted login with authorization code + PKCE and a public client
 * (no secret in the browser).
 */
export class Operators extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  dashboardClient?: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: OperatorsProps) {
    super(scope, id);
    const orgAttribute = COGNITO_ORG_ATTRIBUTE.replace(/^custom:/, '');
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `kyc-operators-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: false } },
      customAttributes: { [orgAttribute]: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }) },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of OPERATOR_ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description:
          role === 'admin' ? 'Dashboard admins: everything' : 'Dashboard reviewers: verifications, reviews, audit',
      });
    }
    this.domain = this.userPool.addDomain('HostedLogin', {
      cognitoDomain: { domainPrefix: `kyc-${props.stage}-${Stack.of(this).account}` },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional by requirement (issue 13): operators may enrol TOTP; the pool is admin-created only, with a 14-character password policy.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (advanced security) needs the Cognito Plus feature plan, a paid option left to the deployer; sign-in is admin-created accounts only.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is a paid option left to the deployer; the Essentials plan covers admin-created accounts, MFA and the hosted login.',
      },
    );
  }

  /**
   * The dashboard's app client: authorization code + PKCE, no client secret (a browser cannot keep one),
   * callback to the dashboard, ID token carrying the role groups and the organisation, 1-hour tokens.
   */
  addDashboardClient(publicUrl: string): cognito.UserPoolClient {
    const dashboardUrl = `${publicUrl}${DASHBOARD_PATH}/`;
    const orgAttribute = COGNITO_ORG_ATTRIBUTE.replace(/^custom:/, '');
    this.dashboardClient = this.userPool.addClient('DashboardClient', {
      userPoolClientName: 'kyc-dashboard',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [dashboardUrl],
        logoutUrls: [dashboardUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes(orgAttribute),
      // Nothing an operator could change about themselves: above all not the organisation.
      writeAttributes: new cognito.ClientAttributes(),
    });
    return this.dashboardClient;
  }
}
