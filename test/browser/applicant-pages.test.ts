/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import qrcode from 'qrcode-generator';
import type { Browser } from 'playwright-core';
import {
  checkStep,
  describeWithBrowser,
  ensureHostedFlowBuilt,
  launchBrowser,
  openPage,
  type TestPage,
} from '../support/browser';
import { TESTDATA_DIR } from '../support/fake-camera';
import { simulateVerification, startKycEnv, type KycEnv } from './support/kyc-env';

/**
 * Every non-capture page of the hosted flow in real Chromium against the real local service: camera
 * denied, link problems, languages (Arabic right to left), test mode, consent declined, cross-device
 * handoff. The browser has a fake camera device but the pages are never granted permission to use it.
 */

const PASSPORT = join(TESTDATA_DIR, 'documents', 'synth_td3_uto_person_a.jpg');
const INSECURE_HOST = 'kyc.test';

/** A 320x240 near-black JPEG made with ffmpeg: too dark and too small. */
async function darkTinyPhoto(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'kyc-dark-')), 'dark.jpg');
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x0c0c0c:s=320x240',
    '-frames:v',
    '1',
    file,
  ]);
  return file;
}

describeWithBrowser('hosted flow pages (real server)', () => {
  jest.setTimeout(90_000);
  let env: KycEnv;
  let browser: Browser;
  let tab: TestPage | null = null;

  beforeAll(async () => {
    ensureHostedFlowBuilt();
    // kyc.test resolves to the local server over plain http: an insecure context (no camera API).
    [env, browser] = await Promise.all([
      startKycEnv(),
      launchBrowser({ extraArgs: [`--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`] }),
    ]);
  }, 120_000);

  afterEach(async () => {
    if (tab) expect(tab.problems.filter((p) => /Content Security Policy|pageerror/i.test(p))).toEqual([]);
    await tab?.context.close();
    tab = null;
    env.clock.reset();
  });

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  async function startLive(locale?: string): Promise<{ key: string; id: string; verifyUrl: string }> {
    const { key } = await env.key('live', { name: 'Passport', documentTypes: ['passport'] });
    const verification = await env.createVerification(key, locale ? { locale } : {});
    return { key, id: verification.id, verifyUrl: verification.verifyUrl };
  }

  test('camera permission denied: a clear screen, retry, and the photo-upload way forward', async () => {
    const { verifyUrl } = await startLive('en');
    tab = await openPage(browser, { camera: false });
    const { page } = tab;
    await page.goto(verifyUrl);
    await page.click('[data-action="start"]');
    await page.check('#consent-check');
    await page.click('[data-action="consent-accept"]');

    await checkStep(page, 'camera-denied', 'denied-01-screen');
    await expect(page.locator('h1').innerText()).resolves.toBe('Camera access is blocked');
    // Retrying without a grant lands on the same screen (the browser refuses again).
    await page.click('[data-action="camera-retry"]');
    await checkStep(page, 'camera-denied', 'denied-02-after-retry');

    await page.click('[data-action="upload-instead"]');
    await checkStep(page, 'document_front', 'denied-03-upload');
    expect(await page.locator('video').count()).toBe(0);

    // Cheap quality checks before anything is sent: a dark, tiny photo is flagged and Retake comes first.
    const input = page.locator('input[type=file][data-capture-input="document_front"]');
    await input.setInputFiles(await darkTinyPhoto());
    await checkStep(page, 'document_front-review', 'denied-04-quality');
    expect((await page.locator('[data-issues]').getAttribute('data-issues'))!.split(' ').sort()).toEqual([
      'tooDark',
      'tooSmall',
    ]);
    await expect(page.locator('.actions .button').first().innerText()).resolves.toBe('Retake');
    await page.click('[data-action="retake"]');
    await input.setInputFiles(PASSPORT);
    await checkStep(page, 'document_front-review', 'denied-05-upload-review');

    // A server-side rejection (422, per the applicant API) is explained with a retake; here the server's
    // answer to the first confirmation is replaced by an image_unreadable rejection.
    let rejected = false;
    await page.route('**/api/v1/applicant/uploads/*/complete', async (route) => {
      if (rejected) return route.continue();
      rejected = true;
      await route.fulfill({
        status: 422,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'image_unreadable', message: 'x', details: [] } }),
      });
    });
    await page.click('[data-action="use-photo"]');
    await expect(page.locator('[role=alert]').innerText()).resolves.toBe('The photo could not be read. Take it again.');
    await checkStep(page, 'document_front-review', 'denied-06-server-rejection');
    await page.click('[data-action="retake"]');
    await page.locator('input[type=file][data-capture-input="document_front"]').setInputFiles(PASSPORT);
    await page.click('[data-action="use-photo"]');
    // The next step needs the camera again and explains the same problem.
    await checkStep(page, 'camera-denied', 'denied-07-selfie');
  });

  test('a device without a camera: welcome suggests the phone; the document step explains and offers upload', async () => {
    const { verifyUrl } = await startLive('en');
    const cameraless = await launchBrowser({ noCamera: true });
    try {
      tab = await openPage(cameraless, { camera: true });
      const { page } = tab;
      await page.goto(verifyUrl);
      await checkStep(page, 'welcome', 'nocamera-01-welcome');
      await expect(page.locator('[role=status]').innerText()).resolves.toMatch(/no camera on this device/);
      expect(await page.locator('[data-action="handoff"]').getAttribute('class')).toContain('primary');
      await page.click('[data-action="start"]');
      await page.check('#consent-check');
      await page.click('[data-action="consent-accept"]');
      await checkStep(page, 'camera-notFound', 'nocamera-02-document');
      expect(await page.locator('[data-action="upload-instead"]').count()).toBe(1);
      expect(tab.problems.filter((p) => /Content Security Policy|pageerror/i.test(p))).toEqual([]);
      await tab.context.close();
      tab = null;
    } finally {
      await cameraless.close();
    }
  });

  test('insecure context (plain http on a public name): the camera screen says why and offers another device', async () => {
    const { verifyUrl } = await startLive('en');
    tab = await openPage(browser);
    const { page } = tab;
    const url = new URL(verifyUrl);
    url.hostname = INSECURE_HOST;
    await page.goto(url.toString());
    expect(await page.evaluate(() => [window.isSecureContext, 'mediaDevices' in navigator])).toEqual([false, false]);
    await page.click('[data-action="start"]');
    await page.check('#consent-check');
    await page.click('[data-action="consent-accept"]');
    await checkStep(page, 'camera-insecure', 'insecure-01-screen');
    await page.click('[data-action="handoff"]');
    await checkStep(page, 'handoff', 'insecure-02-handoff');
  });

  test('identity card by upload: type choice, then front and back, each reviewed', async () => {
    const { key } = await env.key('live', { name: 'Cards', documentTypes: ['passport', 'id_card'] });
    const verification = await env.createVerification(key, { locale: 'fr' });
    tab = await openPage(browser);
    const { page } = tab;
    await page.goto(verification.verifyUrl);
    await page.click('[data-action="start"]');
    await page.check('#consent-check');
    await page.click('[data-action="consent-accept"]');
    await checkStep(page, 'document-type', 'idcard-01-type');
    await page.check('#doc-id_card');
    await page.click('[data-action="document-type-continue"]');
    await checkStep(page, 'camera-denied', 'idcard-02-denied');
    await page.click('[data-action="upload-instead"]');
    await expect(page.locator('h1').innerText()).resolves.toBe('Recto de votre document : Carte d’identité');
    await page
      .locator('input[type=file][data-capture-input="document_front"]')
      .setInputFiles(join(TESTDATA_DIR, 'documents', 'synth_td1_uto_london042.jpg'));
    await checkStep(page, 'document_front-review', 'idcard-03-front-review');
    await page.click('[data-action="use-photo"]');
    // Upload was chosen for the front: the back side offers it straight away.
    await checkStep(page, 'document_back', 'idcard-05-back');
    expect(await page.locator('video').count()).toBe(0);
    await expect(page.locator('h1').innerText()).resolves.toBe('Verso de votre document : Carte d’identité');
    await page
      .locator('input[type=file][data-capture-input="document_back"]')
      .setInputFiles(join(TESTDATA_DIR, 'documents', 'td1_deu_mustermann_back.jpg'));
    await checkStep(page, 'document_back-review', 'idcard-06-back-review');
    await page.click('[data-action="use-photo"]');
    await checkStep(page, 'camera-denied', 'idcard-07-selfie-denied');
  });

  test('keyboard only: consent can be given with Tab, Space and Enter', async () => {
    const { verifyUrl } = await startLive('en');
    tab = await openPage(browser);
    const { page } = tab;
    await page.goto(verifyUrl);
    await checkStep(page, 'welcome', 'keyboard-01-welcome');
    // The token left the address bar; a reload still opens the session (token kept in sessionStorage).
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    await checkStep(page, 'welcome', 'keyboard-01-welcome');
    // The heading has focus; the first Tab reaches "Start".
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-action'))).resolves.toBe('start');
    await page.keyboard.press('Enter');
    await checkStep(page, 'consent', 'keyboard-02-consent');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('consent-check');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await checkStep(page, 'camera-denied', 'keyboard-03-next');
  });

  test('consent declined: the flow ends on a clear page and the integrator sees declined/final/CONSENT_DECLINED', async () => {
    const { key, id, verifyUrl } = await startLive('en');
    tab = await openPage(browser);
    const { page } = tab;
    await page.goto(verifyUrl);
    await page.click('[data-action="start"]');
    // Agreeing without ticking the box only nudges.
    await page.click('[data-action="consent-accept"]');
    await expect(page.locator('#consent-nudge').innerText()).resolves.toMatch(/Tick the box/);
    await checkStep(page, 'consent', 'consent-01-nudge');
    await page.click('[data-action="consent-decline"]');
    await checkStep(page, 'consent-declined', 'consent-02-declined');
    expect(await env.getVerification(key, id)).toMatchObject({
      status: 'declined',
      decision: 'declined',
      declineType: 'final',
      reasonCodes: ['CONSENT_DECLINED'],
    });
  });

  test('expired, invalid and finished links each show their own page; no token is an invalid link', async () => {
    const expired = await startLive('en');
    env.clock.advance(2 * 3600 * 1000);
    tab = await openPage(browser);
    const { page } = tab;
    await page.goto(expired.verifyUrl);
    await checkStep(page, 'error-expired', 'link-01-expired');
    await expect(page.locator('h1').innerText()).resolves.toBe('This link has expired');
    env.clock.reset();

    await page.goto(`${env.baseUrl}/v/vrf_doesnotexist0000?token=${'x'.repeat(43)}`);
    await checkStep(page, 'error-invalid', 'link-02-invalid');
    await page.goto(`${env.baseUrl}/v/vrf_doesnotexist0001`);
    await checkStep(page, 'error-invalid', 'link-03-no-token');

    const { key } = await env.key('test');
    const done = await env.createVerification(key, { locale: 'en' });
    await simulateVerification(env, key, done.id, { decision: 'approved' });
    await page.goto(done.verifyUrl);
    await checkStep(page, 'error-finished', 'link-04-finished');
    await expect(page.locator('h1').innerText()).resolves.toBe('This verification is already finished');
  });

  test('Arabic renders right to left; French is chosen from the browser languages when the session has none', async () => {
    const { verifyUrl } = await startLive('ar');
    tab = await openPage(browser, { locale: 'en-GB' });
    const { page } = tab;
    await page.goto(verifyUrl);
    await checkStep(page, 'welcome', 'locale-01-ar-welcome');
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      'ar',
      'rtl',
    ]);
    await expect(page.locator('h1').innerText()).resolves.toBe('تحقق من هويتك');
    // Layout mirrors: list indent on the right, heading text hugging the right edge of the content.
    const layout = await page.evaluate(() => {
      const list = getComputedStyle(document.querySelector('.checklist')!);
      const main = document.querySelector('main')!.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('h1')!);
      const text = range.getBoundingClientRect();
      return {
        paddingRight: parseFloat(list.paddingRight),
        paddingLeft: parseFloat(list.paddingLeft),
        gapRight: main.right - text.right,
        gapLeft: text.left - main.left,
      };
    });
    expect(layout.paddingRight).toBeGreaterThan(0);
    expect(layout.paddingLeft).toBe(0);
    expect(layout.gapRight).toBeLessThan(layout.gapLeft);
    await page.click('[data-action="start"]');
    await checkStep(page, 'consent', 'locale-02-ar-consent');
    await expect(page.locator('[data-action="consent-accept"]').innerText()).resolves.toBe('أوافق وأتابع');
    await tab.context.close();

    const french = await startLive();
    tab = await openPage(browser, { locale: 'fr-FR' });
    await tab.page.goto(french.verifyUrl);
    await checkStep(tab.page, 'welcome', 'locale-03-fr-welcome');
    expect(await tab.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      'fr',
      'ltr',
    ]);
    await expect(tab.page.locator('h1').innerText()).resolves.toBe('Vérifiez votre identité');
  });

  test('test mode: banner and outcome choices instead of capture; the chosen outcome is the decision', async () => {
    const { key } = await env.key('test');
    const declined = await env.createVerification(key, { locale: 'en' });
    tab = await openPage(browser);
    const { page } = tab;
    await page.goto(declined.verifyUrl);
    await checkStep(page, 'welcome', 'testmode-01-welcome');
    await expect(page.locator('[data-test-banner]').innerText()).resolves.toMatch(/Test mode/);
    await page.click('[data-action="start"]');
    await page.check('#consent-check');
    await page.click('[data-action="consent-accept"]');

    await checkStep(page, 'test-mode', 'testmode-02-choices');
    expect(await page.locator('video').count()).toBe(0);
    await page.check('#outcome-declineRetry');
    await page.click('[data-action="simulate"]');
    // A simulated decline ends the verification: reasons are explained, no retry on this link.
    await checkStep(page, 'result-declinedFinal', 'testmode-03-declined');
    expect(await page.locator('[data-reason]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-action="retry"]').count()).toBe(0);
    await expect(page.locator('main').innerText()).resolves.toMatch(/can send you a new link/);
    expect(await env.getVerification(key, declined.id)).toMatchObject({
      status: 'declined',
      declineType: 'retry',
      mode: 'test',
    });

    const approved = await env.createVerification(key, { locale: 'en' });
    await page.goto(approved.verifyUrl);
    await page.click('[data-action="start"]');
    await page.check('#consent-check');
    await page.click('[data-action="consent-accept"]');
    await checkStep(page, 'test-mode', 'testmode-04-choices');
    await page.check('#outcome-approve');
    await page.click('[data-action="simulate"]');
    await checkStep(page, 'result-approved', 'testmode-05-approved');
    expect(await page.locator('[data-test-banner]').count()).toBe(1);
    expect(await env.getVerification(key, approved.id)).toMatchObject({
      status: 'approved',
      decision: 'approved',
      mode: 'test',
    });
  });

  test('cross-device handoff: the QR code holds this same link and the desktop page follows the phone to the result', async () => {
    const { key } = await env.key('test');
    const verification = await env.createVerification(key, { locale: 'en' });
    tab = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const { page } = tab;
    await page.goto(verification.verifyUrl);
    await page.click('[data-action="handoff"]');
    await checkStep(page, 'handoff', 'handoff-01-qr');
    const qr = page.locator('img.qr');
    const expected = qrcode(0, 'M');
    expected.addData(verification.verifyUrl);
    expected.make();
    expect(await qr.getAttribute('src')).toBe(expected.createDataURL(6, 4));
    expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);

    // The applicant finishes on the phone (here: the test-mode outcome set through the API).
    await simulateVerification(env, key, verification.id, { decision: 'review' });
    await checkStep(page, 'result-review', 'handoff-02-result');
  });
});
