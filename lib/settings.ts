import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

const LOG_RETENTION_VALUES = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/**
 * Deployment settings, read from CDK context (`cdk deploy -c stage=prod -c alarmEmail=...`) or passed as
 * props by tests. Parsed with zod: context is untyped input from the command line and cdk.json.
 */
const settingsShape = z.object({
  /** Short lowercase name; it is part of resource names (bucket, state machine). */
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,11}$/, 'stage: 1-12 chars, lowercase letters, digits, dashes')
    .default('dev'),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .default('eu-west-1'),
  /** Custom domain for the hosted flow and API (CloudFront alternate name); needs certificateArn. */
  domainName: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/)
    .optional(),
  /** ACM certificate in us-east-1 covering domainName (CloudFront requirement). */
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/)
    .optional(),
  /** Days capture bytes are kept at most (S3 lifecycle backstop behind the per-flow purge sweep). */
  retentionDays: z.coerce.number().int().min(1).max(3650).default(30),
  /** Days CloudWatch logs and access logs are kept. */
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine(
      (d) => LOG_RETENTION_VALUES.has(d),
      'logRetentionDays: a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)',
    )
    .default(30),
  /** Email subscribed to the alarm topic (confirmation mail is sent on deploy). */
  alarmEmail: z.email().optional(),
  /** Hosts allowed past the webhook SSRF guard (comma-separated in context). */
  webhookAllowHosts: z
    .union([z.array(z.string()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((h) => h.trim()).filter((h) => h.length > 0))
    .default([]),
  /** Delays between webhook attempts, seconds: 3 entries = 1 try + 3 retries. */
  webhookRetryDelaysSeconds: z
    .union([z.array(z.coerce.number()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((d) => Number(d)))
    .pipe(z.array(z.number().int().min(1).max(43200)).min(1).max(10))
    .default([60, 300, 1800]),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** API Gateway stage throttling (all clients together). */
  apiRateLimit: z.coerce.number().int().min(1).default(50),
  apiBurstLimit: z.coerce.number().int().min(1).default(100),
  /**
   * Method throttling of each applicant route (requests/s, burst). Kept apart from the stage default the
   * integrator routes use: the hosted page polls its session every second while the checks run, so a crowd of
   * waiting applicants must never use up the integrators' limit (nor the reverse).
   */
  applicantRateLimit: z.coerce.number().int().min(1).default(200),
  applicantBurstLimit: z.coerce.number().int().min(1).default(400),
  /** WAF rate limit per X-Api-Key value, requests per 5 minutes (per-key limit). */
  perKeyRequestsPer5Min: z.coerce.number().int().min(10).default(1500),
  /**
   * WAF rate limit per viewer IP on the unauthenticated surface (applicant API, health, OpenAPI), requests per
   * 5 minutes. One applicant polling every second while checks run makes ~300; the default leaves room for a
   * few applicants behind one carrier-grade NAT.
   */
  perIpRequestsPer5Min: z.coerce.number().int().min(100).default(2000),
  /**
   * A CloudFront-scope WAF web ACL (made in us-east-1, where AWS requires them) to attach to the distribution,
   * for per-IP limits on the hosted page too. A stack in us-east-1 creates its own instead.
   */
  edgeWebAclArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/)
    .optional(),
});

export const kycSettingsSchema = settingsShape.refine(
  (s) => (s.domainName === undefined) === (s.certificateArn === undefined),
  {
    message: 'domainName and certificateArn go together',
  },
);

export type KycSettings = z.output<typeof kycSettingsSchema>;
export type KycSettingsInput = z.input<typeof kycSettingsSchema>;

/** Context keys read by {@link settingsFromContext}; same names as the settings. */
export const SETTINGS_CONTEXT_KEYS = Object.keys(settingsShape.shape) as (keyof KycSettings)[];

/** Reads every setting from CDK context (missing keys take their defaults). */
export function settingsFromContext(tryGetContext: (key: string) => unknown): KycSettings {
  const raw: Record<string, unknown> = {};
  for (const key of SETTINGS_CONTEXT_KEYS) {
    const value = tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return kycSettingsSchema.parse(raw);
}
