import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The layer rule (.dependency-cruiser.cjs, run by `npm run lint`) must bite: a module that imports the wrong
 * way fails the check, one that imports inward passes. Each case builds a tiny tree in a temp directory and
 * runs the same script lint runs, there.
 */
const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '../../scripts/check-layers.mjs');

async function checkTree(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const root = await mkdtemp(join(tmpdir(), 'kyc-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const roots = [...new Set(Object.keys(files).map((p) => p.split('/')[0]!))];
    try {
      const { stdout } = await run(process.execPath, [SCRIPT, ...roots], { cwd: root });
      return { code: 0, output: stdout };
    } catch (err) {
      const failed = err as { code: number; stdout: string };
      return { code: failed.code, output: failed.stdout };
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const port = 'export interface Clock { now(): Date }\n';

it('a domain module importing a port is a violation', async () => {
  const result = await checkTree({
    'functions/ports/clock.ts': port,
    'functions/domain/rule.ts':
      "import type { Clock } from '../ports/clock';\nexport const at = (c: Clock) => c.now();\n",
  });
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('domain-imports-nothing-of-ours');
  expect(result.output).toContain('functions/domain/rule.ts');
}, 60_000);

it('a use case importing the HTTP layer and the CDK app importing a Lambda entry are violations', async () => {
  const result = await checkTree({
    'functions/http/schemas.ts': 'export const body = 1;\n',
    'functions/app/use-case.ts': "import { body } from '../http/schemas';\nexport const x = body;\n",
    'functions/aws/entries/handler.ts': 'export const handler = () => 1;\n',
    'lib/stack.ts': "import { handler } from '../functions/aws/entries/handler';\nexport const h = handler;\n",
  });
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('app-imports-domain-and-ports');
  expect(result.output).toContain('lib-never-imports-runtime-wiring');
}, 60_000);

it('imports that point inward pass', async () => {
  const result = await checkTree({
    'functions/domain/model.ts': 'export type Mode = "live" | "test";\n',
    'functions/ports/clock.ts': "import type { Mode } from '../domain/model';\nexport interface Clock { mode: Mode }\n",
    'functions/app/use-case.ts':
      "import type { Clock } from '../ports/clock';\nexport const f = (c: Clock) => c.mode;\n",
  });
  expect(result.output).toContain('no dependency violations');
  expect(result.code).toBe(0);
}, 60_000);
