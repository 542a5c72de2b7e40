/**
 * IAM as far as a Lambda role's identity policy decides: a request (action, resource) is allowed when an
 * Allow statement matches both (IAM wildcards `*` and `?`; actions case-insensitive) and no Deny does.
 * Actions without resource-level permissions are requested on `*`, which only `Resource: "*"` matches.
 */
export interface ResolvedStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/** One IAM authorization an AWS call needs (a call may need several: SSE-KMS, transactions). */
export interface IamRequest {
  action: string;
  resource: string;
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '').test(value);
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function matches(s: ResolvedStatement, r: IamRequest): boolean {
  if (s.Condition) throw new Error('statement conditions are not modelled');
  const actionOk = list(s.Action).some((a) => glob(a, r.action, true));
  const resourceOk = list(s.Resource).some((p) => (r.resource === '*' ? p === '*' : glob(p, r.resource, false)));
  return actionOk && resourceOk;
}

export function isAllowed(statements: ResolvedStatement[], r: IamRequest): boolean {
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, r))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, r));
}
