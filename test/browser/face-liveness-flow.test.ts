/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CheckProvider } from '../../functions/ports/checks';
import {
  checkStep,
  describeWithBrowser,
  ensureHostedFlowBuilt,
  launchBrowser,
  openPage,
  type TestPage,
} from '../support/browser';
import { COLOR_SEQUENCES, FakeFaceLivenessService, IDENTITY_POOL_ID, REGION } from '../support/face-liveness-service';
import { buildFakeVideo, TESTDATA_DIR } from '../support/fake-camera';
import { checkResult } from '../pipeline/scripted-provider';
import { startKycEnv, type KycEnv, type MintedKey } from './support/kyc-env';

/**
 * The hosted page's Rekognition Face Liveness step in real Chromium, end to end: the real local service
 * (its selfie and face-match checks are the real offline ones) configured for Face Liveness, AWS's own
 * browser component running from the page's origin under the page's CSP, and Cognito plus the Rekognition
 * streaming WebSocket answered by a stand-in that speaks the wire protocol (test/support/face-liveness-
 * service.ts). The pipeline reads the verdict of the very session the browser streamed.
 */

const PERSON_A = join(TESTDATA_DIR, 'liveness', 'person_a');

describeWithBrowser('Face Liveness video step (AWS component, stand-in Rekognition)', () => {
  let env: KycEnv;
  let browser: Browser;
  let service: FakeFaceLivenessService;
  let key: MintedKey;
  let tab: TestPage | null = null;

  beforeAll(async () => {
    ensureHostedFlowBuilt();
    // The component asks for at least 15 frames per second; person_a facing the camera, close up.
    const video = await buildFakeVideo({
      segments: [{ image: join(PERSON_A, 'frame_018.jpg'), seconds: 2, crop: '320:180:80:10' }],
      width: 640,
      height: 480,
      fps: 15,
      padColor: '0x808080',
    });
    // The session's reference image: person_a at another moment of the clip (Rekognition returns the
    // best frontal frame of the streamed video).
    service = new FakeFaceLivenessService({
      result: checkResult('liveness', { scores: { confidence: 98.6, threshold: 80 }, provider: 'aws' }),
      referenceImage: { bytes: readFileSync(join(PERSON_A, 'frame_009.jpg')), label: 'face_liveness_reference' },
    });
    let local: Promise<CheckProvider> | null = null;
    const checks = async (): Promise<CheckProvider> => {
      local ??= import('../../functions/checks/local/provider').then((m) => m.createLocalCheckProvider());
      return service.provider(await local);
    };
    env = await startKycEnv({ checks });
    // What the AWS runtime gets from the stack: the identity pool (and the Lambda's region).
    env.server.app.runtime.deps.config.faceLiveness = { region: REGION, identityPoolId: IDENTITY_POOL_ID };
    key = await env.key('live', { name: 'Face Liveness', checks: ['liveness'], useFaceLivenessSession: true });
    browser = await launchBrowser({ fakeVideo: video });
  }, 180_000);

  afterEach(async () => {
    if (tab) expect(tab.problems.filter((p) => /Content Security Policy|pageerror/i.test(p))).toEqual([]);
    await tab?.context.close();
    tab = null;
  });

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  async function startVerification(locale = 'en', deviceClockSkewMs = 0): Promise<{ id: string; page: Page }> {
    const created = await env.createVerification(key.key, { locale });
    tab = await openPage(browser, { camera: true, viewport: { width: 412, height: 915 } });
    if (deviceClockSkewMs) await skewDeviceClock(tab.page, deviceClockSkewMs);
    await service.attach(tab.page);
    await tab.page.goto(created.verifyUrl);
    await tab.page.click('[data-action="start"]');
    await tab.page.check('#consent-check');
    await tab.page.click('[data-action="consent-accept"]');
    return { id: created.id, page: tab.page };
  }

  async function takeSelfie(page: Page): Promise<void> {
    await page.locator('[data-screen="selfie-review"]').waitFor({ timeout: 60_000 });
    await page.click('[data-action="use-photo"]');
  }

  /** Starts the video check from the component's start screen. */
  async function beginVideoCheck(page: Page, shot: string, label = 'Start video check'): Promise<void> {
    const begin = page.getByRole('button', { name: label });
    await begin.waitFor({ timeout: 60_000 });
    await checkStep(page, 'face-liveness', shot);
    await begin.click();
  }

  test('selfie, then the video check streams to Rekognition; the pipeline reads that session and approves', async () => {
    const { id, page } = await startVerification();
    await takeSelfie(page);
    await beginVideoCheck(page, 'face-liveness-01-start');
    await page.locator('[data-screen="processing"], [data-screen^="result-"]').first().waitFor({ timeout: 90_000 });
    await page.locator('[data-screen="result-approved"]').waitFor({ timeout: 90_000 });
    await checkStep(page, 'result-approved', 'face-liveness-02-approved');

    // The browser streamed the session the server created, signed with the Cognito guest credentials.
    expect(service.created).toHaveLength(1);
    const stream = service.streams.find((s) => s.sessionId === service.created[0])!;
    expect(stream).toBeDefined();
    expect(service.cognitoCalls).toEqual([
      'AWSCognitoIdentityService.GetId',
      'AWSCognitoIdentityService.GetCredentialsForIdentity',
    ]);
    expect(stream.query['X-Amz-Credential']).toMatch(
      new RegExp(`^ASIAFAKEGUEST0000001/\\d{8}/${REGION}/rekognition/aws4_request$`),
    );
    expect(stream.query['X-Amz-Security-Token']).toBe('fake-session-token');
    expect(stream.allFramesSigned).toBe(true);
    expect(stream.completed).toBe(true);
    expect(stream.videoChunks).toBeGreaterThan(0);
    // More than a WebM header: encoded frames. The amount depends on the machine's load (7 KB seen on a busy
    // 2-core box, 30 KB idle), so the bound only rules out an empty stream.
    expect(stream.videoBytes).toBeGreaterThan(2_000);
    // Rekognition's default challenge: the start (initial face), one event per colour flashed on screen,
    // and the end (target face in the oval).
    expect(stream.challenge).toBe('FaceMovementAndLightChallenge');
    const events = stream.clientEvents.map(
      (e) => (e.Challenge as Record<string, Record<string, unknown>>).FaceMovementAndLightChallenge!,
    );
    expect(Object.keys(events[0]!).sort()).toEqual(['ChallengeId', 'InitialFace', 'VideoStartTimestamp']);
    expect(Object.keys(events.at(-1)!).sort()).toEqual([
      'ChallengeId',
      'InitialFace',
      'TargetFace',
      'VideoEndTimestamp',
    ]);
    const colours = events
      .filter((e) => e.ColorDisplayed)
      .map((e) => (e.ColorDisplayed as { CurrentColor: { RGB: number[] } }).CurrentColor.RGB);
    expect(colours).toEqual(COLOR_SEQUENCES.map((c) => c.FreshnessColor.RGB));

    const verification = await env.getVerification(key.key, id);
    expect(verification).toMatchObject({ status: 'approved', decision: 'approved', reasonCodes: [] });
    const steps = await env.server.app.runtime.deps.store.steps.listByAttempt(id, 1);
    const liveness = steps.find((s) => s.step === 'livenessCheck')!;
    // The session's verdict, and the real face match of its reference face against the selfie.
    expect(JSON.stringify(liveness)).toContain('"samePerson":"pass"');
    expect(JSON.stringify(liveness)).toContain('"confidence":98.6');
  }, 240_000);

  test('a stream Rekognition refuses shows a clear screen; trying again opens a new session and completes', async () => {
    // The service answers the connection with an exception (as for an expired or unknown session).
    service.behaviours.push('server_error');
    const before = service.created.length;
    const { id, page } = await startVerification();
    await takeSelfie(page);
    await checkStep(page, 'face-liveness-failed-server', 'face-liveness-04-failed');
    await expect(page.locator('h1').innerText()).resolves.toBe('The video check could not be completed');
    // Nothing was submitted: the attempt is still being collected.
    expect(await env.getVerification(key.key, id)).toMatchObject({ status: 'pending' });

    await page.click('[data-action="face-liveness-retry"]');
    await beginVideoCheck(page, 'face-liveness-05-retry');
    await page.locator('[data-screen="result-approved"]').waitFor({ timeout: 120_000 });
    const sessions = service.created.slice(before);
    expect(sessions).toHaveLength(2);
    expect(service.streams.find((s) => s.sessionId === sessions[1])?.completed).toBe(true);
    expect(service.streams.find((s) => s.sessionId === sessions[0])?.completed).toBe(false);
    const verification = await env.getVerification(key.key, id);
    expect(verification).toMatchObject({ status: 'approved' });
  }, 240_000);

  test('the component speaks the page language: Arabic, right to left (oval-only challenge)', async () => {
    service.challenges.push('FaceMovementChallenge');
    const { page } = await startVerification('ar');
    await takeSelfie(page);
    await beginVideoCheck(page, 'face-liveness-06-ar', 'بدء التحقق بالفيديو');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await expect(page.locator('h1').innerText()).resolves.toBe('التحقق بالفيديو');
    await page.locator('[data-screen="result-approved"]').waitFor({ timeout: 120_000 });
    const stream = service.streams.at(-1)!;
    expect({ challenge: stream.challenge, completed: stream.completed }).toEqual({
      challenge: 'FaceMovementChallenge',
      completed: true,
    });
    expect(stream.clientEvents.some((e) => JSON.stringify(e).includes('ColorDisplayed'))).toBe(false);
  }, 240_000);

  test('a phone whose clock is three hours fast still signs a stream Rekognition accepts', async () => {
    const { page } = await startVerification('en', 3 * 3600_000);
    expect(await page.evaluate(() => Date.now() - performance.timeOrigin - performance.now())).toBeGreaterThan(
      2 * 3600_000,
    );
    await takeSelfie(page);
    await beginVideoCheck(page, 'face-liveness-07-skewed-clock');
    await page.locator('[data-screen="result-approved"]').waitFor({ timeout: 120_000 });
    const stream = service.streams.at(-1)!;
    expect({ rejected: stream.rejected, completed: stream.completed }).toEqual({ rejected: null, completed: true });
  }, 240_000);
});

/** Moves the page's Date (not its timers) forward, like a device whose clock is wrong. */
async function skewDeviceClock(page: Page, skewMs: number): Promise<void> {
  await page.addInitScript((skew: number) => {
    const RealDate = Date;
    class DeviceDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + skew);
        else super(...(args as [string]));
      }
      static override now(): number {
        return RealDate.now() + skew;
      }
    }
    globalThis.Date = DeviceDate as DateConstructor;
  }, skewMs);
}
