import type { BlobReadLinks, BlobStore, UploadSigner } from '../ports/blobs';
import type { CheckProvider, FaceLivenessSessionProvider } from '../ports/checks';
import type { Clock } from '../ports/clock';
import type { Crypto, SecretBox, SecretMac } from '../ports/crypto';
import type { IdGenerator } from '../ports/ids';
import type { Store } from '../ports/persistence';
import type { Queue } from '../ports/queue';
import type { WebhookTransport } from '../ports/webhook-transport';

/** Runtime settings the use cases read. Built from env by each runtime (local/config.ts, aws/config.ts). */
export interface AppConfig {
  runtime: 'local' | 'aws';
  /** Base URL the applicant's browser reaches (verifyUrl = `${publicUrl}/v/<id>?token=...`). */
  publicUrl: string;
  /** Hosts allowed to bypass the webhook SSRF guard (local development). */
  webhookAllowHosts: string[];
  /** Delays between webhook attempts, ms (3 entries = 3 retries). */
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
  /** Allow http:// returnUrl and webhook URLs for localhost (local runtime only). */
  allowHttpLocalhost: boolean;
  /** How long an Idempotency-Key is remembered, seconds. */
  idempotencyTtlSeconds: number;
  /** Upload slot lifetime, seconds. */
  uploadTtlSeconds: number;
  maxUploadBytes: number;
  maxUploadPixels: number;
  /**
   * AWS only: what the hosted page needs to stream a Rekognition Face Liveness session (the Cognito identity
   * pool whose guest role may call StartFaceLivenessSession, and its region). Absent = sessions unavailable.
   */
  faceLiveness?: { region: string; identityPoolId: string };
}

/** The ports every use case and handler receives. Tests pass fakes or local adapters; no module mocks. */
export interface AppDeps {
  config: AppConfig;
  store: Store;
  blobs: BlobStore;
  /** Signed read links for captures too large for an API response (AWS only; absent locally). */
  blobLinks?: BlobReadLinks;
  uploads: UploadSigner;
  queue: Queue;
  clock: Clock;
  ids: IdGenerator;
  crypto: Crypto;
  secrets: SecretBox;
  /** Keys the cross-verification identity hashes (document number, name + birth date). */
  identityMac: SecretMac;
  webhookTransport: WebhookTransport;
  /** Resolved lazily: the local provider loads models on first use. */
  checks: () => Promise<CheckProvider>;
  /**
   * Face Liveness session creation on its own, for the applicant API: opening a session must not load the
   * whole check provider (on AWS that would pull image decoding into a Lambda that ships no native modules).
   * Absent: the check provider's own sessions are used.
   */
  faceLivenessSessions?: () => Promise<FaceLivenessSessionProvider | undefined>;
}
