// What every uPlot chart of the report shares: the x axis over the run's window, phase bands
// and marks drawn by hooks, zoom synchronised across charts, pan, reset, resizing and print
// sizes, and the test hook (window.aimeterReport.charts).
import uPlot from 'uplot';
import { h, fmt } from './format.js';
import { PHASE_FILL, MARK } from './palette.js';

const registry = [];   // every live chart: {id, title, uplot, el, kind}
let window0 = null;    // the run's window [x0, x1]
let cur = null;        // the range shown now, the same on every chart

export function charts() { return registry; }

export function setWindow(x0, x1) { window0 = [x0, x1]; cur = [x0, x1]; }

/** Sets every chart's x range (zoom and pan act on all charts at once). */
export function setRange(min, max) {
  const [x0, x1] = window0;
  const span = Math.min(max - min, x1 - x0);
  if (!(span > 0)) return;
  if (min < x0) { min = x0; max = x0 + span; }
  if (max > x1) { max = x1; min = x1 - span; }
  cur = [min, max];
  for (const c of registry) c.uplot.setScale('x', { min, max });
  for (const c of registry) c.onRange?.(min, max);
}

export function currentRange() { return cur.slice(); }

export function zoomBy(f) {
  const [a, b] = currentRange();
  const c = (a + b) / 2;
  const half = ((b - a) * f) / 2;
  setRange(c - half, c + half);
}

export function panBy(f) {
  const [a, b] = currentRange();
  const d = (b - a) * f;
  setRange(a + d, b + d);
}

export function resetRange() { setRange(window0[0], window0[1]); }

// Shift + drag pans: the drag may leave the chart, so the page's pointer is followed (one
// pair of listeners for every chart).
let pan = null;
let panHooked = false;
function hookPan() {
  if (panHooked) return;
  panHooked = true;
  window.addEventListener('mousemove', (e) => {
    if (!pan) return;
    const [a, b] = pan.range;
    const d = ((pan.x - e.clientX) / pan.w) * (b - a);
    setRange(a + d, b + d);
  });
  window.addEventListener('mouseup', () => { pan = null; });
}

/** Runs draw(ctx, box, dpr) over u's plot area: clipped to it, the context restored after. */
function inPlot(u, draw) {
  const { ctx } = u;
  const box = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.width, box.height);
  ctx.clip();
  draw(ctx, box, uPlot.pxRatio);
  ctx.restore();
}

/** The phase bands (depth 0: full height, alternating tints, labelled where they fit; deeper
 * phases: thin strips under the top edge) — drawn under the series. */
function phasesHook(phases) {
  return (u) => phases.length && inPlot(u, (ctx, { left, top, width, height }, dpr) => {
    let k = 0;
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.textAlign = 'left'; // uPlot's axes leave theirs set (right, for the y values)
    ctx.textBaseline = 'top';
    for (const p of phases) {
      const t1 = typeof p.t1 === 'number' ? p.t1 : window0[1]; // an open phase runs to the end
      const a = u.valToPos(p.t0, 'x', true);
      const b = u.valToPos(t1, 'x', true);
      if (b < left || a > left + width) { if (!p.depth) k++; continue; }
      if (!p.depth) {
        ctx.fillStyle = PHASE_FILL[k++ % PHASE_FILL.length];
        ctx.fillRect(a, top, Math.max(b - a, dpr), height);
        ctx.strokeStyle = 'rgba(0,0,0,0.18)';
        ctx.lineWidth = dpr;
        ctx.beginPath();
        ctx.moveTo(Math.round(a) + 0.5, top);
        ctx.lineTo(Math.round(a) + 0.5, top + height);
        ctx.stroke();
        const label = p.closed === false ? `${p.name} (open)` : p.name;
        const w = ctx.measureText(label).width;
        const x = Math.max(a, left) + 4 * dpr;
        if (Math.min(b, left + width) - x > w + 2 * dpr) {
          ctx.fillStyle = '#333';
          ctx.fillText(label, x, top + 3 * dpr);
        }
      } else {
        ctx.fillStyle = 'rgba(0, 114, 178, 0.28)';
        ctx.fillRect(a, top + (14 + 4 * p.depth) * dpr, Math.max(b - a, dpr), 3 * dpr);
      }
    }
  });
}

/** The marks: ticks rising from the bottom edge and a triangle at the top, over the series. */
function marksHook(marks) {
  return (u) => marks.length && inPlot(u, (ctx, { left, top, width, height }, dpr) => {
    ctx.strokeStyle = MARK;
    ctx.fillStyle = MARK;
    ctx.lineWidth = 1.5 * dpr;
    for (const m of marks) {
      const x = Math.round(u.valToPos(m.t, 'x', true));
      if (x < left || x > left + width) continue;
      ctx.beginPath();
      ctx.moveTo(x, top + height);
      ctx.lineTo(x, top + height - 8 * dpr);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x - 4 * dpr, top);
      ctx.lineTo(x + 4 * dpr, top);
      ctx.lineTo(x, top + 6 * dpr);
      ctx.fill();
    }
  });
}

/** The y range: from 0 for power and shares, a share's top at 100 % unless a value is above. */
function yRange(spec, min, max) {
  const [a, b] = uPlot.rangeNum(Math.min(min, spec.yFromZero ? 0 : min), max, 0.1, true);
  return [spec.yFromZero && min >= 0 ? 0 : a, spec.yMax100 && max <= 100 ? 100 : b];
}

/** What the cursor is over: time, phases open then, the nearest mark within 6 px. */
function readout(u, phases, marks, el) {
  const idx = u.cursor.left;
  if (idx === undefined || idx === null || idx < 0) { el.textContent = '\u00a0'; return; }
  const t = u.posToVal(idx, 'x');
  const open = phases.filter((p) => p.t0 <= t && t <= (typeof p.t1 === 'number' ? p.t1 : Infinity))
    .sort((a, b) => (a.depth || 0) - (b.depth || 0)).map((p) => p.name);
  const near = marks.find((m) => Math.abs(u.valToPos(m.t, 'x') - idx) <= 6);
  el.textContent = `t = ${fmt(t, 5)} s` + (open.length ? ` · ${open.join(' › ')}` : '') +
    (near ? ` · mark: ${near.text}` : '');
}

/**
 * A chart in `host`: opts are uPlot's minus the x axis and scales, which come from here.
 * spec: {id, title, kind, phases, marks, height, yLabel, series, data, yValues}
 */
export function makeChart(host, spec) {
  const read = h('div', { class: 'readout', 'aria-live': 'off' }, '\u00a0');
  const plot = h('div', { class: 'plot', role: 'img',
    'aria-label': `${spec.title}: chart over time; the tables below hold the figures` });
  host.append(plot, read);
  const width = () => Math.max(320, host.clientWidth || 800);
  const y = {
    range: (u, min, max) => (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)
      ? [0, 1] : yRange(spec, min, max)),
  };
  const opts = {
    width: width(),
    height: spec.height || 240,
    pxAlign: 0,
    scales: { x: { time: false, auto: false, range: () => currentRange() }, y },
    axes: [
      { label: "time since the run's start [s]", labelSize: 20, size: 36,
        stroke: '#333', grid: { stroke: '#ebebeb', width: 1 }, ticks: { stroke: '#ccc' } },
      { label: spec.yLabel, labelSize: 20, size: 64, stroke: '#333',
        grid: { stroke: '#ebebeb', width: 1 }, ticks: { stroke: '#ccc' },
        values: (u, vals) => vals.map((v) => fmt(v, 4)) },
    ],
    series: [{ label: 't', value: (u, v) => (v === null || v === undefined ? '—' : `${fmt(v, 5)} s`) },
      ...spec.series],
    cursor: {
      sync: { key: 'aimeter-x', setSeries: false },
      drag: { x: true, y: false, setScale: false },
      points: { size: 6 },
      bind: {
        // shift + drag pans instead of selecting a zoom window; double-click resets all
        mousedown: (u, t, handler) => (e) => { if (!e.shiftKey) handler(e); return null; },
        dblclick: () => () => { resetRange(); return null; },
      },
    },
    legend: { live: true },
    hooks: {
      drawClear: [phasesHook(spec.phases || [])],
      draw: [marksHook(spec.marks || [])],
      setSelect: [(u) => {
        // a dragged selection zooms every chart to it
        if (u.select.width > 2) {
          setRange(u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x'));
        }
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      }],
      setCursor: [(u) => readout(u, spec.phases || [], spec.marks || [], read)],
    },
  };
  const u = new uPlot(opts, spec.data, plot);
  u.over.addEventListener('mousedown', (e) => {
    if (!e.shiftKey) return;
    hookPan();
    pan = { x: e.clientX, range: currentRange(), w: u.over.clientWidth };
    e.preventDefault();
  });
  const entry = { id: spec.id, title: spec.title, kind: spec.kind, uplot: u, el: host, height0: spec.height || 240 };
  registry.push(entry);
  entry.resize = new ResizeObserver(() => {
    if (!printing) u.setSize({ width: width(), height: spec.height || 240 });
  });
  entry.resize.observe(host);
  return entry;
}

export function removeChart(entry) {
  const i = registry.indexOf(entry);
  if (i >= 0) registry.splice(i, 1);
  entry.resize.disconnect();
  entry.uplot.destroy();
  entry.el.replaceChildren();
}

/** Every chart gone (a page drawn again, as the live UI will). */
export function removeCharts() {
  for (const c of registry.slice()) removeChart(c);
}

// Print: the charts drawn at the width of an A4 page's text (about 180 mm at 96 dpi), so
// that nothing is cut off or scaled into blur; the screen size comes back after.
let printing = false;
let printHooked = false;
export function installPrintSizes() {
  if (printHooked) return;
  printHooked = true;
  window.addEventListener('beforeprint', () => {
    printing = true;
    for (const c of registry) c.uplot.setSize({ width: 680, height: Math.min(c.uplot.height, 220) });
  });
  window.addEventListener('afterprint', () => {
    printing = false;
    for (const c of registry) c.uplot.setSize({ width: Math.max(320, c.el.clientWidth), height: c.height0 || 240 });
  });
}

/** Zoom / pan / reset buttons acting on every chart. */
export function toolbar() {
  const b = (label, title, fn, testid) => h('button', { type: 'button', title, onclick: fn, 'data-testid': testid }, label);
  return h('div', { class: 'controls toolbar', role: 'toolbar', 'aria-label': 'time window' },
    b('−', 'zoom out', () => zoomBy(2), 'zoom-out'),
    b('+', 'zoom in', () => zoomBy(0.5), 'zoom-in'),
    b('◀', 'pan left', () => panBy(-0.25), 'pan-left'),
    b('▶', 'pan right', () => panBy(0.25), 'pan-right'),
    b('Reset', 'the whole run', () => resetRange(), 'zoom-reset'),
    h('span', { class: 'hint-text' }, 'Drag across a chart to zoom; shift-drag to pan; double-click to reset; click a legend entry to show or hide a series.'));
}
