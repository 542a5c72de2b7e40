import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ApiError, errors } from '../../domain/errors';
import { COGNITO_ORG_ATTRIBUTE, normalizeEmail, OPERATOR_ROLES, type OperatorRole } from '../../domain/operators';
import type { OperatorAccount, OperatorAccounts } from '../../ports/operator-accounts';

/**
 * A generated temporary password: 18 random bytes (144 bits, base64url) followed by one character of each
 * class the pool's policy requires (lower, upper, digit, symbol), which add no entropy but make every
 * generated password acceptable to the 14-character policy in lib/operators.ts.
 */
export function generateTemporaryPassword(): string {
  return `${randomBytes(18).toString('base64url')}aA7!`;
}

const attribute = (attrs: AttributeType[] | undefined, name: string) =>
  attrs?.find((a) => a.Name === name)?.Value ?? null;

/** Cognito's error names -> the CLI's errors, each saying what to do. */
function mapCognitoError(err: unknown, action: string, poolId: string): never {
  if (err instanceof ApiError) throw err;
  const name = err instanceof Error ? err.name : '';
  switch (name) {
    case 'UsernameExistsException':
    case 'AliasExistsException':
      throw errors.conflict('operator_exists', 'An operator with this email already exists.', [
        { field: 'email', issue: 'already taken' },
      ]);
    case 'UserNotFoundException':
      throw errors.notFound('Operator');
    case 'ResourceNotFoundException':
      throw errors.invalidRequest(
        'operators_pool_not_found',
        `No Cognito user pool or group ${poolId} here: set KYC_OPERATORS_USER_POOL_ID to the stack output KycOperatorsUserPoolId (and AWS_REGION to KycRegion).`,
        [{ field: 'KYC_OPERATORS_USER_POOL_ID', issue: 'not a user pool of this account and region' }],
      );
    case 'AccessDeniedException':
    case 'NotAuthorizedException':
    case 'UnrecognizedClientException':
    case 'ExpiredTokenException':
    case 'CredentialsProviderError':
      throw errors.forbidden(
        'aws_access_denied',
        `Your AWS credentials may not call cognito-idp:${action} on the operators' user pool ${poolId} (${name}).`,
      );
    case 'InvalidParameterException':
    case 'InvalidPasswordException':
      throw errors.validation(
        [{ field: 'email', issue: err instanceof Error ? err.message : 'rejected by Cognito' }],
        `Cognito refused ${action}.`,
      );
    case 'TooManyRequestsException':
    case 'LimitExceededException':
      throw errors.rateLimited('cognito_throttled', `Cognito throttled ${action}; try again in a moment.`);
    default:
      throw err;
  }
}

/**
 * The operator-accounts port over the stack's Cognito user pool (the CLI's `operators ...` with
 * KYC_RUNTIME=aws). The username is the email (the pool signs in by email); the role is membership of the
 * group `admin` or `reviewer`; the organisation is the immutable attribute `custom:orgId`. Passwords are
 * temporary: generated here, shown once by the CLI (Cognito sends no email), changed at the first sign-in.
 * Disabling and password resets also sign the user out everywhere (refresh tokens revoked).
 * Needs, on the pool ARN only: AdminCreateUser, AdminAddUserToGroup, AdminDeleteUser (undoing a half-made
 * account), ListUsers, ListUsersInGroup, AdminGetUser, AdminListGroupsForUser, AdminDisableUser,
 * AdminSetUserPassword, AdminUserGlobalSignOut. No Lambda of the stack is granted any of these.
 */
export function createCognitoOperatorAccounts(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): OperatorAccounts {
  const call = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      mapCognitoError(err, action, userPoolId);
    }
  };

  const toAccount = (
    user: Pick<UserType, 'Attributes' | 'Enabled' | 'UserCreateDate' | 'UserLastModifiedDate' | 'Username'>,
    role: OperatorRole | null,
  ): OperatorAccount => ({
    email: attribute(user.Attributes, 'email') ?? user.Username ?? '',
    role,
    orgId: attribute(user.Attributes, COGNITO_ORG_ATTRIBUTE),
    createdAt: user.UserCreateDate?.toISOString() ?? null,
    lastSignInAt: null,
    // Cognito keeps no disable time: the last modification is when it was disabled unless changed since.
    disabledAt: user.Enabled === false ? (user.UserLastModifiedDate?.toISOString() ?? null) : null,
  });

  /** One user by email, with its role from its groups. */
  async function getAccount(email: string): Promise<OperatorAccount> {
    const username = normalizeEmail(email);
    const user = await call('AdminGetUser', () =>
      client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username })),
    );
    const groups = await call('AdminListGroupsForUser', () =>
      client.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username })),
    );
    const names = (groups.Groups ?? []).map((g) => g.GroupName);
    const role = OPERATOR_ROLES.find((r) => names.includes(r)) ?? null;
    return toAccount({ ...user, Attributes: user.UserAttributes }, role);
  }

  /** The usernames in a group, every page. */
  async function membersOf(group: OperatorRole): Promise<Set<string>> {
    const members = new Set<string>();
    let token: string | undefined;
    do {
      const page = await call('ListUsersInGroup', () =>
        client.send(new ListUsersInGroupCommand({ UserPoolId: userPoolId, GroupName: group, NextToken: token })),
      );
      for (const u of page.Users ?? []) if (u.Username) members.add(u.Username);
      token = page.NextToken;
    } while (token);
    return members;
  }

  return {
    async create({ orgId, email, role }) {
      const username = normalizeEmail(email);
      const password = generateTemporaryPassword();
      const created = await call('AdminCreateUser', () =>
        client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: username,
            TemporaryPassword: password,
            // The CLI shows the password once; Cognito sends no invitation with it.
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: username },
              { Name: 'email_verified', Value: 'true' },
              { Name: COGNITO_ORG_ATTRIBUTE, Value: orgId },
            ],
          }),
        ),
      );
      try {
        await call('AdminAddUserToGroup', () =>
          client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: role })),
        );
      } catch (err) {
        // A user without a role could sign in to nothing; remove it so `create` can simply be run again.
        await client
          .send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: username }))
          .catch(() => undefined);
        throw err;
      }
      const user = created.User ?? {};
      return { account: toAccount({ ...user, Username: username }, role), password };
    },

    async list(orgId) {
      const [admins, reviewers] = await Promise.all([membersOf('admin'), membersOf('reviewer')]);
      const accounts: OperatorAccount[] = [];
      let token: string | undefined;
      do {
        const page = await call('ListUsers', () =>
          client.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken: token })),
        );
        for (const u of page.Users ?? []) {
          const name = u.Username ?? '';
          const role = admins.has(name) ? 'admin' : reviewers.has(name) ? 'reviewer' : null;
          accounts.push(toAccount(u, role));
        }
        token = page.PaginationToken;
      } while (token);
      return accounts
        .filter((a) => !orgId || a.orgId === orgId)
        .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.email.localeCompare(b.email));
    },

    async disable(email) {
      const username = normalizeEmail(email);
      await call('AdminDisableUser', () =>
        client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username })),
      );
      await call('AdminUserGlobalSignOut', () =>
        client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username })),
      );
      return getAccount(username);
    },

    async resetPassword(email) {
      const username = normalizeEmail(email);
      const password = generateTemporaryPassword();
      await call('AdminSetUserPassword', () =>
        client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: username,
            Password: password,
            Permanent: false,
          }),
        ),
      );
      await call('AdminUserGlobalSignOut', () =>
        client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username })),
      );
      return { account: await getAccount(username), password };
    },
  };
}
