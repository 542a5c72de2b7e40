import { stepsOfFlow } from '../../functions/domain/captures';
import { buildFlow, type FlowSettings, flowSettingsSchema } from '../../functions/domain/flows';
import { type CheckName, DOCUMENT_TYPES, type DocumentType } from '../../functions/domain/model';
import type { Flow, FlowStep } from './api-types';

/**
 * The flow editor's form, as pure functions: form fields from a flow (or the defaults of a new one),
 * settings from the form validated with the very schema the CLI and the API use, and the applicant's steps
 * the checks imply (the same function the hosted flow follows).
 */

/** The checks in the editor's order (the set is the domain's CHECK_NAMES: the type says so). */
export const CHECKS = ['document', 'faceMatch', 'liveness'] as const satisfies readonly CheckName[];
export { DOCUMENT_TYPES };
export const THRESHOLD_NAMES = [
  'faceMatchMaxDistance',
  'faceMatchMinSimilarity',
  'livenessMinTurnDegrees',
  'minFaceConfidence',
] as const;

type Check = CheckName;
type ThresholdName = (typeof THRESHOLD_NAMES)[number];

/** Field values as the inputs hold them (text for numbers, so a half-typed value is not lost). */
export interface FlowForm {
  name: string;
  checks: Check[];
  documentTypes: DocumentType[];
  /** Comma- or space-separated ICAO codes. */
  issuingCountries: string;
  /** Empty = no minimum. */
  minimumAge: string;
  maxAttempts: string;
  linkLifetimeMinutes: string;
  retentionDays: string;
  livenessPrompts: string;
  useFaceLivenessSession: boolean;
  thresholds: Record<ThresholdName, string>;
}

export type FlowFormErrors = Partial<Record<string, string>>;

/** The form of an existing flow, or of a new one with the server's defaults. */
export function formOfFlow(flow: Flow | null): FlowForm {
  const source = flow ?? buildFlow('new', 'new', { name: '' }, new Date(0));
  return {
    name: source.name,
    checks: [...source.checks],
    documentTypes: [...source.documentTypes],
    issuingCountries: source.issuingCountries.join(', '),
    minimumAge: source.minimumAge === null ? '' : String(source.minimumAge),
    maxAttempts: String(source.maxAttempts),
    linkLifetimeMinutes: String(Math.round(source.linkLifetimeSeconds / 60)),
    retentionDays: String(source.retentionDays),
    livenessPrompts: String(source.livenessPrompts),
    useFaceLivenessSession: source.useFaceLivenessSession,
    thresholds: Object.fromEntries(THRESHOLD_NAMES.map((n) => [n, String(source.thresholds[n])])) as Record<
      ThresholdName,
      string
    >,
  };
}

/** A number from a text field: NaN for anything that is not a plain number (the schema then names it). */
function numberOf(text: string): number {
  const trimmed = text.trim().replace(',', '.');
  return trimmed === '' || !/^-?\d+(\.\d+)?$/.test(trimmed) ? Number.NaN : Number(trimmed);
}

/**
 * Settings from the form, or the errors by field (`name`, `checks`, `thresholds.faceMatchMaxDistance`, ...),
 * using the server's own schema so the editor accepts exactly what the API accepts.
 */
export function settingsOfForm(form: FlowForm): { settings: FlowSettings } | { errors: FlowFormErrors } {
  const countries = form.issuingCountries
    .split(/[\s,]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  const candidate = {
    name: form.name.trim(),
    checks: CHECKS.filter((c) => form.checks.includes(c)),
    documentTypes: DOCUMENT_TYPES.filter((d) => form.documentTypes.includes(d)),
    issuingCountries: [...new Set(countries)],
    thresholds: Object.fromEntries(THRESHOLD_NAMES.map((n) => [n, numberOf(form.thresholds[n])])),
    minimumAge: form.minimumAge.trim() === '' ? null : numberOf(form.minimumAge),
    maxAttempts: numberOf(form.maxAttempts),
    linkLifetimeSeconds: numberOf(form.linkLifetimeMinutes) * 60,
    retentionDays: numberOf(form.retentionDays),
    livenessPrompts: numberOf(form.livenessPrompts),
    useFaceLivenessSession: form.useFaceLivenessSession,
  };
  const parsed = flowSettingsSchema.safeParse(candidate);
  if (parsed.success) return { settings: parsed.data };
  const errors: FlowFormErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.join('.').replace('linkLifetimeSeconds', 'linkLifetimeMinutes') || 'form';
    errors[field] ??= issue.message;
  }
  return { errors };
}

/** The applicant's steps for the checks chosen (consent first), as the hosted flow will show them. */
export function previewSteps(checks: readonly Check[]): FlowStep[] {
  return stepsOfFlow({ checks: [...checks] });
}

/** The fields whose value differs from the flow's (a PATCH sends only those). */
export function changedSettings(flow: Flow, settings: FlowSettings): FlowSettings {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings)) {
    const current = (flow as unknown as Record<string, unknown>)[name];
    if (stableJson(current) !== stableJson(value)) changed[name] = value;
  }
  return changed as FlowSettings;
}

/** JSON with object keys sorted, so two equal settings compare equal whatever their key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
