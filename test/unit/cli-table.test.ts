import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheckCommand } from '../../functions/checks/cli';
import { helpText, runCli } from '../../functions/local/cli';
import { adminCommands } from '../../functions/local/commands';

/** The admin CLI's command table: help from the table, usage errors with exit code 2. */
describe('kyc command table', () => {
  let dir: string;
  const previous = process.env.KYC_DATA_DIR;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kyc-cli-table-'));
    process.env.KYC_DATA_DIR = dir;
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.KYC_DATA_DIR;
    else process.env.KYC_DATA_DIR = previous;
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...argv: string[]): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const code = await runCli(argv, (s) => lines.push(s));
    return { code, text: lines.join('\n') };
  }

  it('lists every command of the table, and the check commands, in the help', async () => {
    const help = helpText();
    for (const command of adminCommands) expect(help).toContain(`  ${command.name}`);
    for (const check of ['check document', 'check face-match', 'check liveness']) expect(help).toContain(check);
    expect(await cli('help')).toEqual({ code: 0, text: help });
    expect((await cli()).code).toBe(2);
  });

  it('names an unknown command, and shows the commands of the group it names', async () => {
    const { code, text } = await cli('flows', 'delete', 'flow_1');
    expect(code).toBe(2);
    expect(text).toMatch(/^Error: Unknown command: flows delete\n/);
    expect(text).toContain('kyc flows create');
    expect(text).not.toContain('keys create');
    const json = await cli('nope', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.text)).toEqual({
      error: {
        code: 'validation_error',
        message: 'Unknown command: nope',
        details: [{ field: 'nope', issue: 'unknown command' }],
      },
    });
  });

  it('names an unknown or misused flag, and a missing argument, with exit code 2', async () => {
    const unknown = await cli('orgs', 'list', '--plan', 'pro');
    expect(unknown.code).toBe(2);
    expect(unknown.text).toMatch(/^Error: unknown option --plan\n\nUsage: kyc orgs list/);
    const missing = await cli('keys', 'revoke', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.text).error.details).toEqual([{ field: '<keyId>', issue: 'required' }]);
    expect((await cli('keys', 'create', '--legacy=yes')).text).toMatch(/--legacy takes no value/);
  });

  it('prints one command usage with --help, without opening the data directory', async () => {
    const { code, text } = await cli('keys', 'create', '--help');
    expect(code).toBe(0);
    expect(text).toBe(
      'Usage: kyc keys create --mode test|live [--flow <flowId>] [--legacy] [--name <label>] [--org <orgId>]',
    );
  });

  it('runs a command from the table with its flags', async () => {
    const created = await cli('orgs', 'create', '--name', 'Table Co', '--plan', 'pro', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.text)).toMatchObject({ plan: 'pro' });
    const listed = await cli('orgs', 'list');
    expect(listed.text).toMatch(/^id\s+name\s+plan\s+defaultFlowId\n/);
    expect(listed.text).toContain('Table Co');
    const badPlan = await cli('orgs', 'create', '--plan', 'gold');
    expect(badPlan).toEqual({ code: 2, text: 'Error: Invalid plan.\n  --plan: enterprise, pro or free' });
  });

  it('check commands: unknown flag and --help per command, without loading models', async () => {
    const lines: string[] = [];
    const unusedProvider = {} as never;
    expect(
      await runCheckCommand(['face-match', 'a.jpg', 'b.jpg', '--min-age', '3'], (s) => lines.push(s), unusedProvider),
    ).toBe(2);
    expect(lines.join('\n')).toMatch(/^error: unknown option --min-age\nusage: check face-match/);
    lines.length = 0;
    expect(await runCheckCommand(['liveness', '--help'], (s) => lines.push(s), unusedProvider)).toBe(0);
    expect(lines.join('\n')).toMatch(
      /^usage: check liveness \[<frame>\.\.\.\] --prompts left,right,centre \[--sequence <recording\.kseq>\]/,
    );
  });
});
