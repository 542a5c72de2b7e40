import type { CommandSpec, FlagSpecs, ParsedArgs } from '../../cli/args';
import { requireOrg } from '../../app/admin';
import type { AppDeps } from '../../app/deps';
import type { OperatorAccounts } from '../../ports/operator-accounts';
import { errors } from '../../domain/errors';

/** Where a command writes its output, one call per block of text. */
export type Out = (s: string) => void;

/** What an admin command gets: the wired use-case dependencies and its parsed command line. */
export interface CommandContext {
  deps: AppDeps;
  args: ParsedArgs;
  out: Out;
  /** Prints `value` as JSON under --json, else the human-readable text. */
  print(value: unknown, human: () => string): void;
  /** The organisation named by --org, or the only one (the command must declare {@link ORG_FLAG}). */
  orgId(): Promise<string>;
  /** Dashboard operator accounts: the local runtime's database, or the deployed stack's Cognito user pool. */
  operators(): OperatorAccounts;
}

/** One row of the admin CLI's command table. Throw ApiError for failures the user should see (exit 2). */
export interface AdminCommand extends CommandSpec {
  run(ctx: CommandContext): Promise<void>;
}

/** `--org <orgId>`: every organisation-scoped command takes it; it defaults to the only organisation. */
export const ORG_FLAG: FlagSpecs = { org: { type: 'string', value: '<orgId>' } };

/** The organisation `explicit` names (checked to exist), or the only one; several or none is a usage error. */
export async function defaultOrgId(d: AppDeps, explicit: string | undefined): Promise<string> {
  if (explicit) return (await requireOrg(d, explicit)).id;
  const orgs = await d.store.orgs.list();
  const only = orgs.length === 1 ? orgs[0] : undefined;
  if (only) return only.id;
  const choices = orgs.map((o) => `${o.id} (${o.name})`).join(', ');
  throw errors.validation(
    [{ field: '--org', issue: orgs.length ? `required: one of ${orgs.map((o) => o.id).join(', ')}` : 'required' }],
    orgs.length
      ? `Several organisations exist; pass --org <orgId>, one of: ${choices}.`
      : 'No organisation yet; run `npm start` once or `kyc orgs create`.',
  );
}

/** Rows as aligned text columns (keys of the first row are the header); `-` for empty cells. */
export function table(rows: Array<Record<string, unknown>>): string {
  const first = rows[0];
  if (!first) return '(none)';
  const cols = Object.keys(first);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') || '-' : String(v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

/** A comma-separated flag value as a trimmed list, or undefined when the flag is absent. */
export function list(s: string | undefined): string[] | undefined {
  return s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
}
