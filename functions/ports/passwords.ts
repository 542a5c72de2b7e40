/** Password hashing port (operator passwords on the local runtime). */
export interface PasswordHasher {
  /** A self-describing hash (algorithm, parameters, salt, digest). */
  hash(password: string): Promise<string>;
  /** Constant-time check; false for a malformed hash. */
  verify(password: string, hash: string): Promise<boolean>;
}
