// The first paint of a run view in `aimeter serve`'s UI, in headless Chromium, each time in
// a fresh page, in milliseconds from the start of navigation to #/run/ID:
// - first_paint_ms: the first frame showing the run's figures (the summary the run view draws
//   from /api/runs/ID while /view is made, or the whole report when /view came first);
// - report_drawn_ms: the first frame after the whole report is drawn
//   (window.aimeterReport.ready: /api/runs/ID/view fetched, every chart drawn).
// Also the shell's first contentful paint and the /view request's time (server and transfer)
// from the browser's resource timing. Prints one JSON line:
//   {"run", "repeat", "first_paint_ms": {"median", "min", "max"}, "report_drawn_ms": {...},
//    "fcp_ms", "view_fetch_ms", "view_bytes"}
// A page error, a console error or a view never drawn (60 s) fails. Target: first paint under
// 1 s (issue 15; docs/performance.md records both).
// usage: node bench/ui_first_paint.mjs CHROMIUM BASE_URL RUN_ID [REPEAT]
//   (BASE_URL of a running `aimeter serve`, http://127.0.0.1:PORT; playwright-core from web/node_modules)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core');
const [executablePath, base, run, rep] = process.argv.slice(2);
if (!executablePath || !base || !run) {
  console.error('usage: node bench/ui_first_paint.mjs CHROMIUM BASE_URL RUN_ID [REPEAT]');
  process.exit(2);
}
const repeat = Math.max(1, Number(rep) || 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const browser = await chromium.launch({ executablePath, headless: true,
                                        args: ['--no-sandbox', '--disable-gpu'] });
const times = []; const paints = []; const fcps = []; const fetches = []; let bytes = null;
try {
  for (let i = 0; i < repeat; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${base.replace(/\/+$/, '')}/#/run/${encodeURIComponent(run)}`, { waitUntil: 'commit' });
    // first paint: the run's figures on screen (its summary while /view is made, or the
    // whole report when /view came first)
    await page.waitForFunction(() => window.aimeterUI?.view === 'run' &&
      (window.aimeterUI.summary === true || window.aimeterReport?.ready === true || !!window.aimeterUI.error),
    null, { polling: 'raf', timeout: 60000 });
    const paint = await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(performance.now()))));
    await page.waitForFunction(() => (window.aimeterUI?.view === 'run' && window.aimeterUI.ready === true &&
      (window.aimeterReport?.ready === true || !!window.aimeterUI.error)), null, { polling: 'raf', timeout: 60000 });
    const got = await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const view = performance.getEntriesByType('resource').find((r) => r.name.includes('/view'));
      done({ ms: performance.now(), fcp: fcp ? fcp.startTime : null,
        fetch: view ? view.responseEnd - view.startTime : null, bytes: view ? view.decodedBodySize : null,
        charts: window.aimeterReport?.charts?.length || 0, error: window.aimeterUI.error });
    })));
    if (got.error) errors.push(`the run view failed: ${got.error}`);
    if (!got.charts) errors.push('the run view drew no chart');
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    times.push(got.ms); paints.push(paint); if (got.fcp !== null) fcps.push(got.fcp); if (got.fetch !== null) fetches.push(got.fetch);
    bytes = got.bytes;
    await page.close();
  }
} finally {
  await browser.close();
}
const r1 = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({ run, repeat,
  first_paint_ms: { median: r1(median(paints)), min: r1(Math.min(...paints)), max: r1(Math.max(...paints)) },
  report_drawn_ms: { median: r1(median(times)), min: r1(Math.min(...times)), max: r1(Math.max(...times)) },
  fcp_ms: fcps.length ? r1(median(fcps)) : null, view_fetch_ms: fetches.length ? r1(median(fetches)) : null,
  view_bytes: bytes }));
