// The Extrapolation tab (mountForecast): the run's epochs (instances of a repeated phase)
// fitted by `aimeter forecast` (GET /api/runs/ID/forecast?epochs=N[&phase=][&skip=]) and
// drawn per epoch and cumulated, each with its 95 % prediction band as a filled area; the
// fit's quality (R², n) and the server's verdict stated. "Hours" turns a duration into the
// epoch count through the fitted epoch time.
import uPlot from 'uplot';
import { h, fmt, carbon, energy, duration } from '../../format.js';
import { getJSON, runPath } from '../api.js';
import { cliButton } from '../cli.js';
import { OKABE_ITO } from '../../palette.js';
import { chartColumns, epochsForHours, countInstances, defaultTarget } from './forecast.js';
import { hook } from './hook.js';
import { ctxParams } from './params.js';

const BAND = 'rgba(0, 114, 178, 0.18)';

function chart(host, title, x, cols, yLabel) {
  const fig = h('figure', { class: 'fc-chart', 'data-testid': `fc-chart-${cols.id}` }, h('figcaption', {}, title));
  const plot = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}; the figures are in the facts above` });
  fig.append(plot);
  host.append(fig);
  const opts = {
    width: Math.max(320, host.clientWidth || 800),
    height: 260,
    scales: { x: { time: false } },
    axes: [
      { label: 'epoch', labelSize: 20, size: 36, stroke: '#333', grid: { stroke: '#ebebeb' }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
      { label: yLabel, labelSize: 20, size: 70, stroke: '#333', grid: { stroke: '#ebebeb' }, values: (u, v) => v.map((x) => fmt(x, 4)) },
    ],
    series: [
      { label: 'epoch' },
      { label: '95 % high', stroke: 'rgba(0,114,178,0.45)', width: 1, dash: [4, 3], points: { show: false } },
      { label: '95 % low', stroke: 'rgba(0,114,178,0.45)', width: 1, dash: [4, 3], points: { show: false } },
      { label: cols.lineLabel, stroke: OKABE_ITO[0], width: 2, points: { show: false } },
      { label: 'measured', stroke: OKABE_ITO[1], width: 2, points: { show: true, size: 7, fill: OKABE_ITO[1] } },
    ],
    // the band: the area between the high and the low series, filled
    bands: [{ series: [1, 2], fill: BAND }],
    legend: { live: true },
  };
  const u = new uPlot(opts, [x, cols.high, cols.low, cols.line, cols.measured], plot);
  const ro = new ResizeObserver(() => u.setSize({ width: Math.max(320, host.clientWidth || 800), height: 260 }));
  ro.observe(host);
  return { destroy() { ro.disconnect(); u.destroy(); } };
}

export function mountForecast(el, ctx) {
  const id = ctx.id;
  const p = ctxParams(ctx);
  const st = {
    epochs: /^\d+$/.test(p.epochs || '') ? Number(p.epochs) : null,
    phase: typeof p.phase === 'string' && p.phase ? p.phase : null,
    skip: /^\d+$/.test(p.skip || '') ? Number(p.skip) : null,
  };
  let alive = true;
  let seq = 0;
  let charts = [];
  let lastFc = null;
  const h0 = hook('forecast');

  const epochsIn = h('input', { type: 'number', min: '1', step: '1', 'data-testid': 'fc-epochs', 'aria-label': 'epochs in all' });
  const hoursIn = h('input', { type: 'text', inputmode: 'decimal', 'data-testid': 'fc-hours', 'aria-label': 'hours in all', placeholder: 'h' });
  const phaseIn = h('input', { type: 'text', 'data-testid': 'fc-phase', 'aria-label': 'repeated phase', placeholder: 'epoch' });
  const skipIn = h('input', { type: 'number', min: '0', step: '1', 'data-testid': 'fc-skip', 'aria-label': 'warm-up epochs left out', placeholder: '0' });
  if (st.epochs) epochsIn.value = String(st.epochs);
  if (st.phase) phaseIn.value = st.phase;
  if (st.skip) skipIn.value = String(st.skip);
  const error = h('p', { class: 'whatif-error', role: 'alert', 'data-testid': 'fc-error' });
  const facts = h('div', { 'data-testid': 'fc-facts' });
  const plots = h('div', { 'data-testid': 'fc-charts' });
  const cli = cliButton(() => ['forecast', id, '--epochs', String(st.epochs ?? 1),
    st.phase ? '--phase' : null, st.phase, st.skip ? '--skip' : null, st.skip ? String(st.skip) : null]);
  const go = () => {
    const n = Number(epochsIn.value);
    st.epochs = Number.isInteger(n) && n >= 1 ? n : null;
    st.phase = phaseIn.value.trim() || null;
    const k = Number(skipIn.value);
    st.skip = skipIn.value !== '' && Number.isInteger(k) && k >= 0 ? k : null;
    ctx.setParams?.({ epochs: st.epochs, phase: st.phase, skip: st.skip });
    load();
  };
  let timer = null;
  const soon = () => { clearTimeout(timer); timer = setTimeout(() => alive && go(), 300); };
  for (const i of [epochsIn, phaseIn, skipIn]) i.addEventListener('input', () => { hoursIn.value = ''; soon(); });
  hoursIn.addEventListener('input', () => {
    const hrs = Number(hoursIn.value.replace(',', '.'));
    const n = lastFc ? epochsForHours(lastFc, hrs) : null;
    if (n === null) { error.textContent = lastFc ? 'No epoch time line to turn hours into epochs.' : ''; return; }
    epochsIn.value = String(Math.max(1, n));
    soon();
  });

  el.replaceChildren(h('div', { class: 'forecast', 'data-testid': 'forecast' },
    h('p', { class: 'note' }, 'The energy of the run\u2019s completed epochs (the instances of a repeated phase: \u201cepoch 1\u201d, \u201cepoch 2\u201d, \u2026) fitted with a straight line and extrapolated to the end, with 95 % prediction intervals (aimeter forecast; docs/methodology.md, \u201cForecasting\u201d).'),
    h('div', { class: 'fc-bar' }, h('label', {}, 'Epochs in all ', epochsIn), h('label', {}, 'or hours in all ', hoursIn),
      h('label', {}, 'Phase ', phaseIn), h('label', {}, 'Skip the first ', skipIn)),
    h('div', { class: 'controls' }, cli), error, facts, plots));

  const fact = (k, v, testid) => h('div', { 'data-testid': testid }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v));
  const j = (x) => (x === 0 ? '0 J' : energy(x, 4));
  const interval = (x, f) => (x ? `${f(x.value)}${x.low !== null && x.high !== null ? ` (${f(x.low)} – ${f(x.high)})` : ''}` : '—');

  const phases = ctx.view?.report?.workload?.phases;
  const clear = () => {
    facts.replaceChildren();
    for (const c of charts) c.destroy();
    charts = [];
    plots.replaceChildren();
  };

  async function load() {
    const n = ++seq;
    h0.set({ ready: false });
    // the default phase absent from a finished run: said here rather than asked (a 400,
    // which the browser logs as a console error); a running run may still begin one
    const done = ctx.view?.report?.run?.status && ctx.view.report.run.status !== 'running';
    if (!st.phase && done && Array.isArray(phases) && countInstances(phases, 'epoch') < 2) {
      const names = [...new Set(phases.map((x) => x.name))].slice(0, 8);
      error.textContent = `No forecast: this run has ${countInstances(phases, 'epoch')} completed instances of 'epoch' and a line needs 2 to fit` +
        `${names.length ? ` (its phases: ${names.map((x) => `'${x}'`).join(', ')})` : ' (it has no phases)'}; name the repeated phase above.`;
      clear();
      h0.set({ ready: true, ok: false, error: error.textContent });
      cli.refresh();
      return;
    }
    try {
      if (!st.epochs) {
        // first visit: a target past the epochs done, from the view's phases (no request that
        // the server would refuse)
        st.epochs = defaultTarget(phases, st.phase || 'epoch');
        epochsIn.value = String(st.epochs);
      }
      const fc = await getJSON(runPath(id, '/forecast'), { epochs: st.epochs, phase: st.phase, skip: st.skip });
      if (!alive || n !== seq) return;
      lastFc = fc;
      error.textContent = '';
      draw(fc);
    } catch (e) {
      if (!alive || n !== seq) return;
      error.textContent = `No forecast: ${e.message}`;
      clear();
      h0.set({ ready: true, error: e.message, ok: false });
    }
    cli.refresh();
  }

  function draw(fc) {
    const fe = fc.fit?.energy_j;
    const v = fc.forecast?.energy_j;
    const r2 = fe && typeof fe.r2 === 'number' ? fmt(fe.r2, 3) : '—';
    facts.replaceChildren(...[
      v && !v.ok ? h('p', { class: 'fc-verdict', 'data-testid': 'fc-verdict' }, `No energy forecast (${v.verdict}): ${v.reason}`) : null,
      fc.forecast?.time_s && !fc.forecast.time_s.ok ? h('p', { class: 'fc-verdict' }, `No time forecast (${fc.forecast.time_s.verdict}): ${fc.forecast.time_s.reason}`) : null,
      h('div', { class: 'fc-facts' },
        fact('Epochs', `${fc.completed} completed${fc.in_progress ? `, ${fc.in_progress} in progress` : ''}${fc.skipped ? `, ${fc.skipped} skipped` : ''} → ${fc.target}`, 'fc-epochs-fact'),
        fact('Fit of the energy per epoch', fe ? `R² ${r2}, n = ${fe.n}` : '—', 'fc-r2'),
        fact('Slope', fe ? `${energy(fe.slope, 4)} per epoch` : '—', 'fc-slope'),
        fact('Still to come (95 %)', interval(fc.remaining?.energy_j, j), 'fc-remaining'),
        fact(`All ${fc.target} epochs (95 %)`, interval(fc.instances_total?.energy_j, j), 'fc-total'),
        fact('Carbon to the end (95 %)', interval(fc.run_total?.carbon_g, (x) => (x === 0 ? '0 g CO₂e' : carbon(x, 4))), 'fc-carbon'),
        fact('Run time to the end (95 %)', interval(fc.run_total?.time_s, duration), 'fc-time'))].filter(Boolean));
    for (const c of charts) c.destroy();
    charts = [];
    plots.replaceChildren();
    const cols = chartColumns(fc, 'energy_j');
    if (cols) {
      charts.push(chart(plots, 'Energy per epoch: measured, fitted line and 95 % prediction band', cols.x,
        { id: 'per-epoch', lineLabel: 'fitted', line: cols.fitted, low: cols.low, high: cols.high, measured: cols.measured }, 'energy per epoch [J]'));
      charts.push(chart(plots, 'Cumulative energy of the epochs: measured, forecast and 95 % band', cols.x,
        { id: 'cumulative', lineLabel: 'forecast', line: cols.cum, low: cols.cumLow, high: cols.cumHigh, measured: cols.cumMeasured }, 'energy [J]'));
    } else {
      plots.append(h('p', { class: 'note', 'data-testid': 'fc-nochart' }, 'No line to draw: the forecast above says why.'));
    }
    h0.set({ ready: true, ok: !!v?.ok, r2: fe?.r2 ?? null, n: fe?.n ?? null, target: fc.target,
      verdict: v?.verdict ?? null, band: cols ? { x: cols.x, low: cols.low, high: cols.high, cum_low: cols.cumLow, cum_high: cols.cumHigh, cum: cols.cum } : null,
      instances_total: fc.instances_total, run_total: fc.run_total, cli: cli.refresh() });
  }

  load();
  return {
    unmount() {
      alive = false;
      clearTimeout(timer);
      for (const c of charts) c.destroy();
      el.replaceChildren();
    },
  };
}
