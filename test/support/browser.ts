import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Real-browser test support: Debian Chromium driven by playwright-core (never `playwright install`).
 * One browser per test file: Chromium's fake camera file is fixed per browser process.
 */

const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];

/** Absolute path of a usable Chromium, or null. KYC_CHROMIUM, when set, is the only place looked at. */
export function findChromium(): string | null {
  const candidates = process.env.KYC_CHROMIUM ? [process.env.KYC_CHROMIUM] : CANDIDATES;
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  return null;
}

/**
 * `describe` for browser suites. Without Chromium the suite is skipped with a loud warning, unless
 * KYC_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (findChromium()) {
    describe(name, body);
    return;
  }
  if (process.env.KYC_REQUIRE_BROWSER === '1') {
    describe(name, () => {
      test('Chromium is installed (KYC_REQUIRE_BROWSER=1)', () => {
        throw new Error(
          'Chromium not found (looked at $KYC_CHROMIUM if set, else /usr/bin/chromium, /usr/lib/chromium/chromium). Install it: apt-get install -y --no-install-recommends chromium ffmpeg fonts-liberation',
        );
      });
    });
    return;
  }
  const banner = '#'.repeat(78);
  // Straight to stderr: still visible under `jest --silent`.
  process.stderr.write(
    `\n${banner}\n# BROWSER TESTS SKIPPED: Chromium not found. "${name}" did not run.\n# Install chromium (apt-get install chromium ffmpeg fonts-liberation) or set KYC_CHROMIUM.\n# CI sets KYC_REQUIRE_BROWSER=1 to make this a failure.\n${banner}\n\n`,
  );
  describe.skip(name, body);
}

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches headless Chromium with a fake camera device (playing `fakeVideo`, a y4m, when given), or with
 * no camera at all when `noCamera` is set.
 */
export async function launchBrowser(
  opts: { fakeVideo?: string; extraArgs?: string[]; noCamera?: boolean } = {},
): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found');
  const args = [...FLAGS, ...(opts.noCamera ? [] : ['--use-fake-device-for-media-stream']), ...(opts.extraArgs ?? [])];
  if (opts.fakeVideo) args.push(`--use-file-for-fake-video-capture=${opts.fakeVideo}`);
  return chromium.launch({ executablePath, headless: true, args });
}

export interface PageOptions {
  /** Grant camera permission (fake camera); without it getUserMedia fails with NotAllowedError. */
  camera?: boolean;
  locale?: string;
  /** Phone-sized by default: the page is mobile first. */
  viewport?: { width: number; height: number };
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far. */
  problems: string[];
}

/** A fresh context + page that records console errors and CSP violations. */
export async function openPage(browser: Browser, opts: PageOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 390, height: 844 },
    deviceScaleFactor: 1,
    locale: opts.locale ?? 'en-GB',
    permissions: opts.camera ? ['camera'] : [],
    hasTouch: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content Security Policy/i.test(text))
      problems.push(`${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { context, page, problems };
}

/** Runs axe-core on the current page and returns its violations in a readable form (empty = clean). */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'screenshots');

/** Saves a full-page screenshot to test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Waits for the screen with `data-screen=<id>` (language-independent hook) and returns once visible. */
export async function waitForScreen(page: Page, id: string, timeout = 60_000): Promise<void> {
  await page.locator(`[data-screen="${id}"]`).waitFor({ state: 'visible', timeout });
}

/**
 * Waits for a step, asserts axe-core finds no violations on it, and saves its screenshot.
 * Every step of every flow goes through here, so accessibility is checked on all of them.
 */
export async function checkStep(page: Page, screen: string, shotName: string): Promise<void> {
  await waitForScreen(page, screen);
  expect({ screen, violations: await axeViolations(page) }).toEqual({ screen, violations: [] });
  await screenshot(page, shotName);
}

/** Whether the photo on the review screen carries the fake camera's green document letterbox. */
export async function reviewShowsDocumentMarker(page: Page): Promise<boolean> {
  return page.locator('img.review-image').evaluate(async (node) => {
    const img = node as HTMLImageElement;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    if (!context) return false;
    context.drawImage(img, 0, 0);
    const [r, g, b] = context.getImageData(4, Math.floor(canvas.height / 2), 1, 1).data;
    return g! > 200 && r! < 80 && b! < 80;
  });
}

/** Builds a vite app (`hosted-flow`, `dashboard`) if its dist is missing (npm test builds both first anyway). */
function ensureBuilt(app: 'hosted-flow' | 'dashboard'): void {
  const root = join(__dirname, '..', '..');
  if (existsSync(join(root, app, 'dist', 'index.html'))) return;
  execFileSync(
    join(root, 'node_modules', '.bin', 'vite'),
    ['build', '--config', `${app}/vite.config.mts`, '--logLevel', 'error'],
    { cwd: root, stdio: 'inherit' },
  );
}

/** Builds the hosted flow if hosted-flow/dist is missing. */
export function ensureHostedFlowBuilt(): void {
  ensureBuilt('hosted-flow');
}

/** Builds the operator dashboard if dashboard/dist is missing. */
export function ensureDashboardBuilt(): void {
  ensureBuilt('dashboard');
}
