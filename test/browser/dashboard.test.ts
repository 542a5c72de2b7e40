/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { createOperator } from '../../functions/app/operators';
import {
  axeViolations,
  describeWithBrowser,
  ensureDashboardBuilt,
  launchBrowser,
  openPage,
  screenshot,
  type TestPage,
  waitForScreen,
} from '../support/browser';
import { startReceiver } from '../support/webhook-receiver';
import { simulateVerification, startKycEnv, type KycEnv } from './support/kyc-env';

/**
 * The operator dashboard in real Chromium against the real local service, end to end: an admin signs in,
 * mints a key (its secret shown once, never again), creates a flow with document + face match only,
 * registers a webhook, and an integrator creates a verification with that key; driven to `review` in test
 * mode, the case is decided from the review queue and the final webhooks arrive signed with the key's secret.
 * Every page is checked with axe-core and photographed (test-artifacts/screenshots/dashboard-*.png);
 * Arabic is checked right to left; a reviewer sees only what the role allows.
 */

const DESKTOP = { width: 1280, height: 900 };

function verifySignature(secret: string, raw: Buffer, header: unknown): boolean {
  const expected = createHmac('sha256', secret).update(raw).digest('hex');
  const given = Buffer.from(String(header ?? ''));
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}

/** Waits for a page of the dashboard to finish loading, asserts zero axe violations, and photographs it. */
async function checkPage(page: Page, screen: string, shot: string): Promise<void> {
  await waitForScreen(page, screen);
  await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 30_000 });
  await page
    .locator('.capture-missing', { hasText: /Loading|Chargement|جارٍ/ })
    .first()
    .waitFor({ state: 'detached' });
  expect({ screen, violations: await axeViolations(page) }).toEqual({ screen, violations: [] });
  await screenshot(page, `dashboard-${shot}`);
}

async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/dashboard`);
  await waitForScreen(page, 'sign-in');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('[data-action="sign-in"]');
}

describeWithBrowser('operator dashboard (real server)', () => {
  // One long journey through every page, each checked by axe-core: minutes on a loaded machine.
  jest.setTimeout(480_000);
  let env: KycEnv;
  let browser: Browser;
  let tab: TestPage | null = null;
  let admin: { email: string; password: string };

  beforeAll(async () => {
    ensureDashboardBuilt();
    [env, browser] = await Promise.all([startKycEnv(), launchBrowser({ noCamera: true })]);
    const operators = env.server.app.runtime.operators;
    const created = await createOperator(operators, {
      orgId: env.server.org.id,
      email: 'ops@example.com',
      role: 'admin',
    });
    admin = { email: 'ops@example.com', password: created.password };
  }, 120_000);

  afterEach(async () => {
    if (tab) expect(tab.problems.filter((p) => /Content Security Policy|pageerror/i.test(p))).toEqual([]);
    await tab?.context.close();
    tab = null;
  });

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  test('sign in, key, flow, webhook, verification to review, decision, signed webhooks, audit', async () => {
    const receiver = await startReceiver();
    try {
      tab = await openPage(browser, { viewport: DESKTOP, locale: 'en-GB' });
      await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.baseUrl });
      const { page } = tab;

      // Sign-in: a wrong password is refused with one generic message, then the right one signs in.
      await page.goto(`${env.baseUrl}/dashboard/keys`);
      await checkPage(page, 'sign-in', '01-sign-in');
      await page.fill('input[name=email]', admin.email);
      await page.fill('input[name=password]', 'wrong password');
      await page.click('[data-action="sign-in"]');
      await expect(page.locator('[role=alert]').innerText()).resolves.toBe('The email or password is not right.');
      await checkPage(page, 'sign-in', '02-sign-in-error');
      await page.fill('input[name=password]', admin.password);
      await page.click('[data-action="sign-in"]');
      // Back where the operator was going.
      await checkPage(page, 'keys', '03-keys-empty');
      expect(await page.locator('[data-operator]').getAttribute('data-operator')).toBe(admin.email);

      // Flow: document + face match only; the preview shows the applicant's steps as the checks change.
      await page.click('nav >> text=Flows');
      await checkPage(page, 'flows', '04-flows');
      await page.click('text=New flow');
      await checkPage(page, 'new-flow', '05-flow-new');
      await page.fill('input[name=name]', 'Document and face');
      await page.uncheck('input[name=checks][value=liveness]');
      await expect(
        page.locator('[data-preview] [data-step]').evaluateAll((n) => n.map((e) => e.getAttribute('data-step'))),
      ).resolves.toEqual(['consent', 'document', 'selfie']);
      // The CLI's validation, before anything is sent.
      await page.fill('input[name=maxAttempts]', '99');
      await page.click('[data-action="save-flow"]');
      await expect(page.locator('#error-maxAttempts').isVisible()).resolves.toBe(true);
      await checkPage(page, 'new-flow', '06-flow-invalid');
      await page.fill('input[name=maxAttempts]', '2');
      await page.click('[data-action="save-flow"]');
      await checkPage(page, 'flow', '07-flow-created');
      const flowId = await page.locator('[data-value="flow-id"]').innerText();
      expect(flowId).toMatch(/^flow_/);
      await page.click('[aria-label="Copy the flow id"]');
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(flowId);

      // Key: minted for that flow in test mode; key and secret shown once with copy buttons and a warning.
      await page.click('nav >> text=Keys');
      await checkPage(page, 'keys', '08-keys');
      await page.selectOption('select[name=flowId]', flowId);
      await page.check('input[name=mode][value=test]');
      await page.fill('input[name=name]', 'Shop backend');
      await page.click('[data-action="mint"]');
      await page.locator('[data-secret-panel]').waitFor();
      await checkPage(page, 'keys', '09-key-minted');
      const key = await page.locator('code[data-value="key"]').innerText();
      const secret = await page.locator('code[data-value="secret"]').innerText();
      expect(key).toMatch(/^nextcap_kk_test_/);
      expect(secret).toMatch(/^whsec_/);
      await page.click('[aria-label="Copy Webhook signing secret"]');
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
      await page.click('[data-action="secret-done"]');
      // Not retrievable afterwards: not on the page after a reload, not in the API's key list.
      await page.reload();
      await checkPage(page, 'keys', '10-keys-list');
      expect(await page.content()).not.toContain(secret);
      const listed = await page.evaluate(async () => (await fetch('/api/v1/admin/keys')).text());
      expect(listed).toContain('Shop backend');
      expect(listed).not.toContain(secret);
      expect(listed).not.toContain(key);

      // A second key: rotate its secret (shown once, old one overlapping), then revoke it, each confirmed.
      await page.fill('input[name=name]', 'Old integration');
      await page.click('[data-action="mint"]');
      await page.click('[data-action="secret-done"]');
      const oldRow = page.locator('tr', { hasText: 'Old integration' });
      await oldRow.locator('[data-action="rotate"]').click();
      await page.locator('dialog[open]').waitFor();
      await checkPage(page, 'keys', '11-key-rotate-confirm');
      await page.click('dialog[open] [data-action="confirm"]');
      await page.locator('[data-secret-panel]').waitFor();
      await expect(page.locator('[data-secret-panel]').innerText()).resolves.toMatch(/keeps signing until/);
      await page.click('[data-action="secret-done"]');
      await oldRow.locator('[data-action="revoke"]').click();
      await checkPage(page, 'keys', '12-key-revoke-confirm');
      await page.click('dialog[open] [data-action="confirm"]');
      await oldRow.locator('td', { hasText: 'Revoked on' }).waitFor();

      // Webhook endpoint signed with the first key's secret.
      await page.click('nav >> text=Webhooks');
      await checkPage(page, 'webhooks', '13-webhooks');
      await page.fill('input[name=url]', receiver.url);
      await page.selectOption('select[name=keyId]', {
        label: await page.locator('select[name=keyId] option', { hasText: 'Shop backend' }).innerText(),
      });
      for (const event of ['verification.approved', 'verification.rejected', 'verification.manual_review'])
        await page.check(`input[name=events][value="${event}"]`);
      await page.click('[data-action="register-webhook"]');
      await page.locator('tr[data-endpoint]').waitFor();
      await checkPage(page, 'webhooks', '14-webhook-registered');

      // The integrator creates a verification with the new key; test mode drives it to review.
      const verification = await env.createVerification(key, {
        applicantEmail: 'jane@example.com',
        metadata: { orderId: 'A-1234' },
      });
      const created = await env.getVerification(key, verification.id);
      expect(created.flowId).toBe(flowId);
      await simulateVerification(env, key, verification.id, {
        decision: 'review',
        reasonCodes: ['FACE_MATCH_INCONCLUSIVE'],
      });
      const first = await receiver.waitFor(2, 30_000);
      expect(first.map((d) => d.json.event).sort()).toEqual(['verification.completed', 'verification.manual_review']);
      expect(first.find((d) => d.json.event === 'verification.completed')!.json.data).toMatchObject({
        decision: 'review',
        review: null,
      });

      // Verifications list, filtered to review, and the detail page.
      await page.click('nav >> text=Verifications');
      await checkPage(page, 'verifications', '15-verifications');
      await page.selectOption('select[name=status]', 'review');
      await page.fill('input[name=email]', 'jane@example.com');
      await page.click('[data-action="apply-filters"]');
      await page.waitForURL(/status=review/);
      await page.locator(`tr[data-verification="${verification.id}"]`).waitFor();
      await checkPage(page, 'verifications', '16-verifications-filtered');
      await page.selectOption('select[name=status]', 'approved');
      await page.click('[data-action="apply-filters"]');
      await page.locator('.empty').waitFor();
      await page.goBack();
      await page.locator(`tr[data-verification="${verification.id}"] a`).click();
      await checkPage(page, 'verification', '17-verification-detail');
      await expect(page.locator('[data-codes="reason-codes"]').innerText()).resolves.toContain(
        'FACE_MATCH_INCONCLUSIVE',
      );
      await expect(page.locator('main').innerText()).resolves.toContain('A-1234');

      // Review queue (oldest first) and the decision form beside the evidence.
      await page.click('nav >> text=Review queue');
      await checkPage(page, 'review-queue', '18-review-queue');
      await page.locator(`tr[data-verification="${verification.id}"] a`).click();
      await checkPage(page, 'review-case', '19-review-case');
      await page.click('[data-action="submit-decision"]');
      await expect(page.locator('.field-error').count()).resolves.toBe(2);
      await checkPage(page, 'review-case', '20-review-case-invalid');
      await page.check('input[name=decision][value=approved]');
      await page.fill('textarea[name=note]', 'Portrait and selfie match on close inspection.');
      await page.click('[data-action="submit-decision"]');
      await page.locator('[data-decided]').waitFor();
      await checkPage(page, 'review-case', '21-review-decided');

      // The final webhooks: completed again (new delivery, final data) plus approved, signed with the secret.
      const all = await receiver.waitFor(4, 30_000);
      const final = all.slice(2);
      expect(final.map((d) => d.json.event).sort()).toEqual(['verification.approved', 'verification.completed']);
      for (const delivery of final) {
        expect(verifySignature(secret, delivery.raw, delivery.headers['x-nextcap-signature'])).toBe(true);
        expect(verifySignature('whsec_wrong', delivery.raw, delivery.headers['x-nextcap-signature'])).toBe(false);
        expect(delivery.json.data).toMatchObject({
          verificationId: verification.id,
          status: 'approved',
          decision: 'approved',
          review: { decision: 'approved', note: 'Portrait and selfie match on close inspection.' },
        });
      }
      const completed = all.filter((d) => d.json.event === 'verification.completed');
      expect(new Set(completed.map((d) => d.json.id)).size).toBe(2);
      await expect(env.getVerification(key, verification.id)).resolves.toMatchObject({ status: 'approved' });

      // Webhook endpoint page: delivery log, a test event, a redelivery.
      await page.click('nav >> text=Webhooks');
      await page.locator('tr[data-endpoint] a').click();
      await page.locator('[data-delivery]').first().waitFor();
      await checkPage(page, 'webhook', '22-webhook-deliveries');
      expect(await page.locator('[data-delivery]').count()).toBe(4);
      await page.click('[data-action="test-event"]');
      await receiver.waitFor(5, 30_000);
      await page.locator('[data-delivery]').first().locator('[data-action="redeliver"]').click();
      await receiver.waitFor(6, 30_000);
      await checkPage(page, 'webhook', '23-webhook-redelivered');

      // Audit log names the operator and the decision.
      await page.click('nav >> text=Audit log');
      await checkPage(page, 'audit', '24-audit');
      const reviewed = page.locator('tr', { hasText: admin.email }).filter({ hasText: verification.id });
      await expect(reviewed.count()).resolves.toBeGreaterThan(0);

      // Arabic: right to left, every visible string translated; French too.
      await page.selectOption('select[data-control=locale]', 'ar');
      // The page sets lang and dir on <html> in an effect, after the re-render.
      await page.waitForFunction(() => document.documentElement.dir === 'rtl', undefined, { timeout: 5000 });
      await checkPage(page, 'audit', '25-audit-ar');
      await page.goto(`${env.baseUrl}/dashboard/review/${verification.id}`);
      await checkPage(page, 'review-case', '26-review-case-ar');
      await page.selectOption('select[data-control=locale]', 'fr');
      await page.goto(`${env.baseUrl}/dashboard/verifications/${verification.id}`);
      await checkPage(page, 'verification', '27-verification-fr');
      await page.selectOption('select[data-control=locale]', 'en');

      // Sign out: back to sign-in, and the API no longer answers.
      await page.click('[data-action="sign-out"]');
      await checkPage(page, 'sign-in', '28-signed-out');
      const after = await page.evaluate(async () => (await fetch('/api/v1/admin/keys')).status);
      expect(after).toBe(401);
    } finally {
      await receiver.close();
    }
  });

  test('a reviewer sees verifications, the review queue and the audit log only', async () => {
    const operators = env.server.app.runtime.operators;
    const { password } = await createOperator(operators, {
      orgId: env.server.org.id,
      email: 'reviewer@example.com',
      role: 'reviewer',
    });
    tab = await openPage(browser, { viewport: { width: 800, height: 900 }, locale: 'fr-FR' });
    const { page } = tab;
    await signIn(page, env.baseUrl, 'reviewer@example.com', password);
    await checkPage(page, 'verifications', '29-reviewer-fr');
    const nav = await page.locator('nav.nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(nav).toEqual(['/dashboard/verifications', '/dashboard/review', '/dashboard/audit']);
    await page.goto(`${env.baseUrl}/dashboard/keys`);
    await checkPage(page, 'forbidden', '30-reviewer-forbidden');
    // The server refuses too (the page only hides what the API would refuse).
    const status = await page.evaluate(async () => (await fetch('/api/v1/admin/keys')).status);
    expect(status).toBe(403);
  });
});
