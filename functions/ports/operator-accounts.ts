import type { OperatorRole } from '../domain/operators';

/**
 * Dashboard operator accounts as an admin manages them (the CLI's `operators ...` commands): the local
 * runtime keeps them in its database (app/operators.ts), AWS in the stack's Cognito user pool
 * (adapters/aws/cognito-operator-accounts.ts). Sign-in itself is not part of this port.
 */
export interface OperatorAccount {
  email: string;
  /** Null for a Cognito user in neither group (it cannot use the dashboard). */
  role: OperatorRole | null;
  /** Null for a Cognito user without the organisation attribute. */
  orgId: string | null;
  createdAt: string | null;
  /** Null where unknown (Cognito does not report sign-ins). */
  lastSignInAt: string | null;
  disabledAt: string | null;
}

/** An account with a generated password to show once (temporary on Cognito: changed at the first sign-in). */
export interface OperatorWithPassword {
  account: OperatorAccount;
  password: string;
}

export interface OperatorAccounts {
  /** Creates an operator of `orgId` with a generated password. Conflict error when the email is taken. */
  create(input: { orgId: string; email: string; role: OperatorRole }): Promise<OperatorWithPassword>;
  /** Every operator, or those of one organisation. */
  list(orgId?: string): Promise<OperatorAccount[]>;
  /** Disables the operator and signs out all its sessions. Not-found error for an unknown email. */
  disable(email: string): Promise<OperatorAccount>;
  /** Sets a new generated password and signs out all its sessions. Not-found error for an unknown email. */
  resetPassword(email: string): Promise<OperatorWithPassword>;
}
