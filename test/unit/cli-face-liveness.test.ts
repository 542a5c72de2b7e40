import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../functions/local/cli';

/** `kyc flows create|update --face-liveness on|off` sets the flow's useFaceLivenessSession. */
describe('kyc flows --face-liveness', () => {
  let dir: string;
  const previous = process.env.KYC_DATA_DIR;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kyc-cli-fl-'));
    process.env.KYC_DATA_DIR = dir;
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.KYC_DATA_DIR;
    else process.env.KYC_DATA_DIR = previous;
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...argv: string[]): Promise<{ code: number; json: any }> {
    const lines: string[] = [];
    const code = await runCli([...argv, '--json'], (s) => lines.push(s));
    const text = lines.join('\n');
    return { code, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
  }

  it('turns the option on and off, and refuses other values', async () => {
    expect((await cli('orgs', 'create', '--name', 'Acme')).code).toBe(0);
    const created = await cli('flows', 'create', '--name', 'FL', '--face-liveness', 'on');
    expect(created.code).toBe(0);
    expect(created.json.useFaceLivenessSession).toBe(true);
    const updated = await cli('flows', 'update', created.json.id, '--face-liveness', 'off');
    expect(updated.json.useFaceLivenessSession).toBe(false);
    expect((await cli('flows', 'update', created.json.id, '--face-liveness', 'yes')).code).not.toBe(0);
  });
});
