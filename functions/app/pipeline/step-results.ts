/**
 * What each pipeline step stores (store.steps, one record per verification, attempt and step). The store is
 * written only by these tasks, but a record outlives code versions, so it is parsed with zod on the way back.
 * Step results hold no PII: document fields are reduced to key hashes and non-identifying attributes.
 */
import * as z from 'zod';
import {
  CHECK_NAMES,
  CHECK_OUTCOMES,
  DECISIONS,
  DECLINE_TYPES,
  HEAD_PROMPTS,
  type CheckName,
} from '../../domain/model';
import type { PipelineInput, PipelineTaskName } from '../../domain/pipeline-plan';
import type { CheckResult, DocumentFields } from '../../ports/checks';
import type { AppDeps } from '../deps';

const checkNameSchema = z.enum(CHECK_NAMES);

export const checkResultSchema = z.object({
  check: checkNameSchema,
  outcome: z.enum(CHECK_OUTCOMES),
  scores: z.record(z.string(), z.number()),
  reasonCodes: z.array(z.string()),
  riskFlags: z.array(z.string()),
  extracted: z.record(z.string(), z.unknown()),
  timings: z.array(z.object({ step: z.string(), ms: z.number() })),
  provider: z.string(),
});

const prepareStepSchema = z.object({
  kind: z.literal('prepare'),
  /** The attempt's liveness prompts, snapshotted: a later retry-decline replaces verification.challenge. */
  challenge: z.array(z.enum(HEAD_PROMPTS)).nullable(),
  captureIds: z.array(z.string()),
});

const checkStepSchema = z.object({
  kind: z.literal('check'),
  result: checkResultSchema,
  /** Blob key of the document portrait crop (documentCheck only). */
  portraitKey: z.string().nullable(),
  /** SHA-256 of the stored portrait crop: faceMatch reads exactly these bytes (absent on older records). */
  portraitSha256: z.string().nullable().optional(),
  /** Identity key hashes derived from the document fields (documentCheck only). */
  documentKeyHash: z.string().nullable(),
  personKeyHash: z.string().nullable(),
  /** Set when the runner recorded this result because the task failed permanently. */
  error: z.string().nullable(),
});

const riskStepSchema = z.object({
  kind: z.literal('risk'),
  riskFlags: z.array(z.string()),
  /** Which signals were available (for audit/debugging; no values). */
  signals: z.object({
    documentKey: z.boolean(),
    personKey: z.boolean(),
    faceVector: z.boolean(),
    /** The selfie was added to the provider's face index (retention must delete it there). */
    faceIndexed: z.boolean().default(false),
  }),
});

const decisionStepSchema = z.object({
  kind: z.literal('decision'),
  decision: z.enum(DECISIONS),
  declineType: z.enum(DECLINE_TYPES).nullable(),
  reasonCodes: z.array(z.string()),
  riskFlags: z.array(z.string()),
});

const failedStepSchema = z.object({
  kind: z.literal('failed'),
  reasonCodes: z.array(z.string()),
  error: z.string(),
});

export const stepResultSchema = z.discriminatedUnion('kind', [
  prepareStepSchema,
  checkStepSchema,
  riskStepSchema,
  decisionStepSchema,
  failedStepSchema,
]);

export type StepResult = z.infer<typeof stepResultSchema>;
export type PrepareStepResult = z.infer<typeof prepareStepSchema>;
export type CheckStepResult = z.infer<typeof checkStepSchema>;
export type RiskStepResult = z.infer<typeof riskStepSchema>;
export type DecisionStepResult = z.infer<typeof decisionStepSchema>;
export type FailedStepResult = z.infer<typeof failedStepSchema>;

/** Reads a step result; null when absent. An unreadable record counts as a failed step. */
export async function readStep(
  deps: AppDeps,
  input: PipelineInput,
  step: PipelineTaskName,
): Promise<StepResult | null> {
  const rec = await deps.store.steps.get(input.verificationId, input.attempt, step);
  if (!rec) return null;
  const parsed = stepResultSchema.safeParse(rec.result);
  if (parsed.success) return parsed.data;
  return { kind: 'failed', reasonCodes: ['CHECK_ERROR'], error: `unreadable ${step} result` };
}

/** True when the step already has a result (a re-run task then does nothing). */
export async function stepDone(deps: AppDeps, input: PipelineInput, step: PipelineTaskName): Promise<boolean> {
  return (await deps.store.steps.get(input.verificationId, input.attempt, step)) !== null;
}

/** Stores a step result unless one exists (first write wins). Returns false when one existed. */
export async function writeStep(
  deps: AppDeps,
  input: PipelineInput,
  step: PipelineTaskName,
  result: StepResult,
): Promise<boolean> {
  return deps.store.steps.putIfAbsent({
    verificationId: input.verificationId,
    attempt: input.attempt,
    step,
    result: stepResultSchema.parse(result) as Record<string, unknown>,
    createdAt: deps.clock.now().toISOString(),
  });
}

/** A normalized CHECK_ERROR result for a check that could not run. */
export function checkErrorResult(check: CheckName, error: string): CheckResult {
  return {
    check,
    outcome: 'inconclusive',
    scores: {},
    reasonCodes: ['CHECK_ERROR'],
    riskFlags: [],
    extracted: { error },
    timings: [],
    provider: 'pipeline',
  };
}

/** Stores a check's normalized result for a step that has no document keys or portrait (liveness, face match). */
export function writeCheckStep(
  deps: AppDeps,
  input: PipelineInput,
  step: PipelineTaskName,
  result: CheckResult,
): Promise<boolean> {
  return writeStep(deps, input, step, {
    kind: 'check',
    result: storableCheckResult(result),
    portraitKey: null,
    documentKeyHash: null,
    personKeyHash: null,
    error: null,
  });
}

/**
 * Keeps the normalized part of a provider result, JSON-safe: drops non-finite scores and binary values and,
 * for the document check, any extracted text (names, numbers, MRZ lines). Of the document fields only
 * non-identifying attributes are kept (type, format, issuing country, check-digit validity).
 */
export function storableCheckResult(
  result: CheckResult,
  fields?: DocumentFields | null,
): z.infer<typeof checkResultSchema> {
  const scores = Object.fromEntries(Object.entries(result.scores).filter(([, v]) => Number.isFinite(v)));
  let extracted: Record<string, unknown>;
  if (result.check === 'document') {
    extracted = Object.fromEntries(
      Object.entries(result.extracted).filter(
        ([, v]) => typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)),
      ),
    );
    if (fields) {
      extracted.document = {
        documentType: fields.documentType,
        mrzFormat: fields.mrzFormat,
        issuingCountry: fields.issuingCountry,
        checkDigits: { ...fields.checkDigits },
      };
    }
  } else {
    extracted = jsonSafeRecord(result.extracted, 0);
  }
  return {
    check: result.check,
    outcome: result.outcome,
    scores,
    reasonCodes: [...result.reasonCodes],
    riskFlags: [...result.riskFlags],
    extracted,
    timings: result.timings.map((t) => ({ step: t.step, ms: t.ms })),
    provider: result.provider,
  };
}

const MAX_DEPTH = 4;

/** Plain JSON data only: binary (Buffer, typed arrays), functions and deep nesting are dropped. */
function jsonSafe(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (depth >= MAX_DEPTH || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return undefined;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1)).filter((v) => v !== undefined);
  if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  return jsonSafeRecord(value as Record<string, unknown>, depth + 1);
}

function jsonSafeRecord(record: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    const safe = jsonSafe(v, depth);
    if (safe !== undefined) out[k] = safe;
  }
  return out;
}
