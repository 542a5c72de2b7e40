/**
 * Operators on AWS: the operator-accounts port over the stack's Cognito user pool (mocked SDK), and the CLI's
 * `operators ...` commands driving it with KYC_RUNTIME=aws: the right commands and parameters, group
 * membership as the role, and Cognito's errors as clear CLI errors.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  createCognitoOperatorAccounts,
  generateTemporaryPassword,
} from '../../functions/adapters/aws/cognito-operator-accounts';
import { AWS_ENV } from '../../functions/adapters/aws/table-design';
import { resetAwsRuntimeForTests } from '../../functions/aws/deps';
import { ApiError } from '../../functions/domain/errors';
import { runCli } from '../../functions/local/cli';
import { awsLambdaEnv } from '../support/aws-env';

const POOL = 'eu-west-1_AbCdEf123';
const cognito = mockClient(CognitoIdentityProviderClient);
const accounts = () => createCognitoOperatorAccounts(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), POOL);

/** A Cognito service error as the SDK raises it (name = the exception type). */
const cognitoError = (name: string, message = name) =>
  new CognitoIdentityProviderServiceException({ name, message, $fault: 'client', $metadata: {} });

const user = (email: string, orgId: string, extra: Partial<UserType> = {}): UserType => ({
  Username: `sub-${email}`,
  Attributes: [
    { Name: 'email', Value: email },
    { Name: 'custom:orgId', Value: orgId },
  ],
  Enabled: true,
  UserStatus: 'CONFIRMED',
  UserCreateDate: new Date('2026-01-02T03:04:05.000Z'),
  UserLastModifiedDate: new Date('2026-01-03T00:00:00.000Z'),
  ...extra,
});

/** Cognito's policy in lib/operators.ts: 14+ characters with lower, upper, digit and symbol. */
const meetsPoolPolicy = (p: string) =>
  p.length >= 14 && /[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && /[^A-Za-z0-9]/.test(p);

beforeEach(() => cognito.reset());

describe('Cognito operator accounts', () => {
  it('create: AdminCreateUser (email as username, org attribute, temporary password, no Cognito email) then the role group', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: user('ops@example.com', 'org_a') });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const { account, password } = await accounts().create({
      orgId: 'org_a',
      email: ' Ops@Example.com ',
      role: 'reviewer',
    });

    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      UserPoolId: POOL,
      Username: 'ops@example.com',
      TemporaryPassword: password,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'ops@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:orgId', Value: 'org_a' },
      ],
    });
    expect(cognito).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, {
      UserPoolId: POOL,
      Username: 'ops@example.com',
      GroupName: 'reviewer',
    });
    expect(meetsPoolPolicy(password)).toBe(true);
    expect(account).toEqual({
      email: 'ops@example.com',
      role: 'reviewer',
      orgId: 'org_a',
      createdAt: '2026-01-02T03:04:05.000Z',
      lastSignInAt: null,
      disabledAt: null,
    });
  });

  it('generates a different policy-compliant password each time', () => {
    const seen = new Set(Array.from({ length: 50 }, generateTemporaryPassword));
    expect(seen.size).toBe(50);
    for (const p of seen) expect(meetsPoolPolicy(p)).toBe(true);
  });

  it('create: an existing email is a conflict naming the field, and no group is touched', async () => {
    cognito.on(AdminCreateUserCommand).rejects(cognitoError('UsernameExistsException', 'User account already exists'));
    const err = await accounts()
      .create({ orgId: 'org_a', email: 'ops@example.com', role: 'admin' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'operator_exists', details: [{ field: 'email' }] });
    expect(cognito).not.toHaveReceivedCommand(AdminAddUserToGroupCommand);
  });

  it('create: when the group cannot be joined the half-made user is deleted and the error names the pool', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: user('ops@example.com', 'org_a') });
    cognito.on(AdminAddUserToGroupCommand).rejects(cognitoError('ResourceNotFoundException', 'Group not found'));
    cognito.on(AdminDeleteUserCommand).resolves({});
    await expect(accounts().create({ orgId: 'org_a', email: 'ops@example.com', role: 'admin' })).rejects.toMatchObject({
      code: 'operators_pool_not_found',
      details: [{ field: 'KYC_OPERATORS_USER_POOL_ID' }],
    });
    expect(cognito).toHaveReceivedCommandWith(AdminDeleteUserCommand, {
      UserPoolId: POOL,
      Username: 'ops@example.com',
    });
  });

  it('list: every page of users, the role from group membership (every page), filtered by organisation', async () => {
    cognito
      .on(ListUsersCommand, { UserPoolId: POOL, PaginationToken: undefined })
      .resolves({ Users: [user('a@example.com', 'org_a'), user('b@example.com', 'org_b')], PaginationToken: 'p2' })
      .on(ListUsersCommand, { UserPoolId: POOL, PaginationToken: 'p2' })
      .resolves({
        Users: [
          user('c@example.com', 'org_a', { Enabled: false, UserCreateDate: new Date('2026-02-01T00:00:00.000Z') }),
          user('d@example.com', 'org_a', { UserCreateDate: new Date('2026-03-01T00:00:00.000Z') }),
        ],
      });
    cognito
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'admin', NextToken: undefined })
      .resolves({ Users: [user('a@example.com', 'org_a')], NextToken: 'g2' })
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'admin', NextToken: 'g2' })
      .resolves({ Users: [user('b@example.com', 'org_b')] })
      .on(ListUsersInGroupCommand, { UserPoolId: POOL, GroupName: 'reviewer' })
      .resolves({ Users: [user('c@example.com', 'org_a')] });

    const all = await accounts().list();
    expect(all.map((a) => [a.email, a.role, a.orgId])).toEqual([
      ['a@example.com', 'admin', 'org_a'],
      ['b@example.com', 'admin', 'org_b'],
      ['c@example.com', 'reviewer', 'org_a'],
      ['d@example.com', null, 'org_a'],
    ]);
    expect(all[2]).toMatchObject({ disabledAt: '2026-01-03T00:00:00.000Z' });
    expect((await accounts().list('org_a')).map((a) => a.email)).toEqual([
      'a@example.com',
      'c@example.com',
      'd@example.com',
    ]);
    expect(cognito).toHaveReceivedCommandTimes(ListUsersCommand, 4);
  });

  it('disable: AdminDisableUser, then every session signed out; the account shows as disabled', async () => {
    cognito.on(AdminDisableUserCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});
    cognito.on(AdminGetUserCommand).resolves({
      Username: 'sub-1',
      UserAttributes: user('ops@example.com', 'org_a').Attributes,
      Enabled: false,
      UserCreateDate: new Date('2026-01-02T03:04:05.000Z'),
      UserLastModifiedDate: new Date('2026-04-01T00:00:00.000Z'),
    });
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'admin' }] });
    const account = await accounts().disable('OPS@example.com');
    expect(cognito).toHaveReceivedCommandWith(AdminDisableUserCommand, {
      UserPoolId: POOL,
      Username: 'ops@example.com',
    });
    expect(cognito).toHaveReceivedCommandWith(AdminUserGlobalSignOutCommand, {
      UserPoolId: POOL,
      Username: 'ops@example.com',
    });
    expect(account).toMatchObject({ email: 'ops@example.com', role: 'admin', disabledAt: '2026-04-01T00:00:00.000Z' });
  });

  it('disable: an unknown email is 404 Operator, nothing else is called', async () => {
    cognito.on(AdminDisableUserCommand).rejects(cognitoError('UserNotFoundException', 'User does not exist.'));
    await expect(accounts().disable('nobody@example.com')).rejects.toMatchObject({
      kind: 'not_found',
      message: 'Operator not found.',
    });
    expect(cognito).not.toHaveReceivedCommand(AdminUserGlobalSignOutCommand);
  });

  it('reset-password: a new temporary password (changed at the next sign-in), sessions signed out', async () => {
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});
    cognito.on(AdminGetUserCommand).resolves({
      Username: 'sub-1',
      UserAttributes: user('ops@example.com', 'org_a').Attributes,
      Enabled: true,
    });
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'reviewer' }] });
    const { account, password } = await accounts().resetPassword('ops@example.com');
    expect(meetsPoolPolicy(password)).toBe(true);
    expect(cognito).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, {
      UserPoolId: POOL,
      Username: 'ops@example.com',
      Password: password,
      Permanent: false,
    });
    expect(cognito).toHaveReceivedCommand(AdminUserGlobalSignOutCommand);
    expect(account).toMatchObject({ email: 'ops@example.com', role: 'reviewer', orgId: 'org_a' });
  });

  it('credentials that may not manage the pool: a forbidden error naming the action and the pool', async () => {
    cognito.on(ListUsersInGroupCommand).rejects(cognitoError('AccessDeniedException', 'not authorized'));
    await expect(accounts().list()).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'aws_access_denied',
      message: expect.stringMatching(/cognito-idp:ListUsersInGroup .*eu-west-1_AbCdEf123/),
    });
  });
});

describe('the CLI on AWS (KYC_RUNTIME=aws)', () => {
  const awsEnv: Record<string, string> = {
    KYC_RUNTIME: 'aws',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...awsLambdaEnv({
      [AWS_ENV.faceCollectionId]: 'kyc-test-faces',
      [AWS_ENV.publicUrl]: 'https://verify.example.com',
    }),
  };
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [k, v] of Object.entries({ ...awsEnv, KYC_OPERATORS_USER_POOL_ID: POOL })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    resetAwsRuntimeForTests();
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetAwsRuntimeForTests();
  });

  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, (s) => lines.push(s));
    return { code, text: lines.join('\n') };
  }

  it('operators reset-password drives the Cognito pool and prints the temporary password once', async () => {
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});
    cognito
      .on(AdminGetUserCommand)
      .resolves({ Username: 'sub-1', UserAttributes: user('ops@example.com', 'org_a').Attributes });
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'admin' }] });
    const res = await cli('operators', 'reset-password', 'ops@example.com', '--json');
    expect(res.code).toBe(0);
    const body = JSON.parse(res.text) as { email: string; role: string; password: string };
    expect(body).toEqual({ email: 'ops@example.com', role: 'admin', password: expect.any(String) });
    expect(cognito).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, {
      Password: body.password,
      Permanent: false,
    });
  });

  it('operators list and disable: Cognito errors become exit 2 with the error shape', async () => {
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [] });
    cognito.on(ListUsersCommand).resolves({ Users: [user('a@example.com', 'org_a')] });
    const listed = await cli('operators', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.text)).toEqual([
      expect.objectContaining({ email: 'a@example.com', role: null, orgId: 'org_a', disabledAt: null }),
    ]);
    cognito.on(AdminDisableUserCommand).rejects(cognitoError('UserNotFoundException'));
    const missing = await cli('operators', 'disable', 'nobody@example.com', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.text)).toEqual({
      error: { code: 'not_found', message: 'Operator not found.', details: [] },
    });
  });

  it('without KYC_OPERATORS_USER_POOL_ID the operator commands say which variable to set', async () => {
    delete process.env.KYC_OPERATORS_USER_POOL_ID;
    const res = await cli('operators', 'list');
    expect(res.code).toBe(2);
    expect(res.text).toContain('KYC_OPERATORS_USER_POOL_ID');
    expect(res.text).toContain('KycOperatorsUserPoolId');
    expect(cognito).not.toHaveReceivedCommand(ListUsersCommand);
  });
});
