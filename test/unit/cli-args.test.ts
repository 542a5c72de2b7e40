import {
  type CommandSpec,
  commandUsage,
  findCommand,
  parseArgs,
  parseCommand,
  tableUsage,
  UsageError,
} from '../../functions/cli/args';

/** The command-line parser shared by the admin CLI and the `check` commands. */
describe('parseArgs', () => {
  const flags = { name: { type: 'string' }, json: { type: 'boolean' } } as const;

  it('reads string flags as `--x v` or `--x=v`, boolean flags, positionals and `--`', () => {
    const parsed = parseArgs(['a', '--name', 'n1', '--json', 'b', '--name=n2', '--', '--not-a-flag'], flags);
    expect(parsed.positionals).toEqual(['a', 'b', '--not-a-flag']);
    expect(parsed.string('name')).toBe('n2');
    expect(parsed.boolean('json')).toBe(true);
    expect(parseArgs([], flags).boolean('json')).toBe(false);
    expect(parseArgs([], flags).string('name')).toBeUndefined();
  });

  it('collects every value of a repeatable flag in order, and shows it as repeatable in usage', () => {
    const repeatable = { reason: { type: 'string', repeatable: true }, ...flags } as const;
    const parsed = parseArgs(['--reason', 'A', '--reason=B', '--name', 'n'], repeatable);
    expect(parsed.strings('reason')).toEqual(['A', 'B']);
    expect(parseArgs([], repeatable).strings('reason')).toEqual([]);
    expect(commandUsage({ name: 'x', flags: { reason: { type: 'string', value: '<CODE>', repeatable: true } } })).toBe(
      'x [--reason <CODE>]...',
    );
  });

  it('names the flag at fault', () => {
    const fault = (args: string[]) => {
      try {
        parseArgs(args, flags);
      } catch (err) {
        if (err instanceof UsageError) return { message: err.message, field: err.field, issue: err.issue };
        throw err;
      }
      throw new Error('no UsageError');
    };
    expect(fault(['--nmae', 'x'])).toEqual({
      message: 'unknown option --nmae',
      field: '--nmae',
      issue: 'unknown option',
    });
    expect(fault(['--name'])).toMatchObject({ field: '--name', issue: 'needs a value' });
    expect(fault(['--json=yes'])).toMatchObject({ field: '--json', issue: 'takes no value' });
  });

  it('refuses to read a flag the command did not declare (a bug, not a usage error)', () => {
    const parsed = parseArgs([], flags);
    expect(() => parsed.string('other')).toThrow('not declared');
    expect(() => parsed.boolean('name')).toThrow('not declared');
  });
});

describe('command tables', () => {
  const table: CommandSpec[] = [
    { name: 'sweep', section: 'Maintenance', note: 'now' },
    { name: 'keys revoke', section: 'Keys', args: [{ name: 'keyId' }], flags: { org: { type: 'string' } } },
    { name: 'keys', section: 'Keys', args: [{ name: 'file', variadic: true }] },
  ];

  it('finds the longest matching command name', () => {
    expect(findCommand(table, ['keys', 'revoke', 'k1'])).toMatchObject({
      command: { name: 'keys revoke' },
      rest: ['k1'],
    });
    expect(findCommand(table, ['keys', 'a', 'b'])).toMatchObject({ command: { name: 'keys' }, rest: ['a', 'b'] });
    expect(findCommand(table, ['orgs', 'list'])).toBeUndefined();
  });

  it('checks arity unless --help is given', () => {
    const revoke = table[1] as CommandSpec;
    expect(() => parseCommand(revoke, [])).toThrow('missing <keyId>');
    expect(() => parseCommand(revoke, ['a', 'b'])).toThrow('unexpected argument "b"');
    expect(parseCommand(revoke, ['--help']).boolean('help')).toBe(true);
    expect(parseCommand(revoke, ['-h']).boolean('help')).toBe(true);
    expect(() => parseCommand(table[2] as CommandSpec, [])).toThrow('missing <file>');
    expect(parseCommand(table[2] as CommandSpec, ['a', 'b', 'c']).positionals).toHaveLength(3);
    expect(parseCommand(revoke, ['k', '--json'], { json: { type: 'boolean' } }).boolean('json')).toBe(true);
  });

  it('generates usage grouped by section', () => {
    expect(commandUsage(table[1] as CommandSpec, 'kyc ')).toBe('kyc keys revoke <keyId> [--org <org>]');
    expect(tableUsage(table).split('\n')).toEqual([
      'Maintenance',
      `  ${'sweep'.padEnd(39)} (now)`,
      'Keys',
      '  keys revoke <keyId> [--org <org>]',
      '  keys <file>...',
    ]);
  });
});
