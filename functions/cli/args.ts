/**
 * Command-line parsing shared by the admin CLI (`local/cli.ts`) and the `check` commands (`checks/cli.ts`):
 * each CLI is a table of commands, each command declares its arguments and flags, and the parser and the
 * usage text both come from that table. Imports nothing of ours, so every layer may use it.
 */

/** Bad command line: unknown command or flag, missing value or argument. CLIs exit with code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command-line item at fault (`--mode`, `<flowId>`, the command name). */
    readonly field: string,
    readonly issue: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** `string` flags take a value (`--name v` or `--name=v`); `boolean` flags take none. */
  type: 'string' | 'boolean';
  /** Placeholder for the value in usage text, e.g. `test|live`. */
  value?: string;
  /** Shown without brackets in usage. The command itself checks it, with its own message. */
  required?: boolean;
  /** Short note shown after the command's usage line. */
  note?: string;
  /** A `string` flag that may be given several times (`--reason A --reason B`); read with `strings()`. */
  repeatable?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ArgSpec {
  name: string;
  optional?: boolean;
  /** Takes every remaining positional argument (must be last). */
  variadic?: boolean;
}

/** A command's shape: everything the parser and the usage text need. */
export interface CommandSpec {
  /** One or two words, e.g. `sweep` or `flows create`. */
  name: string;
  args?: readonly ArgSpec[];
  /** Flags by name, without the leading `--`. */
  flags?: FlagSpecs;
  /** Short note shown after the usage line. */
  note?: string;
  /** Usage is grouped under section headings, in table order. */
  section?: string;
}

/** A parsed command line: positional arguments and declared flags, read through typed accessors. */
export class ParsedArgs {
  constructor(
    readonly positionals: readonly string[],
    private readonly values: ReadonlyMap<string, string | true>,
    private readonly specs: FlagSpecs,
    private readonly repeated: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {}

  /** Value of a string flag, or undefined when absent. */
  string(name: string): string | undefined {
    this.declared(name, 'string');
    const value = this.values.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  /** Every value of a repeatable string flag, in command-line order (empty when absent). */
  strings(name: string): string[] {
    this.declared(name, 'string');
    return [...(this.repeated.get(name) ?? [])];
  }

  /** Whether a boolean flag was given. */
  boolean(name: string): boolean {
    this.declared(name, 'boolean');
    return this.values.get(name) === true;
  }

  /** Whether the flag was given at all. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Reading an undeclared flag is a bug in the command, not a user error. */
  private declared(name: string, type: FlagSpec['type']): void {
    if (this.specs[name]?.type !== type) throw new Error(`flag --${name} is not declared as ${type}`);
  }
}

/**
 * Parses `args` against the declared flags. Flags start with `--` (`-h` is `--help` where declared); `--` alone
 * ends flags. Unknown flags and missing values throw {@link UsageError}.
 */
export function parseArgs(args: readonly string[], flags: FlagSpecs): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string | true>();
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h' && flags.help?.type === 'boolean') {
      values.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const spec = flags[name];
    if (!spec) throw new UsageError(`unknown option --${name}`, `--${name}`, 'unknown option');
    if (spec.type === 'boolean') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`, `--${name}`, 'takes no value');
      values.set(name, true);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`, `--${name}`, 'needs a value');
    values.set(name, value);
    repeated.set(name, [...(repeated.get(name) ?? []), value]);
  }
  return new ParsedArgs(positionals, values, flags, repeated);
}

/** `--help`, accepted by every command. */
export const HELP_FLAG: FlagSpecs = { help: { type: 'boolean' } };

/**
 * Parses a command's arguments (after its name) against its flags plus `globalFlags` and `--help`, then checks
 * its positional arguments (unless `--help` was given: the caller prints usage instead).
 */
export function parseCommand(command: CommandSpec, args: readonly string[], globalFlags: FlagSpecs = {}): ParsedArgs {
  const parsed = parseArgs(args, { ...globalFlags, ...command.flags, ...HELP_FLAG });
  if (!parsed.boolean('help')) checkArity(parsed.positionals, command.args ?? []);
  return parsed;
}

function checkArity(positionals: readonly string[], argSpecs: readonly ArgSpec[]): void {
  const missing = argSpecs.find((spec, i) => !spec.optional && positionals.length <= i);
  if (missing) throw new UsageError(`missing <${missing.name}>`, `<${missing.name}>`, 'required');
  const variadic = argSpecs.at(-1)?.variadic === true;
  if (!variadic && positionals.length > argSpecs.length) {
    const extra = positionals[argSpecs.length] as string;
    throw new UsageError(`unexpected argument "${extra}"`, extra, 'unexpected argument');
  }
}

/**
 * Finds the command named by the leading words of `argv` (longest name first). Returns the command and the
 * arguments after its name, or undefined when no command matches.
 */
export function findCommand<C extends CommandSpec>(
  table: readonly C[],
  argv: readonly string[],
): { command: C; rest: string[] } | undefined {
  const byLength = [...table].sort((a, b) => words(b.name).length - words(a.name).length);
  for (const command of byLength) {
    const name = words(command.name);
    if (name.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(name.length) };
  }
  return undefined;
}

/** The command words the user typed (leading words that are not flags), for error messages. */
export function commandWords(argv: readonly string[], max = 2): string {
  const typed: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-') || typed.length === max) break;
    typed.push(arg);
  }
  return typed.join(' ');
}

const words = (name: string) => name.split(' ');

/** Notes line up at this column when they fit on the usage line. */
const NOTE_COLUMN = 40;

function flagUsage(name: string, spec: FlagSpec): string {
  const text = spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? `<${name}>`}`;
  const shown = spec.required ? text : `[${text}]`;
  return spec.repeatable ? `${shown}...` : shown;
}

function argUsage(spec: ArgSpec): string {
  const text = `<${spec.name}>${spec.variadic ? '...' : ''}`;
  return spec.optional ? `[${text}]` : text;
}

/** One command's usage: `prefix name args flags`, wrapped at `width` columns, then its notes. */
export function commandUsage(command: CommandSpec, prefix = '', width = 110): string {
  const head = `${prefix}${command.name}`;
  const parts = [
    ...(command.args ?? []).map(argUsage),
    ...Object.entries(command.flags ?? {}).map(([name, spec]) => flagUsage(name, spec)),
  ];
  const indent = ' '.repeat(Math.min(head.length + 1, 24));
  const lines = [head];
  for (const part of parts) {
    const current = lines.length - 1;
    if ((lines[current] as string).length + 1 + part.length > width && lines[current] !== head) {
      lines.push(`${indent}${part}`);
    } else {
      lines[current] = `${lines[current]} ${part}`;
    }
  }
  const flagNotes = Object.entries(command.flags ?? {})
    .filter(([, spec]) => spec.note)
    .map(([name, spec]) => `--${name}: ${spec.note}`);
  const notes = [command.note, ...flagNotes].filter((note): note is string => Boolean(note));
  for (const note of notes) {
    const last = lines.length - 1;
    const sameLine = `${(lines[last] as string).padEnd(NOTE_COLUMN - 1)} (${note})`;
    if (sameLine.length <= width) lines[last] = sameLine;
    else lines.push(`${indent}(${note})`);
  }
  return lines.join('\n');
}

/** Usage for a whole table: commands grouped under their sections, in table order, indented by two spaces. */
export function tableUsage(table: readonly CommandSpec[], prefix = ''): string {
  const lines: string[] = [];
  let section: string | undefined;
  for (const command of table) {
    if (command.section !== undefined && command.section !== section) {
      section = command.section;
      lines.push(section);
    }
    lines.push(
      ...commandUsage(command, prefix)
        .split('\n')
        .map((line) => `  ${line}`),
    );
  }
  return lines.join('\n');
}
