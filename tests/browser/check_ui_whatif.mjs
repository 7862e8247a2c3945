#!/usr/bin/env node
// Drives the What-if and Extrapolation tabs of `aimeter serve`'s UI (web/src/ui/whatif/) in
// headless Chromium (playwright-core from web/node_modules) and reports what the page shows,
// for tests/e2e/test_ui_whatif.py to compare with the CLI's --json figures:
//  - a click on a map shape (path[data-zone=CODE]) re-prices the run there: the figure shown
//    (window.aimeterUI.whatif: carbon_g from the equation, server_carbon_g from the API);
//  - a PUE typed into the equation (input[data-testid=eq-pue]) updates the result;
//  - the rank table (table[data-testid=rank-table], rows tr[data-zone][data-carbon]);
//  - alternative hardware (checkbox input[data-hw=NAME], button hw-compare; typed figures
//    hw-custom-name/-tdp/-tflops + hw-custom-add): window.aimeterUI.whatif.hardware;
//  - the marginal switch (select whatif-signal) and the zone list (select whatif-zone-select);
//  - the extrapolation (tab=forecast&epochs=N): window.aimeterUI.forecast (r2, n, band) and
//    its two charts' canvases;
//  - every "Copy as CLI command" text (code[data-testid=cli-command]).
// Any request that does not go to BASE is aborted and listed; console errors and page errors
// are listed. Screenshots ui-whatif-*.png go to OUTDIR.
//
// usage: node tests/browser/check_ui_whatif.mjs BASE RUN OUTDIR [--zone FR] [--state US-CA]
//        [--pue 1.3] [--hw A100] [--sub CA-QC] [--year 2010] [--epochs 10] [--run2 RUN]
// Prints one JSON object; exit 0 when the page did all of it without errors, 1 otherwise.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const [base, run, outdir] = args;
if (!base || !run || !outdir) {
  console.error('usage: node tests/browser/check_ui_whatif.mjs BASE RUN OUTDIR [--zone FR] ...');
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const zone = opt('zone', 'FR');
const state = opt('state', 'US-CA');
const pue = opt('pue', '1.3');
const hw = opt('hw', 'A100');
const sub = opt('sub', 'CA-QC');
const epochs = opt('epochs', '10');
const year = opt('year', '2010');
const run2 = opt('run2', null); // a run without epochs
mkdirSync(outdir, { recursive: true });
const exe = process.env.CHROMIUM || '/usr/bin/chromium';

const result = { ok: false, blocked: [], console_errors: [], page_errors: [], failures: [], steps: {} };
const fail = (what) => result.failures.push(what);
const T = 20000;

const browser = await chromium.launch({ executablePath: exe, headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || /^(data|blob):/.test(url)) return route.continue();
    result.blocked.push(url);
    return route.abort();
  });
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.page_errors.push(String(e && e.message || e)));
  // the hook as it is now (the rank's rows left out: the rank step reads the table)
  const hookOf = (name) => page.evaluate((n) => JSON.parse(JSON.stringify({ ...(window.aimeterUI?.[n] || {}), rank: undefined })), name);
  const waitHook = (pred, arg) => page.waitForFunction(pred, arg, { timeout: T });
  const cliTexts = (sel) => page.$$eval(`${sel} [data-testid="cli-command"]`, (els) => els.map((e) => e.textContent));
  const step = async (name, fn) => {
    try { result.steps[name] = await fn(); } catch (e) { fail(`${name}: ${String(e.message || e).split('\n')[0]}`); }
  };

  await step('initial', async () => {
    await page.goto(`${base}/#/run/${encodeURIComponent(run)}?tab=whatif`, { waitUntil: 'load' });
    await waitHook(() => window.aimeterUI?.whatif?.synced === true && window.aimeterUI.whatif.zones_shown > 0);
    const paths = await page.$$eval('svg[data-testid="map-world"] path[data-zone]', (ps) => ps.length);
    const states = await page.$$eval('svg[data-testid="map-us"] path[data-zone]', (ps) => ps.length);
    const coloured = await page.$$eval('path[data-zone]', (ps) => ps.filter((p) => p.dataset.g !== '').length);
    const legend = await page.$eval('[data-testid="map-legend"]', (e) => e.textContent);
    await page.screenshot({ path: join(outdir, 'ui-whatif-initial.png'), fullPage: true });
    return { hook: await hookOf('whatif'), paths, states, coloured, legend };
  });

  await step('pue_range', async () => {
    // no device ticked yet: the hardware box shows no command and its copy button is disabled
    const hwCli = await page.$eval('[data-testid="whatif-hardware"] [data-testid="cli-command"]', (e) => e.textContent);
    const hwCopyDisabled = await page.$eval('[data-testid="whatif-hardware"] [data-testid="cli-copy"]', (e) => e.disabled);
    // a typed PUE out of 1.0-5.0: marked, not put in the address, not asked of the server
    const hash0 = await page.evaluate(() => location.hash);
    await page.fill('input[data-testid="eq-pue"]', '7');
    const typed = await page.$eval('input[data-testid="eq-pue"]', (e) => ({ bad: e.classList.contains('bad'), invalid: e.getAttribute('aria-invalid') }));
    const hashTyped = await page.evaluate(() => location.hash);
    // a linked one is ignored with a note (the run's own PUE used)
    await page.goto(`${base}/#/run/${encodeURIComponent(run)}?tab=whatif&pue=0.5`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await waitHook(() => window.aimeterUI?.whatif?.synced === true && window.aimeterUI.whatif.pue_ignored === '0.5');
    const note = await page.$eval('[data-testid="whatif-pue-note"]', (e) => e.textContent);
    const h = await hookOf('whatif');
    await page.goto(`${base}/#/run/${encodeURIComponent(run)}?tab=whatif`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await waitHook(() => window.aimeterUI?.whatif?.synced === true && !window.aimeterUI.whatif.pue_ignored);
    return { hw_cli: hwCli, hw_copy_disabled: hwCopyDisabled, typed, hash_unchanged: hash0 === hashTyped,
      note, pue: h.pue, cli: h.cli };
  });

  // a real click on a point of the shape (a shape's box centre may be sea: France's box
  // holds French Guiana), the topmost element there being the shape
  const clickShape = async (code) => {
    const at = await page.evaluate((c) => {
      const p = document.querySelector(`path[data-zone="${c}"]`);
      p.scrollIntoView({ block: 'center' });
      const svg = p.ownerSVGElement;
      const bb = p.getBBox();
      const m = p.getScreenCTM();
      for (let i = 1; i < 24; i++) {
        for (let k = 1; k < 24; k++) {
          const q = svg.createSVGPoint();
          q.x = bb.x + (bb.width * i) / 24;
          q.y = bb.y + (bb.height * k) / 24;
          if (!p.isPointInFill(q)) continue;
          const s = q.matrixTransform(m);
          if (document.elementFromPoint(s.x, s.y) === p) return { x: s.x, y: s.y };
        }
      }
      return null;
    }, code);
    if (!at) throw new Error(`no point of ${code}'s shape to click`);
    await page.mouse.click(at.x, at.y);
  };
  const clickZone = async (code) => {
    await clickShape(code);
    await waitHook((c) => window.aimeterUI.whatif.synced && window.aimeterUI.whatif.requested?.split('@')[0] === c, code);
    const shown = await page.$eval('[data-testid="whatif-carbon"]', (e) => e.textContent);
    const sel = await page.$$eval('path.selected', (ps) => ps.map((p) => p.dataset.zone));
    return { hook: await hookOf('whatif'), shown, selected: sel, hash: await page.evaluate(() => location.hash),
      cli: (await cliTexts('[data-testid="whatif-result"]'))[0] };
  };
  await step('state', () => clickZone(state));
  await step('zone', () => clickZone(zone));

  await step('pue', async () => {
    await page.fill('input[data-testid="eq-pue"]', pue);
    await waitHook((p) => window.aimeterUI.whatif.synced && window.aimeterUI.whatif.pue === Number(p), pue);
    const eqText = await page.$eval('[data-testid="eq-carbon"]', (e) => e.textContent);
    return { hook: await hookOf('whatif'), eq: eqText, hash: await page.evaluate(() => location.hash),
      cli: (await cliTexts('[data-testid="whatif-result"]'))[0] };
  });

  await step('rank', async () => {
    await page.waitForFunction((p) => document.querySelectorAll('table[data-testid="rank-table"] tr[data-zone]').length > 0 &&
      (window.aimeterUI.whatif.rank_cli || '').includes(`--pue ${p}`), pue, { timeout: T });
    const rows = await page.$$eval('table[data-testid="rank-table"] tr[data-zone]',
      (trs) => trs.map((t) => ({ code: t.dataset.zone, carbon_g: Number(t.dataset.carbon) })));
    const selected = await page.$$eval('table[data-testid="rank-table"] tr.selected', (trs) => trs.map((t) => t.dataset.zone));
    return { rows, selected, cli: (await cliTexts('[data-testid="whatif-rank"]'))[0] };
  });

  await step('hardware', async () => {
    await page.check(`input[data-hw="${hw}"]`);
    await page.click('[data-testid="hw-compare"]');
    await waitHook((n) => window.aimeterUI.whatif.hardware?.alternatives?.some((a) => a.query === n), hw);
    const row = await page.$eval(`table[data-testid="hw-result-table"] tr[data-hw="${hw}"]`, (t) => ({ carbon_g: Number(t.dataset.carbon), energy_j: Number(t.dataset.energy) }));
    const h = await hookOf('whatif');
    return { json: h.hardware, row, cli: h.hardware_cli };
  });

  await step('custom_hardware', async () => {
    await page.fill('[data-testid="hw-custom-name"]', 'MyGPU');
    await page.fill('[data-testid="hw-custom-tdp"]', '350');
    await page.fill('[data-testid="hw-custom-tflops"]', '200');
    await page.click('[data-testid="hw-custom-add"]');
    await waitHook(() => window.aimeterUI.whatif.hardware?.alternatives?.some((a) => a.query === 'MyGPU'));
    const h = await hookOf('whatif');
    await page.screenshot({ path: join(outdir, 'ui-whatif-equations.png'), fullPage: true });
    // the typed device is in the permalink: a reload compares it again
    const hash = await page.evaluate(() => location.hash);
    await page.reload({ waitUntil: 'load' });
    await waitHook(() => window.aimeterUI?.whatif?.synced === true &&
      window.aimeterUI.whatif.hardware?.alternatives?.some((a) => a.query === 'MyGPU'));
    const again = await hookOf('whatif');
    return { json: h.hardware, cli: h.hardware_cli, hash, reloaded_cli: again.hardware_cli };
  });

  await step('year', async () => {
    // a year: the map painted with that year's rows, the zone priced as CODE@YEAR; then back
    await page.selectOption('select[data-testid="whatif-year"]', year);
    await waitHook((y) => window.aimeterUI.whatif.synced && window.aimeterUI.whatif.year === Number(y) &&
      window.aimeterUI.whatif.requested?.endsWith(`@${y}`), year);
    await page.waitForFunction((z) => document.querySelector(`path[data-zone="${z}"]`).dataset.g !== '', zone, { timeout: T });
    const g = await page.$eval(`path[data-zone="${zone}"]`, (p) => p.dataset.g);
    const out = { hook: await hookOf('whatif'), g, hash: await page.evaluate(() => location.hash),
      rank_cli: (await cliTexts('[data-testid="whatif-rank"]'))[0] };
    await page.selectOption('select[data-testid="whatif-year"]', '');
    await waitHook(() => window.aimeterUI.whatif.synced && window.aimeterUI.whatif.year === null &&
      !/@\d/.test(window.aimeterUI.whatif.requested || ''));
    return out;
  });

  await step('sub_national', async () => {
    await page.selectOption('select[data-testid="whatif-zone-select"]', sub);
    await waitHook((c) => window.aimeterUI.whatif.synced && window.aimeterUI.whatif.requested?.split('@')[0] === c, sub);
    return { hook: await hookOf('whatif') };
  });

  await step('marginal', async () => {
    const before = (await hookOf('whatif')).zones_shown;
    await page.selectOption('select[data-testid="whatif-signal"]', 'marginal');
    await waitHook(() => window.aimeterUI.whatif.signal === 'marginal' && window.aimeterUI.whatif.synced &&
      (window.aimeterUI.whatif.requested || '').endsWith('@marginal'));
    await page.waitForFunction((b) => window.aimeterUI.whatif.zones_shown !== b, before, { timeout: T });
    // the hardware comparison on the page follows the zone and the signal
    await waitHook(() => window.aimeterUI.whatif.hardware?.zones?.[1]?.signal === 'marginal');
    const fill = await page.$eval(`path[data-zone="${state}"]`, (p) => ({ g: p.dataset.g, fill: p.getAttribute('fill') }));
    await page.screenshot({ path: join(outdir, 'ui-whatif-marginal.png'), fullPage: true });
    return { hook: await hookOf('whatif'), state_fill: fill };
  });

  await step('device_term', async () => {
    // twice the GPUs in the energy equation: the result follows at once, then Reset
    const before = await hookOf('whatif');
    await page.fill('input[data-testid="eq-count-gpu"]', '4');
    await waitHook(() => window.aimeterUI.whatif.local_edits === true);
    const edited = await hookOf('whatif');
    const devices = await page.$eval('[data-testid="eq-group-gpu"]', (e) => e.textContent);
    // the edited term is in the permalink: a reload shows the same equation and result
    await page.waitForFunction(() => location.hash.includes('eq='), null, { timeout: T });
    const editedHash = await page.evaluate(() => location.hash);
    await page.reload({ waitUntil: 'load' });
    await waitHook(() => window.aimeterUI?.whatif?.synced && window.aimeterUI.whatif.local_edits === true);
    const reloaded = { hook: await hookOf('whatif'),
      count: await page.$eval('input[data-testid="eq-count-gpu"]', (e) => e.value) };
    await page.click('[data-testid="eq-reset"]');
    await waitHook(() => window.aimeterUI.whatif.synced && window.aimeterUI.whatif.local_edits === false &&
      !(window.aimeterUI.whatif.cli || '').includes('--pue'));
    return { before, edited, devices, editedHash, reloaded, reset: await hookOf('whatif'),
      hash: await page.evaluate(() => location.hash) };
  });

  await step('too_few', async () => {
    // two epochs fitted (the first left out): the server says why there is no forecast
    await page.goto(`${base}/#/run/${encodeURIComponent(run)}?tab=forecast&epochs=${epochs}&skip=1`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await waitHook(() => window.aimeterUI?.forecast?.ready === true);
    const verdict = await page.$eval('[data-testid="fc-verdict"]', (e) => e.textContent);
    const nochart = await page.$$eval('[data-testid="fc-nochart"]', (e) => e.length);
    return { hook: await hookOf('forecast'), verdict, nochart,
      cli: (await cliTexts('[data-testid="forecast"]'))[0] };
  });

  await step('forecast', async () => {
    await page.goto(`${base}/#/run/${encodeURIComponent(run)}?tab=forecast&epochs=${epochs}`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' }); // a permalink opened fresh
    await waitHook(() => window.aimeterUI?.forecast?.ready === true);
    await page.waitForTimeout(100);
    const canvases = await page.$$eval('[data-testid="fc-charts"] canvas', (cs) => cs.map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let band = 0;
      for (let i = 0; i < d.length; i += 4) {
        // the band's fill: translucent Okabe-Ito blue over white
        if (d[i + 3] > 0 && d[i + 2] > d[i] + 20 && d[i + 2] > 200 && d[i] > 150) band++;
      }
      return { band };
    }));
    const r2Text = await page.$eval('[data-testid="fc-r2"]', (e) => e.textContent);
    await page.screenshot({ path: join(outdir, 'ui-whatif-forecast.png'), fullPage: true });
    return { hook: await hookOf('forecast'), canvases, r2_text: r2Text,
      cli: (await cliTexts('[data-testid="forecast"]'))[0] };
  });
  await step('no_figure', async () => {
    // a zone without a figure for the year: said on the page, nothing asked (no 400)
    await page.goto(`${base}/#/run/${encodeURIComponent(run)}?tab=whatif&year=${year}&zone=${state}`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await waitHook((z) => window.aimeterUI?.whatif?.missing === z, state);
    return { error: await page.$eval('[data-testid="whatif-error"]', (e) => e.textContent) };
  });

  if (run2) {
    await step('no_epochs', async () => {
      await page.goto(`${base}/#/run/${encodeURIComponent(run2)}?tab=forecast`, { waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
      await waitHook(() => window.aimeterUI?.forecast?.ready === true);
      return { hook: await hookOf('forecast'),
        error: await page.$eval('[data-testid="fc-error"]', (e) => e.textContent) };
    });
  }
} finally {
  await browser.close();
}
result.ok = !result.failures.length && !result.blocked.length && !result.console_errors.length && !result.page_errors.length;
// exit once the line is written: a pipe takes a long line in several writes
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(result.ok ? 0 : 1));
