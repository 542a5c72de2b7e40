import * as z from 'zod';
import { DEFAULT_MIN_TURN_DEGREES } from './head-pose';
import { CHECK_NAMES, DOCUMENT_TYPES, type Flow, type FlowThresholds } from './model';

/**
 * Flow settings: which checks run and how strictly. Managed through the CLI (a dashboard later);
 * verifications reference a flow by id, fixed by the key that created them.
 */
export const DEFAULT_THRESHOLDS: Flow['thresholds'] = {
  faceMatchMaxDistance: 0.6,
  faceMatchMinSimilarity: 90,
  livenessMinTurnDegrees: DEFAULT_MIN_TURN_DEGREES,
  minFaceConfidence: 0.3,
};

const ICAO_COUNTRY = /^[A-Z<]{3}$|^[A-Z]{1,2}$/;

/** Everything a flow can be given when created or updated (all optional; defaults below). */
export const flowSettingsSchema = z
  .object({
    name: z.string().min(1).max(100),
    checks: z
      .array(z.enum(CHECK_NAMES))
      .min(1)
      .refine((a) => new Set(a).size === a.length, 'duplicate check'),
    documentTypes: z.array(z.enum(DOCUMENT_TYPES)),
    issuingCountries: z.array(z.string().regex(ICAO_COUNTRY, 'ICAO 9303 country code, e.g. FRA, D, UTO')),
    thresholds: z
      .object({
        faceMatchMaxDistance: z.number().gt(0).lt(2),
        faceMatchMinSimilarity: z.number().min(0).max(100),
        livenessMinTurnDegrees: z.number().min(5).max(60),
        // Replaced by livenessMinTurnDegrees (a landmark ratio, not degrees): named in the error, not ignored.
        livenessMinYaw: z
          .never({ error: 'replaced by livenessMinTurnDegrees (degrees of head yaw, default 20)' })
          .optional()
          .meta({ deprecated: true, description: 'Removed: use livenessMinTurnDegrees. Sending it is a 400.' }),
        minFaceConfidence: z.number().gt(0).lt(1),
      })
      .partial()
      .strict(),
    minimumAge: z.number().int().min(0).max(150).nullable(),
    maxAttempts: z.number().int().min(1).max(10),
    linkLifetimeSeconds: z
      .number()
      .int()
      .min(300)
      .max(30 * 86_400),
    retentionDays: z.number().int().min(1).max(3650),
    livenessPrompts: z.number().int().min(2).max(6),
    useFaceLivenessSession: z.boolean(),
  })
  .partial()
  .strict();

export type FlowSettings = z.infer<typeof flowSettingsSchema>;

/** Builds a flow from settings with defaults: all three checks, 3 attempts, 1 h links, 30 days retention. */
export function buildFlow(id: string, orgId: string, settings: FlowSettings, now: Date): Flow {
  const at = now.toISOString();
  const checks = settings.checks ?? [...CHECK_NAMES];
  return {
    id,
    orgId,
    name: settings.name ?? 'Default flow',
    checks,
    documentTypes: settings.documentTypes ?? [],
    issuingCountries: settings.issuingCountries ?? [],
    thresholds: { ...DEFAULT_THRESHOLDS, ...settings.thresholds },
    minimumAge: settings.minimumAge ?? null,
    maxAttempts: settings.maxAttempts ?? 3,
    linkLifetimeSeconds: settings.linkLifetimeSeconds ?? 3600,
    retentionDays: settings.retentionDays ?? 30,
    livenessPrompts: settings.livenessPrompts ?? 3,
    useFaceLivenessSession: settings.useFaceLivenessSession ?? false,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * A flow as any version stored it, in today's shape: thresholds added since take their defaults and removed
 * ones are dropped (`livenessMinYaw`, a landmark ratio, gave way to `livenessMinTurnDegrees`). Every flow
 * repository returns stored flows through it.
 */
export function upgradeStoredFlow(stored: Flow): Flow {
  const current: Partial<FlowThresholds> = stored.thresholds ?? {};
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const n of Object.keys(thresholds) as Array<keyof FlowThresholds>) thresholds[n] = current[n] ?? thresholds[n];
  return { ...stored, thresholds };
}

export function applyFlowSettings(flow: Flow, settings: FlowSettings, now: Date): Flow {
  return {
    ...flow,
    ...Object.fromEntries(Object.entries(settings).filter(([k]) => k !== 'thresholds')),
    thresholds: { ...flow.thresholds, ...settings.thresholds },
    updatedAt: now.toISOString(),
  } as Flow;
}
