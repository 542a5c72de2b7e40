import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { DEFAULT_THRESHOLDS } from '../domain/flows';
import type { DocumentType, FlowThresholds, HeadPrompt } from '../domain/model';
import type { CheckProvider, CheckResult, DocumentCheckResult, ImageInput } from '../ports/checks';
import { createLocalCheckProvider } from './local';

/**
 * `check` CLI commands: run one check on local image files through the same provider code the pipeline uses.
 *
 *   check document <front> [<back>] [--today YYYY-MM-DD] [--min-age N] [--types passport,id_card] [--countries UTO,D]
 *   check face-match <reference> <probe> [--threshold 0.6]
 *   check liveness --prompts left,right,centre <frame>... [--selfie <image>] [--min-yaw 0.12]
 *   (every command: --json for machine-readable output)
 *
 * Exit codes: 0 = check passed, 1 = check did not pass (fail / inconclusive), 2 = usage or file error.
 */

const USAGE = [
  'usage:',
  '  check document <front image> [<back image>] [--today YYYY-MM-DD] [--min-age N] [--types t1,t2] [--countries C1,C2] [--json]',
  '  check face-match <reference image> <probe image> [--threshold D] [--json]',
  '  check liveness --prompts left,right,centre <frame> <frame> ... [--selfie <image>] [--min-yaw Y] [--json]',
].join('\n');

class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value; everything else starting with -- is boolean. */
const VALUE_FLAGS = new Set([
  '--today',
  '--min-age',
  '--types',
  '--countries',
  '--threshold',
  '--prompts',
  '--selfie',
  '--min-yaw',
]);

function parseArgs(args: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else if (name === '--json' || name === '--help') {
      flags.set(name, true);
    } else {
      throw new UsageError(`unknown option ${name}`);
    }
  }
  return { positional, flags };
}

function flag(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function numberFlag(parsed: ParsedArgs, name: string, schema: z.ZodNumber): number | undefined {
  const raw = flag(parsed, name);
  if (raw === undefined) return undefined;
  const result = schema.safeParse(Number(raw));
  if (!result.success) throw new UsageError(`${name}: invalid value "${raw}"`);
  return result.data;
}

async function loadImage(file: string): Promise<ImageInput> {
  try {
    return { bytes: await readFile(file), label: path.basename(file) };
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const promptsSchema = z.array(z.enum(['left', 'right', 'centre'])).min(1);
const documentTypesSchema = z.array(z.enum(['passport', 'id_card', 'driving_licence', 'residence_permit']));
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

function list(raw: string | undefined): string[] {
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

function thresholds(parsed: ParsedArgs): FlowThresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    faceMatchMaxDistance:
      numberFlag(parsed, '--threshold', z.number().gt(0).lt(2)) ?? DEFAULT_THRESHOLDS.faceMatchMaxDistance,
    livenessMinYaw: numberFlag(parsed, '--min-yaw', z.number().gt(0).lt(2)) ?? DEFAULT_THRESHOLDS.livenessMinYaw,
  };
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function exitCode(result: CheckResult): number {
  return result.outcome === 'pass' ? 0 : 1;
}

/** Result without bulky binary parts (the portrait crop), for JSON output. */
function documentJson(result: DocumentCheckResult): Record<string, unknown> {
  const { portrait, ...rest } = result;
  return { ...rest, portrait: portrait ? { bytes: portrait.length, format: 'jpeg' } : null };
}

function table(rows: Array<[string, unknown]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v === null || v === undefined ? '-' : String(v)}`).join('\n');
}

function common(result: CheckResult): Array<[string, unknown]> {
  return [
    ['outcome', result.outcome],
    ['reason codes', result.reasonCodes.join(', ') || '(none)'],
    ['risk flags', result.riskFlags.join(', ') || '(none)'],
    ['timings (ms)', result.timings.map((t) => `${t.step}=${t.ms}`).join(' ')],
  ];
}

async function runDocument(parsed: ParsedArgs, provider: CheckProvider, out: (s: string) => void): Promise<number> {
  const [frontFile, backFile, ...extra] = parsed.positional;
  if (!frontFile || extra.length > 0) throw new UsageError('check document takes one or two images');
  const todayValue = flag(parsed, '--today') ?? today();
  if (!dateSchema.safeParse(todayValue).success) throw new UsageError('--today must be YYYY-MM-DD');
  const types = documentTypesSchema.safeParse(list(flag(parsed, '--types')));
  if (!types.success) throw new UsageError('--types: passport, id_card, driving_licence, residence_permit');
  const result = await provider.checkDocument({
    front: await loadImage(frontFile),
    back: backFile ? await loadImage(backFile) : null,
    flow: {
      documentTypes: types.data as DocumentType[],
      issuingCountries: list(flag(parsed, '--countries')).map((c) => c.toUpperCase()),
      minimumAge: numberFlag(parsed, '--min-age', z.number().int().min(0).max(150)) ?? null,
    },
    today: todayValue,
  });
  if (parsed.flags.has('--json')) {
    out(JSON.stringify(documentJson(result), null, 2));
    return exitCode(result);
  }
  const f = result.fields;
  const rows: Array<[string, unknown]> = [
    ['document type', f?.documentType],
    ['MRZ format', f?.mrzFormat],
    ...(f?.mrzLines ?? []).map((line, i): [string, unknown] => [`MRZ line ${i + 1}`, line]),
    ['issuing country', f?.issuingCountry],
    ['document number', f?.documentNumber],
    ['surname', f?.surname],
    ['given names', f?.givenNames],
    ['nationality', f?.nationality],
    ['birth date', f?.birthDate],
    ['expiry date', f?.expiryDate],
    ['sex', f?.sex],
    ...Object.entries(f?.checkDigits ?? {}).map(([k, v]): [string, unknown] => [
      `check digit ${k}`,
      v ? 'valid' : 'INVALID',
    ]),
    ['portrait', result.portrait ? `found (${result.portrait.length} bytes JPEG)` : 'not found'],
    ...common(result),
  ];
  out(table(rows));
  return exitCode(result);
}

async function runFaceMatch(parsed: ParsedArgs, provider: CheckProvider, out: (s: string) => void): Promise<number> {
  const [referenceFile, probeFile, ...extra] = parsed.positional;
  if (!referenceFile || !probeFile || extra.length > 0)
    throw new UsageError('check face-match takes exactly two images');
  const result = await provider.checkFaceMatch({
    reference: await loadImage(referenceFile),
    probe: await loadImage(probeFile),
    flow: { thresholds: thresholds(parsed) },
  });
  const match = result.outcome === 'pass' ? true : result.outcome === 'fail' ? false : null;
  if (parsed.flags.has('--json')) {
    out(JSON.stringify({ ...result, match }, null, 2));
    return exitCode(result);
  }
  out(
    table([
      ['faces in reference', result.extracted.referenceFaces],
      ['faces in probe', result.extracted.probeFaces],
      ['distance', result.scores.distance],
      ['similarity', result.scores.similarity],
      ['threshold', result.scores.threshold],
      ['match', match === null ? 'inconclusive' : match],
      ...common(result),
    ]),
  );
  return exitCode(result);
}

interface FrameRow {
  index: number;
  prompt: string;
  faces: number;
  yaw: number | null;
  distance: number | null;
  poseOk: boolean;
  samePerson: boolean;
}

async function runLiveness(parsed: ParsedArgs, provider: CheckProvider, out: (s: string) => void): Promise<number> {
  const prompts = promptsSchema.safeParse(list(flag(parsed, '--prompts')));
  if (!prompts.success) throw new UsageError('--prompts: comma-separated left, right, centre');
  if (parsed.positional.length !== prompts.data.length) {
    throw new UsageError(
      `${prompts.data.length} prompts need ${prompts.data.length} frames, got ${parsed.positional.length}`,
    );
  }
  const selfieFile = flag(parsed, '--selfie');
  const result = await provider.checkLiveness({
    prompts: prompts.data as HeadPrompt[],
    frames: await Promise.all(parsed.positional.map(loadImage)),
    selfie: selfieFile ? await loadImage(selfieFile) : null,
    flow: { thresholds: thresholds(parsed) },
  });
  if (parsed.flags.has('--json')) {
    out(JSON.stringify(result, null, 2));
    return exitCode(result);
  }
  const frames = (Array.isArray(result.extracted.frames) ? result.extracted.frames : []) as FrameRow[];
  const lines = ['frame  prompt  faces  yaw     distance  pose  same person'];
  for (const f of frames) {
    lines.push(
      [
        String(f.index + 1).padEnd(5),
        f.prompt.padEnd(6),
        String(f.faces).padEnd(5),
        (f.yaw === null ? '-' : f.yaw.toFixed(3)).padEnd(7),
        (f.distance === null ? '-' : f.distance.toFixed(3)).padEnd(8),
        (f.poseOk ? 'ok' : 'NO').padEnd(4),
        f.samePerson ? 'yes' : 'NO',
      ].join('  '),
    );
  }
  out(
    `${lines.join('\n')}\n\n${table([['pass', result.outcome === 'pass'], ['min yaw', result.scores.minYaw], ...common(result)])}`,
  );
  return exitCode(result);
}

/**
 * Runs a `check` subcommand. `args` start after the word `check`, e.g. `['document', 'a.jpg', '--json']`.
 * Writes output through `out` and returns the process exit code. `provider` defaults to the local provider.
 */
export async function runCheckCommand(
  args: string[],
  out: (s: string) => void,
  provider: CheckProvider = createLocalCheckProvider(),
): Promise<number> {
  const [command, ...rest] = args;
  try {
    const parsed = parseArgs(rest);
    if (parsed.flags.has('--help') || !command) {
      out(USAGE);
      return command ? 0 : 2;
    }
    switch (command) {
      case 'document':
        return await runDocument(parsed, provider, out);
      case 'face-match':
        return await runFaceMatch(parsed, provider, out);
      case 'liveness':
        return await runLiveness(parsed, provider, out);
      default:
        throw new UsageError(`unknown check "${command}"`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out(`error: ${err.message}\n${USAGE}`);
    return 2;
  }
}
