#!/usr/bin/env node
// The run view's first paint in `aimeter serve`'s UI (web/src/ui/run.js): the run's figures
// (its report JSON) are drawn while /api/runs/ID/view is still being made, then the whole
// report replaces them. The /view answer is held back by the browser until the summary is on
// screen, so the check does not depend on which request is faster.
// usage: node tests/browser/check_ui_first_paint.mjs BASE_URL RUN_ID --screenshot PNG
// Prints one JSON line {ok, summary: {name, cards}, report, failures, console_errors,
// blocked}; exit 0 when every check passed, 1 when one failed, 2 on bad usage.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(resolve(here, '../../web/package.json'))('playwright-core');
const [base, run, flag, shot] = process.argv.slice(2);
if (!base || !run || flag !== '--screenshot' || !shot) {
  console.error('usage: node tests/browser/check_ui_first_paint.mjs BASE_URL RUN_ID --screenshot PNG');
  process.exit(2);
}
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(exe)) {
  console.error(`check_ui_first_paint: ${exe}: no Chromium`);
  process.exit(2);
}
const origin = new URL(base).origin;
const result = { ok: false, summary: null, report: false, failures: [], console_errors: [], blocked: [] };
const browser = await chromium.launch({ executablePath: exe, headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.console_errors.push(String(e)));
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (!url.startsWith(origin)) {
      result.blocked.push(url);
      return route.abort();
    }
    if (/\/api\/runs\/[^/]+\/view/.test(url)) {
      // held until the run's figures are drawn without it
      try {
        await page.waitForFunction(() => window.aimeterUI?.summary === true, null, { timeout: 20000 });
      } catch {
        result.failures.push('the run view drew nothing before /view answered');
      }
    }
    return route.continue();
  });
  await page.goto(`${origin}/#/run/${encodeURIComponent(run)}`);
  await page.waitForFunction(() => window.aimeterUI?.summary === true, null, { timeout: 25000 })
    .catch(() => {});
  result.summary = await page.evaluate(() => {
    const s = document.querySelector('[data-testid="report-summary"]');
    return s ? { name: document.querySelector('h1')?.textContent, text: s.textContent,
      cards: s.querySelectorAll('.card').length } : null;
  });
  if (!result.summary) result.failures.push('no summary of the run before its report');
  await page.waitForFunction(() => window.aimeterReport?.ready === true, null, { timeout: 30000 })
    .catch(() => result.failures.push('the whole report was never drawn'));
  result.report = await page.evaluate(() => !!document.querySelector('[data-testid="report"]') &&
    !document.querySelector('[data-testid="report-summary"]'));
  if (!result.report) result.failures.push('the report did not replace the summary');
  await page.screenshot({ path: shot, fullPage: false });
} finally {
  await browser.close();
}
if (result.console_errors.length) result.failures.push('console errors');
if (result.blocked.length) result.failures.push('requests outside the server');
result.ok = result.failures.length === 0;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
