// The Run view, #/run/ID?tab=report|whatif|forecast|live: the run's HTML report drawn from
// /api/runs/{id}/view by the report's own code (render.js), its time series re-fetched from
// the store as the window narrows (zoom.js; from= and to= in the permalink), the kWh / g CO2e
// toggle in the permalink (unit=g); the What-if and Extrapolation tabs are web/src/ui/whatif/'s
// (P5), the Live tab follows the run as it records (live.js).
import { h } from '../format.js';
import { normalise } from '../data.js';
import { render } from '../render.js';
import { header, cards, warnings } from '../summary.js';
import { energyTable } from '../tables.js';
import { charts, removeCharts, setRange, currentRange } from '../chartkit.js';
import { getJSON, runPath } from './api.js';
import { params, setParams, onParams, makeHash } from './state.js';
import { cliButton } from './cli.js';
import { showError, loading } from './common.js';
import { zoomOnDemand } from './zoom.js';
import { mountLive } from './live.js';
import { mountWhatif, mountForecast } from './whatif/index.js';

export const TABS = [['report', 'Report'], ['whatif', 'What-if'], ['forecast', 'Extrapolation'], ['live', 'Live']];
const tabOf = (p) => (TABS.some(([t]) => t === p.tab) ? p.tab : 'report');
const num = (x) => (x === undefined || x === '' || !Number.isFinite(Number(x)) ? null : Number(x));

/** The Report tab: the report drawn, zoom on demand, the window and the unit in the URL. */
function mountReport(el, ctx) {
  const { id, view, ui } = ctx;
  const data = normalise(view);
  const status = h('p', { class: 'note', 'data-testid': 'zoom-status', 'aria-live': 'polite' });
  const root = h('div', { class: 'report-body', 'data-testid': 'report' });
  el.replaceChildren(h('div', { class: 'controls' },
    cliButton(() => ['report', id, '--format', 'html', '-o', `${id}.html`])), root);
  render(root, data);
  window.aimeterReport = { charts: charts(), ready: true };
  // the report's contents bar links to its sections (#timeline): scrolled to here, since the
  // hash is the router's
  root.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href^="#"]');
    if (!a || a.getAttribute('href').startsWith('#/')) return;
    e.preventDefault();
    root.querySelector(`[id="${CSS.escape(a.getAttribute('href').slice(1))}"]`)?.scrollIntoView();
  });
  // the cumulative chart's unit: a permalink parameter
  root.addEventListener('change', (e) => {
    if (e.target.name === 'cumulative-unit') setParams({ unit: e.target.value === 'g' ? 'g' : null });
  });
  // the zoom's state under the zoom buttons
  const bar = root.querySelector('#timeline .toolbar');
  if (bar) bar.after(status);
  const zoom = zoomOnDemand(id, data.timeline, ui, (from, to) => setParams({ from, to }), status);
  const apply = (p) => {
    const g = root.querySelector('[data-testid="cumulative-g"]');
    const k = root.querySelector('[data-testid="cumulative-kwh"]');
    const want = p.unit === 'g' ? g : k;
    if (want && !want.checked && !want.disabled) {
      want.checked = true;
      want.dispatchEvent(new Event('change', { bubbles: true }));
    }
    const a = num(p.from);
    const b = num(p.to);
    // only a window other than the one shown (the URL holds it rounded to 1 ms): no loop
    // from a zoom that wrote its own window into the URL
    const [c0, c1] = currentRange();
    const other = (x, y) => Math.abs(c0 - x) > 2e-3 || Math.abs(c1 - y) > 2e-3;
    if (a !== null && b !== null && b > a) {
      if (other(a, b)) setRange(a, b);
    } else if (p.from === undefined && p.to === undefined) {
      const [x0, x1] = [data.timeline.x0, data.timeline.x1];
      if (other(x0, x1)) setRange(x0, x1);
    }
  };
  apply(ctx.params());
  return {
    onParams: apply,
    unmount() { zoom.stop(); removeCharts(); window.aimeterReport = { charts: charts(), ready: false }; },
  };
}

const MOUNT = {
  report: mountReport,
  whatif: (el, ctx) => mountWhatif(el, ctx),
  forecast: (el, ctx) => mountForecast(el, ctx),
  live: (el, ctx) => mountLive(el, ctx),
};

export function mountRun(el, { id, ui, done }) {
  const title = h('h1', {}, id);
  const sub = h('p', { class: 'muted' });
  const tabs = h('nav', { class: 'ui-tabs', role: 'tablist', 'data-testid': 'run-tabs' });
  const panel = h('div', { class: 'ui-tab-panel', role: 'tabpanel' }, loading('the run'));
  el.replaceChildren(h('section', { class: 'ui-panel ui-run' },
    h('p', { class: 'ui-crumbs' }, h('a', { href: '#/runs' }, 'Runs'), ' › ', id),
    title, sub, tabs, panel));
  let view = null;
  let tab = null;
  let current = null;
  let stopped = false;
  const listeners = new Set();
  const drawTabs = () => {
    const p = params();
    const t = tabOf(p);
    tabs.replaceChildren(...TABS.map(([k, label]) => h('a', {
      href: makeHash(`/run/${encodeURIComponent(id)}`, { ...p, tab: k }),
      role: 'tab', 'aria-selected': String(k === t), class: k === t ? 'active' : null,
      'data-testid': `tab-${k}`,
      onclick: (e) => { e.preventDefault(); setParams({ tab: k === 'report' ? null : k }, { replace: false }); },
    }, label)));
  };
  const ctx = {
    id, ui, params, setParams,
    // P5's views subscribe here (or state.js's onParams): called while their tab is shown
    onParams: (fn) => { listeners.add(fn); return () => listeners.delete(fn); },
  };
  const show = () => {
    const p = params();
    drawTabs();
    const t = tabOf(p);
    if (t === tab) {
      current?.onParams?.(p);
      for (const fn of [...listeners]) fn(p);
      return;
    }
    try { current?.unmount(); } catch (err) { console.warn('aimeter ui: tab unmount', err); }
    listeners.clear();
    removeCharts();
    tab = t;
    ui.tab = t;
    const host = h('div', { class: `ui-tab ui-tab-${t}`, 'data-testid': `panel-${t}` });
    panel.replaceChildren(host);
    try {
      current = MOUNT[t](host, { ...ctx, view });
    } catch (err) {
      console.error('aimeter ui:', err);
      showError(host, err, ui);
      current = null;
    }
  };

  const describe = (run) => {
    title.textContent = run.name || run.id || id;
    sub.textContent = `${run.id || id} · ${run.host || ''} · ${run.stale ? 'incomplete' : run.status || ''}`;
    document.title = `aimeter · ${run.name || id}`;
  };
  // First paint: the run's figures (its report JSON, milliseconds to build) while /view
  // (every sample of a long run read, decimated and priced) is still being made; the report
  // drawn from /view replaces them. /view is asked once the summary has answered: the server
  // serves one store request at a time, and the summary must not wait behind /view. A failed
  // summary is left to /view to report.
  ui.summary = false;
  const summary = getJSON(runPath(id)).catch(() => null);
  summary.then((report) => {
    if (stopped || view || !report || tabOf(params()) !== 'report') return;
    describe(report.run || {});
    panel.replaceChildren(h('div', { class: 'report-body', 'data-testid': 'report-summary' },
      header(report), cards(report), warnings(report), energyTable(report)),
    loading('the time series'));
    ui.summary = true;
  });
  (async () => {
    try {
      await summary;
      view = await getJSON(runPath(id, '/view'));
    } catch (err) {
      if (stopped) return;
      title.textContent = err.status === 404 ? 'No such run' : 'This run could not be loaded';
      showError(panel, err, ui);
      done();
      return;
    }
    if (stopped) return;
    const run = view.report?.run || {};
    describe(run);
    ui.run = { id: run.id || id, status: run.status };
    show();
    done();
  })();
  const off = onParams(() => { if (view) show(); });
  return {
    unmount() {
      stopped = true;
      off();
      try { current?.unmount(); } catch (err) { console.warn('aimeter ui: tab unmount', err); }
      removeCharts();
      document.title = 'aimeter';
    },
  };
}
