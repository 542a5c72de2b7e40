import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import {
  type CommandSpec,
  commandUsage,
  findCommand,
  type FlagSpecs,
  type ParsedArgs,
  parseCommand,
  tableUsage,
  UsageError,
} from '../cli/args';
import { DEFAULT_THRESHOLDS } from '../domain/flows';
import { DOCUMENT_TYPES, HEAD_PROMPTS, type DocumentType, type FlowThresholds, type HeadPrompt } from '../domain/model';
import type { CheckProvider, CheckResult, DocumentCheckResult, ImageInput } from '../ports/checks';

/**
 * `check` CLI commands: run one check on local image files through the same provider code the pipeline uses.
 * The commands are the table {@link checkCommands}; usage text is generated from it.
 *
 * Exit codes: 0 = check passed, 1 = check did not pass (fail / inconclusive), 2 = usage or file error.
 */

type Out = (s: string) => void;

/** One row of the `check` command table. */
export interface CheckCommand extends CommandSpec {
  run(parsed: ParsedArgs, provider: CheckProvider, out: Out): Promise<number>;
}

/** `--json`, accepted by every check command. */
const JSON_FLAG: FlagSpecs = { json: { type: 'boolean' } };

function numberFlag(parsed: ParsedArgs, name: string, schema: z.ZodNumber): number | undefined {
  const raw = parsed.string(name);
  if (raw === undefined) return undefined;
  const result = schema.safeParse(Number(raw));
  if (!result.success) throw new UsageError(`--${name}: invalid value "${raw}"`, `--${name}`, 'invalid value');
  return result.data;
}

async function loadImage(file: string): Promise<ImageInput> {
  try {
    return { bytes: await readFile(file), label: path.basename(file) };
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
      file,
      'cannot read',
    );
  }
}

const promptsSchema = z.array(z.enum(HEAD_PROMPTS)).min(1);
const documentTypesSchema = z.array(z.enum(DOCUMENT_TYPES));
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

function list(raw: string | undefined): string[] {
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

/** Default thresholds with `--threshold` (face distance) applied. */
function faceMatchThresholds(parsed: ParsedArgs): FlowThresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    faceMatchMaxDistance:
      numberFlag(parsed, 'threshold', z.number().gt(0).lt(2)) ?? DEFAULT_THRESHOLDS.faceMatchMaxDistance,
  };
}

/** Face-match thresholds with `--min-turn` (head turn, degrees) applied too. */
function livenessThresholds(parsed: ParsedArgs): FlowThresholds {
  return {
    ...faceMatchThresholds(parsed),
    livenessMinTurnDegrees:
      numberFlag(parsed, 'min-turn', z.number().min(5).max(60)) ?? DEFAULT_THRESHOLDS.livenessMinTurnDegrees,
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

async function runDocument(parsed: ParsedArgs, provider: CheckProvider, out: Out): Promise<number> {
  const [frontFile = '', backFile] = parsed.positionals;
  const todayValue = parsed.string('today') ?? today();
  if (!dateSchema.safeParse(todayValue).success)
    throw new UsageError('--today must be YYYY-MM-DD', '--today', 'YYYY-MM-DD');
  const types = documentTypesSchema.safeParse(list(parsed.string('types')));
  if (!types.success)
    throw new UsageError(
      '--types: passport, id_card, driving_licence, residence_permit',
      '--types',
      'passport, id_card, driving_licence, residence_permit',
    );
  const result = await provider.checkDocument({
    front: await loadImage(frontFile),
    back: backFile ? await loadImage(backFile) : null,
    flow: {
      documentTypes: types.data as DocumentType[],
      issuingCountries: list(parsed.string('countries')).map((c) => c.toUpperCase()),
      minimumAge: numberFlag(parsed, 'min-age', z.number().int().min(0).max(150)) ?? null,
    },
    today: todayValue,
  });
  if (parsed.boolean('json')) {
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

async function runFaceMatch(parsed: ParsedArgs, provider: CheckProvider, out: Out): Promise<number> {
  const [referenceFile = '', probeFile = ''] = parsed.positionals;
  const result = await provider.checkFaceMatch({
    reference: await loadImage(referenceFile),
    probe: await loadImage(probeFile),
    flow: { thresholds: faceMatchThresholds(parsed) },
  });
  const match = result.outcome === 'pass' ? true : result.outcome === 'fail' ? false : null;
  if (parsed.boolean('json')) {
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

async function runLiveness(parsed: ParsedArgs, provider: CheckProvider, out: Out): Promise<number> {
  const prompts = promptsSchema.safeParse(list(parsed.string('prompts')));
  if (!prompts.success)
    throw new UsageError('--prompts: comma-separated left, right, centre', '--prompts', 'left, right, centre');
  const sequenceFile = parsed.string('sequence');
  const stillsOptional = sequenceFile !== undefined && parsed.positionals.length === 0;
  if (!stillsOptional && parsed.positionals.length !== prompts.data.length) {
    throw new UsageError(
      `${prompts.data.length} prompts need ${prompts.data.length} frames, got ${parsed.positionals.length}`,
      '<frame>',
      'one per prompt',
    );
  }
  const selfieFile = parsed.string('selfie');
  const result = await provider.checkLiveness({
    prompts: prompts.data as HeadPrompt[],
    frames: await Promise.all(parsed.positionals.map(loadImage)),
    sequence: sequenceFile ? await loadImage(sequenceFile) : null,
    selfie: selfieFile ? await loadImage(selfieFile) : null,
    flow: { thresholds: livenessThresholds(parsed) },
  });
  if (parsed.boolean('json')) {
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
        (f.yaw === null ? '-' : f.yaw.toFixed(1)).padEnd(7),
        (f.distance === null ? '-' : f.distance.toFixed(3)).padEnd(8),
        (f.poseOk ? 'ok' : 'NO').padEnd(4),
        f.samePerson ? 'yes' : 'NO',
      ].join('  '),
    );
  }
  const sequence = sequenceReport(result.extracted.sequence);
  out(
    `${frames.length > 0 ? `${lines.join('\n')}\n\n` : ''}${sequence}${table([['pass', result.outcome === 'pass'], ['min turn (deg)', result.scores.minTurnDegrees], ...common(result)])}`,
  );
  return exitCode(result);
}

const sequenceRowSchema = z.object({
  status: z.string(),
  frames: z.number(),
  promptFrames: z.array(z.number().nullable()),
  problems: z.array(z.object({ code: z.string(), frame: z.number().nullable(), detail: z.string() })),
  yaws: z.array(z.number().nullable()),
});

/** The recording's part of the report: per-frame yaw, the frame that met each prompt, and the problems. */
function sequenceReport(raw: unknown): string {
  const parsed = sequenceRowSchema.safeParse(raw);
  if (!parsed.success) return '';
  const s = parsed.data;
  const rows: Array<[string, unknown]> = [
    ['sequence', `${s.status}, ${s.frames} frames`],
    ['yaw (deg)', s.yaws.map((y) => (y === null ? '-' : String(y))).join(' ')],
    ['prompt frames', s.promptFrames.map((f) => (f === null ? '-' : String(f))).join(' ')],
    ...s.problems.map((p): [string, unknown] => [
      `  ${p.code}`,
      `${p.frame === null ? '' : `frame ${p.frame}: `}${p.detail}`,
    ]),
  ];
  return `${table(rows)}\n\n`;
}

const THRESHOLD_FLAG: FlagSpecs = { threshold: { type: 'string', value: '<distance>' } };
const MIN_TURN_FLAG: FlagSpecs = { 'min-turn': { type: 'string', value: '<degrees>' } };

/** The `check` commands. Adding one is one entry here plus its function. */
export const checkCommands: readonly CheckCommand[] = [
  {
    name: 'document',
    args: [{ name: 'front image' }, { name: 'back image', optional: true }],
    flags: {
      today: { type: 'string', value: 'YYYY-MM-DD' },
      'min-age': { type: 'string', value: 'N' },
      types: { type: 'string', value: 'passport,id_card' },
      countries: { type: 'string', value: 'UTO,D' },
    },
    run: runDocument,
  },
  {
    name: 'face-match',
    args: [{ name: 'reference image' }, { name: 'probe image' }],
    flags: THRESHOLD_FLAG,
    run: runFaceMatch,
  },
  {
    name: 'liveness',
    args: [{ name: 'frame', variadic: true, optional: true }],
    flags: {
      prompts: { type: 'string', value: 'left,right,centre', required: true },
      sequence: { type: 'string', value: '<recording.kseq>' },
      selfie: { type: 'string', value: '<image>' },
      ...THRESHOLD_FLAG,
      ...MIN_TURN_FLAG,
    },
    note: 'one frame per prompt, in order, and/or --sequence: the continuous recording (frame-sequence container)',
    run: runLiveness,
  },
];

const USAGE = `usage:\n${tableUsage(checkCommands, 'check ')}\n(every command: --json for machine-readable output)`;

/**
 * Runs a `check` subcommand. `args` start after the word `check`, e.g. `['document', 'a.jpg', '--json']`.
 * Writes output through `out` and returns the process exit code. `provider` defaults to the local
 * (offline) provider, loaded only when a check runs.
 */
export async function runCheckCommand(args: string[], out: Out, provider?: CheckProvider): Promise<number> {
  const [name] = args;
  if (!name || name === '--help') {
    out(USAGE);
    return name ? 0 : 2;
  }
  const found = findCommand(checkCommands, args);
  try {
    if (!found) throw new UsageError(`unknown check "${name}"`, name, 'unknown check');
    const parsed = parseCommand(found.command, found.rest, JSON_FLAG);
    if (parsed.boolean('help')) {
      out(commandUsage(found.command, 'usage: check '));
      return 0;
    }
    const checks = provider ?? (await import('./local')).createLocalCheckProvider();
    return await found.command.run(parsed, checks, out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out(`error: ${err.message}\n${found ? commandUsage(found.command, 'usage: check ') : USAGE}`);
    return 2;
  }
}
