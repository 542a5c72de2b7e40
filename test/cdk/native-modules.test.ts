/**
 * Native packages are installed for the Lambda's platform at bundling time, not copied from the deployer's
 * node_modules. Proven here by installing for a platform this machine has no build of (linux-arm64: the
 * host's node_modules hold only its own x64 build), then for Lambda's real target, whose sharp must load and
 * process an image. Needs the npm registry or npm's cache, as `cdk deploy` does.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { installNativeModulesCommands, LAMBDA_NATIVE_TARGET, PROJECT_ROOT, SHARP } from '../../lib/kyc-function';

jest.setTimeout(180_000);

const dirs: string[] = [];
const install = (target: { os: string; cpu: string; libc: string }) => {
  const outputDir = mkdtempSync(path.join(tmpdir(), 'kyc-native-'));
  dirs.push(outputDir);
  for (const command of installNativeModulesCommands(outputDir, [SHARP], target)) {
    execSync(command, { stdio: 'pipe', cwd: outputDir });
  }
  return outputDir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** ELF e_machine of the first native addon under `dir` (62 = x86-64, 183 = AArch64). */
function elfMachineOf(dir: string): number {
  const addon = readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.node'));
  if (!addon) throw new Error(`no .node addon under ${dir}`);
  return readFileSync(path.join(dir, addon)).readUInt16LE(18);
}

it('installs the target platform build the host does not have (linux-arm64 on this machine)', () => {
  expect(existsSync(path.join(PROJECT_ROOT, 'node_modules/@img/sharp-linux-arm64'))).toBe(false);
  const out = install({ os: 'linux', cpu: 'arm64', libc: 'glibc' });
  expect(JSON.parse(readFileSync(path.join(out, 'node_modules/sharp/package.json'), 'utf8')).version).toBe(
    SHARP.version,
  );
  expect(elfMachineOf(path.join(out, 'node_modules/@img/sharp-linux-arm64'))).toBe(183);
  expect(existsSync(path.join(out, 'node_modules/@img/sharp-linux-x64'))).toBe(false);
  // Nothing but the modules: no package.json or lock file lands in the Lambda asset.
  expect(readdirSync(out)).toEqual(['node_modules']);
});

it("installs Lambda's target (linux-x64 glibc), whose sharp loads on its own and processes an image", () => {
  const out = install(LAMBDA_NATIVE_TARGET);
  expect(elfMachineOf(path.join(out, 'node_modules/@img/sharp-linux-x64'))).toBe(62);
  // A separate process resolving only from the asset folder, as the Lambda runtime does.
  const script = `require('sharp')({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
    .jpeg().toBuffer().then((b) => process.stdout.write(String(b[0] === 0xff && b[1] === 0xd8)))`;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: out,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(out, 'node_modules') },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe('true');
});
