import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Build of the operator dashboard. Everything is served under `/dashboard/` (pages are `/dashboard/<page>`,
 * bundles `/dashboard/assets/`), so one CloudFront behaviour or one local route covers it. No inline script
 * or style and no third-party origin: the CSP (functions/http/dashboard-policy.ts) allows neither.
 */
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/dashboard/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
