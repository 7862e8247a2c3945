#!/usr/bin/env node
// Drives `aimeter serve`'s UI (web/src/ui/) in headless Chromium (Debian's /usr/bin/chromium,
// playwright-core from web/node_modules) as a user would, and reports what it saw as one JSON
// line for tests/e2e/test_ui_browser.py to compare with the CLI: the runs list, a filter
// typed and one from a permalink (and a reload restoring it), a run opened, a zoom (the
// series request made with from/to, the chart's data changed, the window in the URL and
// restored by a reload), the kWh / g CO2e toggle, two runs selected and compared, the
// profiles page's import refused without --allow-import, and with --live a running run's
// Live tab moving (samples arriving, a phase appearing when GO is written, the stream closed
// when STOP ends the run). Any request not to the server is aborted and reported; console
// and page errors are collected. Screenshots: SHOTS/ui-*.png.
//
// usage: node tests/browser/check_ui.mjs BASE_URL --shots DIR --run ID --compare A,B
//          [--filter NAME] [--live ID --live-go FILE --live-stop FILE] [--json]
// Exit status 0 when every check passed, 1 when one failed, 2 on bad usage.
// CHROMIUM=/path overrides the browser.
import { createRequire } from 'node:module';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

function usage(msg) {
  if (msg) console.error(`check_ui: ${msg}`);
  console.error('usage: node tests/browser/check_ui.mjs BASE_URL --shots DIR --run ID --compare A,B [--filter NAME] [--live ID --live-go FILE --live-stop FILE] [--json]');
  process.exit(2);
}

const opt = { base: null, shots: null, run: null, compare: null, filter: 'train', live: null,
  liveGo: null, liveStop: null, importBase: null, json: false };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const val = () => { if (i + 1 >= args.length) usage(`${a} needs a value`); return args[++i]; };
  if (a === '--shots') opt.shots = val();
  else if (a === '--run') opt.run = val();
  else if (a === '--compare') opt.compare = val().split(',');
  else if (a === '--filter') opt.filter = val();
  else if (a === '--live') opt.live = val();
  else if (a === '--live-go') opt.liveGo = val();
  else if (a === '--live-stop') opt.liveStop = val();
  else if (a === '--import-base') opt.importBase = val().replace(/\/+$/, '');
  else if (a === '--json') opt.json = true;
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (!opt.base) opt.base = a.replace(/\/+$/, '');
  else usage('one base URL');
}
if (!opt.base || !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(opt.base)) usage('a base URL http://127.0.0.1:PORT');
if (!opt.shots || !opt.run || !opt.compare || opt.compare.length < 2) usage('--shots, --run and --compare A,B are needed');
if (opt.live && (!opt.liveGo || !opt.liveStop)) usage('--live needs --live-go and --live-stop');
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(exe)) usage(`${exe}: no Chromium (apt-get install chromium)`);
mkdirSync(opt.shots, { recursive: true });

const result = {
  ok: false, base: opt.base, blocked: [], console_errors: [], page_errors: [], failed_requests: [],
  checks: {}, failures: [], list: null, filtered: null, tag_filtered: null, compare: null,
  series_requests: [], zoom: null, live: null, screenshots: [],
};
const fail = (check, what) => { result.checks[check] = 'failed'; result.failures.push(`${check}: ${what}`); };
const ok = (check) => { if (result.checks[check] !== 'failed') result.checks[check] = 'ok'; };

// a chart canvas's pixels hashed (and how many are drawn), as check_report.mjs probes them
const CANVAS_PROBE = (id) => {
  const c = window.aimeterReport.charts.find((x) => x.id === id);
  if (!c) return null;
  const cv = c.uplot.ctx.canvas;
  const d = c.uplot.ctx.getImageData(0, 0, cv.width, cv.height).data;
  let hash = 2166136261; let drawn = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] !== 0) drawn++;
    hash = Math.imul(hash ^ (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)), 16777619);
  }
  return { hash: hash >>> 0, drawn };
};
// a chart's data: its x values' count, first and last, and a digest of every value
const DATA_PROBE = (id) => {
  const c = (window.aimeterReport?.charts || []).find((x) => x.id === id);
  if (!c) return null;
  const d = c.uplot.data;
  let sum = 0;
  for (const col of d) for (const v of col) if (typeof v === 'number') sum += v;
  return { n: d[0].length, x0: d[0][0] ?? null, x1: d[0][d[0].length - 1] ?? null, sum,
    min: c.uplot.scales.x.min, max: c.uplot.scales.x.max };
};
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

const browser = await chromium.launch({
  executablePath: exe,
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
let page;
const shot = async (name) => {
  const path = join(opt.shots, `ui-${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
};
const ready = (view, timeout = 15000) => page.waitForFunction(
  (v) => window.aimeterUI && window.aimeterUI.ready === true && window.aimeterUI.view === v, view, { timeout });
const hashParams = () => page.evaluate(() => {
  const h = location.hash.slice(1);
  const i = h.indexOf('?');
  return Object.fromEntries(new URLSearchParams(i < 0 ? '' : h.slice(i + 1)));
});
// one part of the walk: a failure is reported under its name and the next part still runs
let charts = [];
async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    fail(name, String((e && e.message) || e).split('\n')[0]);
  }
}
const rowIds = () => page.$$eval('[data-testid="run-row"]', (rows) => rows.map((r) => r.dataset.run));

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, acceptDownloads: false });
  page = await context.newPage();
  await page.route('**/*', (route) => {
    const u = route.request().url();
    const ours = [opt.base, opt.importBase].filter(Boolean).some((b) => u === b || u.startsWith(`${b}/`));
    if (ours || /^(data|blob):/.test(u)) return route.continue();
    result.blocked.push(u);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // the import refused on purpose (403, below) is logged by Chromium as a failed load
    if (/status of 403/.test(m.text()) && /\/api\/profiles$/.test(m.location()?.url || '')) return;
    result.console_errors.push(m.text());
  });
  page.on('pageerror', (e) => result.page_errors.push(String((e && e.message) || e)));
  page.on('request', (r) => {
    if (r.url().startsWith(opt.base) && r.url().includes('/series?')) result.series_requests.push(r.url().slice(opt.base.length));
  });
  page.on('response', (r) => {
    // a 4xx/5xx the UI asked for is a bug, except the refused import (checked below)
    if (r.status() >= 400 && !(r.request().method() === 'POST' && r.status() === 403)) {
      result.failed_requests.push(`${r.status()} ${r.url().slice(opt.base.length)}`);
    }
  });

  // --- the runs list
  await section('list', async () => {
    await page.goto(`${opt.base}/`, { waitUntil: 'load' });
    await ready('runs');
    result.list = await rowIds();
    if (result.list.length) ok('list'); else fail('list', 'no run row');
    await shot('runs');
    // --- a filter typed: the list and the URL follow
    await page.fill('[data-testid="filter-q"]', opt.filter);
    await page.waitForFunction((q) => location.hash.includes(`q=${encodeURIComponent(q)}`) && window.aimeterUI.ready
      && window.aimeterUI.query && window.aimeterUI.query.q === q, opt.filter, { timeout: 10000 });
    result.filtered = await rowIds();
    ok('filter');
    // a reload of the permalink restores the filter
    await page.reload({ waitUntil: 'load' });
    await ready('runs');
    const restored = await page.inputValue('[data-testid="filter-q"]');
    const again = await rowIds();
    if (restored === opt.filter && JSON.stringify(again) === JSON.stringify(result.filtered)) ok('permalink');
    else fail('permalink', `after a reload: filter "${restored}", rows ${JSON.stringify(again)}`);
    // a tag filter given in the URL
    await page.goto(`${opt.base}/#/runs?tag=${encodeURIComponent('batch=64')}`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.aimeterUI.ready && window.aimeterUI.query?.tag === 'batch=64', null, { timeout: 10000 });
    result.tag_filtered = await rowIds();
    ok('tag_filter');
  });
  // --- host and start-date filters from permalinks; a date with no run says so
  await section('more_filters', async () => {
    const rowsOf = async (hash, key) => {
      await page.goto(`${opt.base}/${hash}`, { waitUntil: 'load' });
      await page.waitForFunction((k) => window.aimeterUI.ready && window.aimeterUI.view === 'runs'
        && window.aimeterUI.query && window.aimeterUI.query[k] !== undefined, key, { timeout: 10000 });
      return rowIds();
    };
    result.host_filtered = await rowsOf('#/runs?host=golden-host', 'host');
    result.date_filtered = await rowsOf('#/runs?from=2026-12-07&to=2026-12-07', 'from');
    result.none_filtered = await rowsOf('#/runs?to=2000-01-01', 'to');
    if (!(await page.locator('[data-testid="no-runs"]').count())) fail('more_filters', 'no "no run matches" message');
    ok('more_filters');
  });
  // --- open a run from the list
  await section('open_run', async () => {
    await page.goto(`${opt.base}/#/runs`, { waitUntil: 'load' });
    await ready('runs');
    await page.click(`tr[data-run="${opt.run}"] [data-testid="run-link"]`);
    await ready('run');
    await page.waitForFunction(() => window.aimeterReport && window.aimeterReport.ready && window.aimeterReport.charts.length > 0, null, { timeout: 15000 });
    await page.evaluate(frame);
    charts = await page.evaluate(() => window.aimeterReport.charts.map((c) => ({ id: c.id, kind: c.kind })));
    result.charts = charts.length;
    let empty = 0;
    for (const c of charts) {
      const p = await page.evaluate(CANVAS_PROBE, c.id);
      if (!p || p.drawn === 0) empty++;
    }
    if (charts.some((c) => c.kind === 'timeseries') && !empty) ok('open_run');
    else fail('open_run', `${charts.length} charts, ${empty} empty`);
    await shot('run');
  });
  // --- zoom: a drag across the first time-series chart
  await section('zoom', async () => {
    const ts = charts.find((c) => c.kind === 'timeseries');
    if (ts) {
      const before = await page.evaluate(DATA_PROBE, ts.id);
      const nReq = result.series_requests.length;
      const over = page.locator(`[data-testid="chart-${ts.id}"] .u-over`);
      await over.scrollIntoViewIfNeeded();
      const box = await over.boundingBox();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.waitForFunction(() => window.aimeterUI.zoom && window.aimeterUI.zoom.loaded, null, { timeout: 10000 });
      await page.evaluate(frame);
      const after = await page.evaluate(DATA_PROBE, ts.id);
      const reqs = result.series_requests.slice(nReq);
      const hp = await hashParams();
      result.zoom = { before, after, requests: reqs, hash: hp, ui: await page.evaluate(() => window.aimeterUI.zoom) };
      const withWindow = reqs.some((u) => /[?&]from=[\d.]+/.test(u) && /[?&]to=[\d.]+/.test(u));
      const changed = after && before && (after.n !== before.n || after.x0 !== before.x0 || after.sum !== before.sum);
      const inside = after && after.x0 >= Number(hp.from) - 1 && after.x1 <= Number(hp.to) + 1;
      if (withWindow && changed && inside && hp.from && hp.to) ok('zoom');
      else fail('zoom', `request with from/to ${withWindow}, data changed ${changed}, inside ${inside}, hash ${JSON.stringify(hp)}`);
      await shot('run-zoomed');
      // the zoomed window is a permalink: a reload shows it again (and asks for it again)
      const n2 = result.series_requests.length;
      await page.reload({ waitUntil: 'load' });
      await ready('run');
      await page.waitForFunction(() => window.aimeterUI.zoom && window.aimeterUI.zoom.loaded, null, { timeout: 10000 });
      const re = await page.evaluate(DATA_PROBE, ts.id);
      if (result.series_requests.length > n2 && Math.abs(re.min - Number(hp.from)) < 0.01 && Math.abs(re.max - Number(hp.to)) < 0.01) ok('zoom_permalink');
      else fail('zoom_permalink', `after a reload the window is [${re.min}, ${re.max}], the URL's [${hp.from}, ${hp.to}]`);
      // Reset: the whole run again, the window out of the URL
      await page.click('[data-testid="zoom-reset"]');
      await page.waitForFunction(() => !location.hash.includes('from='), null, { timeout: 10000 });
      ok('zoom_reset');
    } else fail('zoom', 'no time-series chart');
  });
  // --- the kWh / g CO2e toggle
  await section('unit_toggle', async () => {
    const g = page.locator('[data-testid="cumulative-g"]');
    if (await g.count() && await g.isEnabled()) {
      const before = await page.evaluate(CANVAS_PROBE, 'cumulative');
      await g.check();
      await page.evaluate(frame);
      const after = await page.evaluate(CANVAS_PROBE, 'cumulative');
      const unit = await page.getAttribute('[data-testid="chart-cumulative"]', 'data-unit');
      const hp = await hashParams();
      if (unit === 'g' && hp.unit === 'g' && after && after.hash !== before.hash && after.drawn > 0) ok('unit_toggle');
      else fail('unit_toggle', `unit ${unit}, URL unit ${hp.unit}, canvas changed ${after && after.hash !== before.hash}`);
      await page.reload({ waitUntil: 'load' });
      await ready('run');
      await page.waitForFunction(() => window.aimeterReport?.ready, null, { timeout: 10000 });
      const unit2 = await page.getAttribute('[data-testid="chart-cumulative"]', 'data-unit');
      if (unit2 !== 'g') fail('unit_toggle', `a reload shows ${unit2}, not the URL's g`);
      await page.check('[data-testid="cumulative-kwh"]');
    } else fail('unit_toggle', 'no enabled g CO2e toggle');
  });
  // --- the run's tabs: each one's panel, its name in the URL, Back returns to the previous
  await section('tabs', async () => {
    await page.goto(`${opt.base}/#/run/${opt.run}`, { waitUntil: 'load' });
    await ready('run');
    for (const tab of ['whatif', 'forecast', 'live', 'report']) {
      await page.click(`[data-testid="tab-${tab}"]`);
      await page.waitForSelector(`[data-testid="panel-${tab}"]`, { timeout: 10000 });
      const hp = await hashParams();
      if ((hp.tab || 'report') !== tab) fail('tabs', `tab ${tab}: the URL says ${hp.tab}`);
    }
    await page.goBack();
    await page.waitForSelector('[data-testid="panel-live"]', { timeout: 10000 });
    ok('tabs');
  });
  // --- select two runs, compare them
  await section('compare', async () => {
    await page.goto(`${opt.base}/#/runs`, { waitUntil: 'load' });
    await ready('runs');
    for (const id of opt.compare) await page.check(`input[type=checkbox][data-run="${id}"]`);
    await page.click('[data-testid="compare-selected"]');
    await ready('compare');
    result.compare = await page.evaluate(() => {
      const out = { runs: null, rows: {}, cli: null };
      out.runs = new URLSearchParams(location.hash.split('?')[1] || '').get('runs');
      for (const tr of document.querySelectorAll('[data-testid="compare-table"] tbody tr')) {
        out.rows[tr.dataset.key] = [...tr.querySelectorAll('td[data-col]')].map((td) =>
          (td.dataset.value === undefined ? null : Number(td.dataset.value)));
      }
      out.cli = document.querySelector('[data-testid="cli-command"]')?.textContent ?? null;
      return out;
  });
  if (Object.keys(result.compare.rows).length) ok('compare'); else fail('compare', 'no row');
  await shot('compare');

  });
  // --- runs grouped by a tag (a permalink): each group's mean ± spread
  await section('compare_by', async () => {
    await page.goto(`${opt.base}/#/compare?by=batch`, { waitUntil: 'load' });
    await ready('compare');
    result.compare_by = await page.evaluate(() => {
      const out = { rows: {}, text: {}, cli: document.querySelector('[data-testid="cli-command"]')?.textContent ?? null };
      for (const tr of document.querySelectorAll('[data-testid="compare-table"] tbody tr')) {
        const tds = [...tr.querySelectorAll('td[data-col]')];
        out.rows[tr.dataset.key] = tds.map((td) => (td.dataset.value === undefined ? null : Number(td.dataset.value)));
        out.text[tr.dataset.key] = tds.map((td) => td.textContent);
      }
      return out;
    });
    if (Object.keys(result.compare_by.rows).length) ok('compare_by'); else fail('compare_by', 'no row');
    await shot('compare-by');
  });
  // --- profiles: the page lists them; an import without --allow-import says how to allow it
  await section('profiles', async () => {
    await page.goto(`${opt.base}/#/profiles`, { waitUntil: 'load' });
    await ready('profiles');
    await page.setInputFiles('[data-testid="import-file"]', { name: 'epochs.csv', mimeType: 'text/csv',
      buffer: Buffer.from('epoch,energy_j\n1,100\n2,110\n') });
    await page.click('[data-testid="import-go"]');
    await page.waitForFunction(() => window.aimeterUI.importError || window.aimeterUI.imported, null, { timeout: 10000 });
    result.import_message = await page.textContent('[data-testid="import-message"]');
    result.import = await page.evaluate(() => window.aimeterUI.importError || { imported: window.aimeterUI.imported?.id });
    ok('profiles');
    await shot('profiles');
  });
  // --- a running run's Live tab
  // --- a server started with --allow-import: a CSV imported, listed, its epochs set against a run's
  if (opt.importBase) {
    await section('import', async () => {
      await page.goto(`${opt.importBase}/#/profiles`, { waitUntil: 'load' });
      await ready('profiles');
      await page.fill('[data-testid="import-name"]', 'theirs');
      await page.setInputFiles('[data-testid="import-file"]', { name: 'epochs.csv', mimeType: 'text/csv',
        buffer: Buffer.from('epoch,energy_j\n1,100\n2,110\n3,120\n') });
      await page.click('[data-testid="import-go"]');
      await page.waitForFunction(() => window.aimeterUI.imported || window.aimeterUI.importError, null, { timeout: 10000 });
      const imported = await page.evaluate(() => window.aimeterUI.imported);
      if (!imported) throw new Error(`refused: ${await page.textContent('[data-testid="import-message"]')}`);
      await page.waitForSelector(`[data-testid="profiles-table"] tr[data-profile="${imported.id}"]`, { timeout: 10000 });
      await page.fill('[data-testid="export-run"]', opt.run);
      await page.click(`tr[data-profile="${imported.id}"] [data-testid="profile-pick"]`);
      await page.waitForSelector('[data-testid="profile-compare"]', { timeout: 10000 });
      result.profile_compare = await page.evaluate(() => ({
        hash: location.hash,
        export_href: document.querySelector('[data-testid="export-link"]').getAttribute('href'),
        epochs: [...document.querySelectorAll('[data-testid="profile-compare"] tr[data-epoch]')].map((tr) =>
          [Number(tr.dataset.epoch), ...[...tr.querySelectorAll('td[data-value], td.num')].slice(0, 2).map((td) =>
            (td.dataset.value === undefined ? null : Number(td.dataset.value)))]),
      }));
      result.imported = imported;
      ok('import');
      await shot('profiles-compare');
    });
  }
  // --- the server's `event: error` (a store it cannot read): the message is shown and the
  // stream closed, not reconnected to forever (the answer stands in for the server's)
  await section('live_error', async () => {
    const pattern = `**/api/runs/${opt.run}/events*`;
    let asked = 0;
    await page.route(pattern, (route) => {
      asked++;
      return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
        body: 'retry: 50\nevent: error\ndata: {"error":"database is locked"}\n\n' });
    });
    try {
      await page.goto(`${opt.base}/#/run/${opt.run}?tab=live`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.aimeterUI.live && window.aimeterUI.live.error, null, { timeout: 10000 });
      const got = await page.evaluate(() => ({ ...window.aimeterUI.live,
        status: document.querySelector('[data-testid="live-status"]')?.textContent }));
      result.live_error = { ...got, asked };
      if (got.error !== 'database is locked' || !got.closed || !/database is locked/.test(got.status)) {
        fail('live_error', JSON.stringify(result.live_error));
      } else ok('live_error');
    } finally {
      await page.unroute(pattern);
    }
  });
  if (opt.live) {
    await section('live', async () => {
      try {
        await page.goto(`${opt.base}/#/runs`, { waitUntil: 'load' });
        await ready('runs');
        await page.waitForFunction((id) => (window.aimeterUI.liveRuns || []).includes(id), opt.live, { timeout: 15000 })
          .then(() => ok('live_list'), () => fail('live_list', `${opt.live} not in the Live list`));
        // a fresh page (a reload), as a link to the Live tab opens it
        await page.goto(`${opt.base}/#/run/${opt.live}?tab=live`, { waitUntil: 'load' });
        await page.reload({ waitUntil: 'load' });
        await ready('run');
        await page.waitForFunction(() => window.aimeterUI.live && window.aimeterUI.live.events >= 1
          && window.aimeterReport.charts.length > 0, null, { timeout: 15000 });
        const l1 = await page.evaluate(() => ({ ...window.aimeterUI.live }));
        const c1 = await page.evaluate(DATA_PROBE, 'ts-0');
        // more samples arrive and the chart moves
        await page.waitForFunction((t) => window.aimeterUI.live.lastT > t, l1.lastT, { timeout: 15000 });
        await page.waitForFunction((n) => window.aimeterUI.live.redraws > n, l1.redraws, { timeout: 5000 });
        const c2 = await page.evaluate(DATA_PROBE, 'ts-0');
        const moved = c1 && c2 && (c2.x1 > c1.x1 || c2.max > c1.max);
        if (moved) ok('live_moves'); else fail('live_moves', `chart ${JSON.stringify(c1)} -> ${JSON.stringify(c2)}`);
        await shot('live');
        // a phase begins: it appears
        writeFileSync(opt.liveGo, 'go\n');
        await page.waitForFunction(() => window.aimeterUI.live.phases.includes('train'), null, { timeout: 15000 })
          .then(() => ok('live_phase'), () => fail('live_phase', 'the phase "train" did not appear'));
        // the run ends: the stream is closed
        writeFileSync(opt.liveStop, 'stop\n');
        await page.waitForFunction(() => window.aimeterUI.live.ended, null, { timeout: 20000 })
          .then(() => ok('live_end'), () => fail('live_end', 'no end event'));
        result.live = await page.evaluate(() => ({ ...window.aimeterUI.live,
          status: document.querySelector('[data-testid="live-status"]')?.textContent }));
        await shot('live-ended');
      } finally {
        // whatever failed, the workload is let go so that the run ends
        writeFileSync(opt.liveGo, 'go\n');
        writeFileSync(opt.liveStop, 'stop\n');
      }
    });
  }
} catch (e) {
  fail('script', (e && e.stack) || String(e));
} finally {
  await browser.close();
}
if (result.blocked.length) fail('no_outside_request', result.blocked.join(', ')); else ok('no_outside_request');
if (result.console_errors.length) fail('no_console_error', result.console_errors.join(' | ')); else ok('no_console_error');
if (result.page_errors.length) fail('no_page_error', result.page_errors.join(' | ')); else ok('no_page_error');
if (result.failed_requests.length) fail('no_failed_request', result.failed_requests.join(', ')); else ok('no_failed_request');
result.ok = result.failures.length === 0;
if (!opt.json) {
  console.error(`${result.ok ? 'ok' : 'FAILED'}: ` + Object.entries(result.checks).map(([k, v]) => `${k} ${v}`).join(', '));
  for (const f of result.failures) console.error(`  ${f}`);
}
// exitCode, not exit(): a large result written to a pipe is flushed before node ends
console.log(JSON.stringify(result));
process.exitCode = result.ok ? 0 : 1;
