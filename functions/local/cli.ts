import {
  type CommandSpec,
  commandUsage,
  commandWords,
  findCommand,
  type FlagSpecs,
  parseCommand,
  tableUsage,
  UsageError,
} from '../cli/args';
import type { AppDeps } from '../app/deps';
import { localOperatorAccounts } from '../app/operators';
import type { OperatorAccounts } from '../ports/operator-accounts';
import { checkCommands, runCheckCommand } from '../checks/cli';
import { ApiError, errors } from '../domain/errors';
import { cliRuntime, loadLocalConfig } from './config';
import { adminCommands, type CommandContext } from './commands';
import { defaultOrgId, type Out } from './commands/context';
import { createLocalRuntime } from './deps';

/**
 * The admin CLI (`npm run kyc -- <cmd>`, package bin `kyc`). Works on the same data directory as a
 * running server (SQLite WAL); jobs it queues (redelivery) are picked up by the server's worker.
 * Commands live in the table `commands/index.ts`; `check ...` is the checks CLI (`checks/cli.ts`) mounted here.
 * Every command takes --json for scripts. Exit codes: 0 done, 2 usage or request error.
 */

/** `--json`, accepted by every command. */
const JSON_FLAG: FlagSpecs = { json: { type: 'boolean' } };

const CHECK_SECTION = 'Checks (offline models; same code path as the pipeline)';

/** The help text, generated from both command tables. */
export function helpText(): string {
  const checks: CommandSpec[] = checkCommands.map((c) => ({ ...c, name: `check ${c.name}`, section: CHECK_SECTION }));
  return [
    'Usage: kyc <command> [options] [--json]',
    '',
    tableUsage([...adminCommands, ...checks]),
    '',
    "Environment: KYC_DATA_DIR (default ./.kyc-data), KYC_RUNTIME=aws (+ the stack's table/bucket/key env) to",
    'manage a deployed stack (operators: + KYC_OPERATORS_USER_POOL_ID, its Cognito user pool).',
  ].join('\n');
}

/**
 * Opens the use cases' dependencies: the local data directory, or the deployed stack with KYC_RUNTIME=aws.
 * Operator accounts: the local database, or the stack's Cognito user pool (opened on first use, so the
 * other commands need no KYC_OPERATORS_USER_POOL_ID).
 */
async function openDeps(): Promise<{ deps: AppDeps; operators: () => OperatorAccounts; close(): Promise<void> }> {
  if (cliRuntime() === 'aws') {
    const { createAwsDeps } = await import('../aws/deps');
    const { createAwsOperatorAccounts } = await import('../aws/operator-accounts');
    return { deps: createAwsDeps(), operators: () => createAwsOperatorAccounts(), close: async () => undefined };
  }
  const rt = createLocalRuntime(loadLocalConfig());
  const accounts = localOperatorAccounts(rt.operators);
  return { deps: rt.deps, operators: () => accounts, close: rt.close };
}

/** Renders a request error, as JSON under --json, else as text with its field details. */
function renderError(out: Out, json: boolean, err: ApiError): void {
  if (json) {
    out(JSON.stringify(err.toBody(), null, 2));
    return;
  }
  const details = err.details.map((x) => `\n  ${x.field}: ${x.issue}`).join('');
  out(`Error: ${err.message}${details}`);
}

/** Renders a command-line mistake: the error (as a validation error under --json), else the message and usage. */
function renderUsageError(out: Out, json: boolean, err: UsageError, usage: string): void {
  if (json) renderError(out, json, errors.validation([{ field: err.field, issue: err.issue }], err.message));
  else out(`Error: ${err.message}\n\n${usage}`);
}

/** Usage for an unknown command: the commands of the group the user named (`kyc flows`), else all of them. */
function usageNear(typed: string): string {
  const [group] = typed.split(' ');
  const near = adminCommands.filter((c) => c.name.split(' ')[0] === group);
  return near.length ? `Usage:\n${tableUsage(near, 'kyc ')}` : helpText();
}

/** Runs one admin command line; returns the exit code. `out` receives each block of output. */
export async function runCli(argv: string[], out: Out = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const [first] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    out(helpText());
    return first ? 0 : 2;
  }
  if (first === 'check') return runCheckCommand(argv.slice(1), out);

  /** Before parsing succeeds, --json anywhere asks for a JSON error. */
  const json = argv.includes('--json');
  const found = findCommand(adminCommands, argv);
  if (!found) {
    const typed = commandWords(argv);
    const err = new UsageError(`Unknown command: ${typed}`, typed, 'unknown command');
    renderUsageError(out, json, err, usageNear(typed));
    return 2;
  }
  const { command, rest } = found;
  const usage = commandUsage(command, 'Usage: kyc ');
  let parsed: CommandContext['args'];
  try {
    parsed = parseCommand(command, rest, JSON_FLAG);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    renderUsageError(out, json, err, usage);
    return 2;
  }
  if (parsed.boolean('help')) {
    out(usage);
    return 0;
  }

  const { deps, operators, close } = await openDeps();
  const asJson = parsed.boolean('json');
  const print = (value: unknown, human: () => string) => out(asJson ? JSON.stringify(value, null, 2) : human());
  try {
    await command.run({
      deps,
      args: parsed,
      out,
      print,
      orgId: () => defaultOrgId(deps, parsed.string('org')),
      operators,
    });
    return 0;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    renderError(out, asJson, err);
    return 2;
  } finally {
    await close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
