#!/usr/bin/env node
// Opens an aimeter HTML report in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core from web/node_modules) and checks what a reader would: the page makes no
// request outside the file (any URL that is not file:, data: or blob: is aborted and
// reported), logs no console error and throws no page error, every chart draws, hiding a
// series and zooming change what a chart shows, the kWh / g CO2e toggle changes the
// cumulative chart. Takes a full-page screenshot.
//
// usage: node tests/browser/check_report.mjs HTMLFILE --screenshot PNG [--json] [--frame]
// Prints one JSON line (the result); without --json a short summary on stderr too. Exit
// status 0 when every check that applies passed, 1 when one failed, 2 on bad usage.
// A check that does not apply (no chart, no carbon series) is reported "skipped".
// CHROMIUM=/path overrides the browser.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

function usage(msg) {
  if (msg) console.error(`check_report: ${msg}`);
  console.error('usage: node tests/browser/check_report.mjs HTMLFILE --screenshot PNG [--json]');
  process.exit(2);
}

const args = process.argv.slice(2);
let html = null; let shot = null; let jsonOnly = false;
// --frame: the report is the page's one iframe (a notebook's sandboxed srcdoc one)
let inFrame = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--screenshot') shot = args[++i];
  else if (args[i] === '--json') jsonOnly = true;
  else if (args[i] === '--frame') inFrame = true;
  else if (args[i].startsWith('-')) usage(`unknown option ${args[i]}`);
  else if (!html) html = args[i];
  else usage('one HTML file');
}
if (!html || !shot) usage(!html ? 'no HTML file' : 'no --screenshot PNG');
if (!existsSync(html)) usage(`${html}: no such file`);
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(exe)) usage(`${exe}: no Chromium (apt-get install chromium)`);

const result = {
  ok: false, file: resolve(html), screenshot: resolve(shot), charts: 0,
  blocked: [], console_errors: [], page_errors: [], checks: {}, failures: [],
};
const fail = (what) => result.failures.push(what);

// In the page: a hash of a chart canvas's pixels and how many are drawn (not transparent).
const CANVAS_PROBE = (id) => {
  const c = window.aimeterReport.charts.find((x) => x.id === id);
  const cv = c.uplot.ctx.canvas;
  const d = c.uplot.ctx.getImageData(0, 0, cv.width, cv.height).data;
  let hash = 2166136261; let drawn = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] !== 0) drawn++;
    hash = Math.imul(hash ^ (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)), 16777619);
  }
  return { hash: hash >>> 0, drawn, pixels: d.length / 4 };
};
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

const browser = await chromium.launch({
  executablePath: exe,
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    result.blocked.push(url);
    return route.abort();
  });
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.page_errors.push(String(e && e.message || e)));
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
  // the document the checks read: the page's, or its iframe's with --frame
  const doc = inFrame ? await (await page.waitForSelector('iframe')).contentFrame() : page;
  try {
    await doc.waitForFunction(() => window.aimeterReport && window.aimeterReport.ready === true, null, { timeout: 15000 });
    result.checks.loaded = 'ok';
  } catch {
    result.checks.loaded = 'failed';
    fail('the report did not finish drawing (window.aimeterReport.ready)');
  }
  await doc.evaluate(frame);
  const charts = await doc.evaluate(() => (window.aimeterReport?.charts || []).map((c) => ({
    id: c.id, kind: c.kind, testid: c.el.getAttribute('data-testid'),
    shown: c.uplot.series.slice(1).filter((s) => s.show).length, n: c.uplot.series.length - 1,
    // the first series shown that has a value to draw (hiding an empty one changes nothing)
    drawable: c.uplot.series.findIndex((s, i) => i > 0 && s.show &&
      c.uplot.data[i].some((v) => v !== null && v !== undefined)),
  })));
  result.charts = charts.length;

  // every chart draws something
  let empty = 0;
  for (const c of charts) {
    const p = await doc.evaluate(CANVAS_PROBE, c.id);
    if (p.drawn === 0) { empty++; fail(`chart ${c.id}: empty canvas`); }
  }
  result.checks.canvases = charts.length ? (empty ? 'failed' : 'ok') : 'skipped';

  // hiding a series (a click on its legend entry) changes the drawing
  const ts = charts.find((c) => c.kind === 'timeseries' && c.drawable > 0);
  if (ts) {
    const k = ts.drawable;
    const before = await doc.evaluate(CANVAS_PROBE, ts.id);
    const entry = doc.locator(`[data-testid="${ts.testid}"] .u-legend tr.u-series`).nth(k);
    await entry.click();
    await doc.evaluate(frame);
    const after = await doc.evaluate(CANVAS_PROBE, ts.id);
    const hidden = await doc.evaluate(([id, i]) => !window.aimeterReport.charts.find((x) => x.id === id).uplot.series[i].show, [ts.id, k]);
    result.checks.toggle = hidden && after.hash !== before.hash ? 'ok' : 'failed';
    if (result.checks.toggle !== 'ok') fail(`chart ${ts.id}: hiding series ${k} changed nothing (hidden ${hidden})`);
    await entry.click(); // shown again, for the screenshot
    await doc.evaluate(frame);
  } else result.checks.toggle = 'skipped';

  // a drag across a chart zooms every chart to it; Reset brings the whole run back
  if (charts.length) {
    const c = charts[0];
    const range = () => doc.evaluate(() => window.aimeterReport.charts.map((x) => [x.uplot.scales.x.min, x.uplot.scales.x.max]));
    const r0 = await range();
    const over = doc.locator(`[data-testid="${c.testid}"] .u-over`);
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await doc.evaluate(frame);
    const r1 = await range();
    const narrower = r1.every(([a, b], i) => a > r0[i][0] && b < r0[i][1] && b > a);
    result.checks.zoom = narrower ? 'ok' : 'failed';
    result.zoom = { before: r0[0], after: r1[0] };
    if (!narrower) fail(`zoom: x ranges ${JSON.stringify(r0)} -> ${JSON.stringify(r1)}`);
    await doc.locator('[data-testid="zoom-reset"]').click();
    await doc.evaluate(frame);
    const r2 = await range();
    if (JSON.stringify(r2) !== JSON.stringify(r0)) { result.checks.zoom = 'failed'; fail('Reset did not restore the whole run'); }
  } else result.checks.zoom = 'skipped';

  // the cumulative chart's kWh / g CO2e toggle
  const cum = charts.find((c) => c.kind === 'cumulative');
  const gRadio = doc.locator('[data-testid="cumulative-g"]');
  if (cum && await gRadio.count() && await gRadio.isEnabled()) {
    const before = await doc.evaluate(CANVAS_PROBE, 'cumulative');
    await gRadio.check();
    await doc.evaluate(frame);
    const after = await doc.evaluate(CANVAS_PROBE, 'cumulative');
    const unit = await doc.locator('[data-testid="chart-cumulative"]').getAttribute('data-unit');
    result.checks.cumulative_toggle = unit === 'g' && after.hash !== before.hash && after.drawn > 0 ? 'ok' : 'failed';
    if (result.checks.cumulative_toggle !== 'ok') fail(`kWh/CO2e toggle: unit ${unit}, canvas changed ${after.hash !== before.hash}`);
    await doc.locator('[data-testid="cumulative-kwh"]').check();
    await doc.evaluate(frame);
  } else result.checks.cumulative_toggle = 'skipped';

  await doc.evaluate(() => window.scrollTo(0, 0)); // the sticky contents bar at the top
  await page.screenshot({ path: result.screenshot, fullPage: true });
} catch (e) {
  fail(`check_report: ${e && e.stack || e}`);
} finally {
  await browser.close();
}
if (result.blocked.length) fail(`requests outside the file: ${result.blocked.join(', ')}`);
if (result.console_errors.length) fail(`console errors: ${result.console_errors.join(' | ')}`);
if (result.page_errors.length) fail(`page errors: ${result.page_errors.join(' | ')}`);
result.ok = result.failures.length === 0;
if (!jsonOnly) {
  console.error(`${result.ok ? 'ok' : 'FAILED'}: ${result.charts} charts; ` +
    Object.entries(result.checks).map(([k, v]) => `${k} ${v}`).join(', '));
  for (const f of result.failures) console.error(`  ${f}`);
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
