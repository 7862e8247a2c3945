// The Live tab: /api/runs/{id}/events (Server-Sent Events) followed while the run records:
// the time-series charts (the report's, timeseries.js) move as samples arrive, the phases
// appear as they begin, the latest value of every series is listed; the stream is closed on
// `end` (the run finished) and on `error` (the server could not read the store: its message is
// shown, and not asked again every second). EventSource reconnects by itself (the server ends each stream
// after a few seconds with retry: 1000) and sends Last-Event-ID, so nothing is missed.
import { h, withUnit, fmt } from '../format.js';
import { timeSection, groups, aligned } from '../timeseries.js';
import { charts, removeCharts, setWindow } from '../chartkit.js';
import { eventSource, runPath } from './api.js';
import { createBuffer, addSamples, addPhase, sortPhases, liveWindow, streamError } from './livebuf.js';

const POINTS = 500;

/** The view's phases (the report's timeline), the open ones left open (no end yet). */
function seedPhases(view) {
  const tl = view?.timeline || {};
  return (Array.isArray(tl.phases) ? tl.phases : []).filter((p) => typeof p.t0 === 'number')
    .map((p) => ({ name: p.name, depth: p.depth || 0, t0: p.t0,
      t1: p.closed === false ? undefined : p.t1, closed: p.closed !== false }));
}

export function mountLive(el, { id, view, ui }) {
  // category and label of each series, from the report (the stream has name and unit only)
  const known = new Map(((view?.timeline || {}).series || []).map((s) => [s.name, s]));
  const buf = createBuffer(seedPhases(view));
  const status = h('p', { class: 'ui-live-status', 'data-testid': 'live-status', 'aria-live': 'polite' }, 'connecting…');
  const latest = h('div', { class: 'ui-live-latest', 'data-testid': 'live-latest' });
  const phaseList = h('ol', { class: 'ui-live-phases', 'data-testid': 'live-phases' });
  const chartsHost = h('div', { class: 'ui-live-charts' });
  el.replaceChildren(status, h('div', { class: 'ui-live-grid' },
    h('div', {}, h('h3', {}, 'Latest'), latest), h('div', {}, h('h3', {}, 'Phases'), phaseList)), chartsHost);
  const live = { connected: false, events: 0, points: 0, lastT: null, phases: [], ended: null, error: null,
    closed: false, redraws: 0 };
  ui.live = live;

  const series = () => buf.order.map((name) => {
    const s = buf.series.get(name);
    const k = known.get(name) || {};
    return { name, device: k.device ?? name.split('.')[0], metric: k.metric ?? name,
      label: k.label ?? name, unit: s.unit || k.unit || '', category: k.category || 'Other',
      method: k.method ?? 'measured', samples: s.t.length, perBucket: 0, t: s.t, v: s.v };
  });
  let tl = null;
  let gs = [];
  const mountCharts = () => {
    removeCharts();
    const [x0, x1] = liveWindow(buf);
    tl = { startTime: null, x0, x1, buckets: 0, series: series(), phases: buf.phases, marks: [],
      energy: { t: [], kwh: [], g: [] } };
    setWindow(x0, x1);
    gs = groups(tl.series);
    const sec = timeSection(tl);
    chartsHost.replaceChildren(sec.el);
    sec.mount();
    // the report marks the points of a short series, decided once; here series grow: the
    // points are marked while fewer than 40 are in view
    for (const c of charts()) {
      for (const s of c.uplot.series.slice(1)) if (s.points) s.points.show = (u, si, i0, i1) => i1 - i0 < 40;
    }
  };
  const update = () => {
    const [x0, x1] = liveWindow(buf);
    tl.x0 = x0; tl.x1 = x1;
    setWindow(x0, x1);
    gs.forEach((g, gi) => {
      const c = charts().find((x) => x.id === `ts-${gi}`);
      if (c) c.uplot.setData(aligned(g.series));
    });
  };
  let phasesDrawn = -1; // the buffer's phaseVersion last listed: the list is rebuilt on change only
  const drawText = () => {
    latest.replaceChildren(h('table', {}, h('tbody', {}, buf.order.map((name) => {
      const s = buf.series.get(name);
      const v = s.v.length ? s.v[s.v.length - 1] : null;
      return h('tr', { 'data-series': name }, h('td', {}, name),
        h('td', { class: 'num' }, withUnit(v, s.unit, 4)));
    }))));
    if (phasesDrawn === buf.phaseVersion) return;
    phasesDrawn = buf.phaseVersion;
    phaseList.replaceChildren(...buf.phases.map((p) => h('li', { 'data-phase': p.name },
      `${p.name}: ${fmt(p.t0, 5)} s → `, p.closed ? `${fmt(p.t1, 5)} s` : h('em', {}, 'open'))));
    if (!buf.phases.length) phaseList.replaceChildren(h('li', { class: 'muted' }, 'none yet'));
    live.phases = buf.phases.map((p) => p.name);
  };

  // one redraw per animation frame, however many events came
  let pending = false;
  let fresh = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      sortPhases(buf); // once per frame, however many phase events came
      if (!tl || fresh) mountCharts(); else update();
      fresh = false;
      drawText();
      live.redraws++;
    });
  };

  const es = eventSource(runPath(id, '/events'), { points: POINTS });
  const say = () => {
    status.textContent = live.error ? `The live stream stopped: ${live.error}` : live.ended ? `The run has ended (${live.ended}).`
      : `Live: ${live.events} updates, last sample at t = ${fmt(buf.lastT, 5)} s.`;
  };
  es.addEventListener('open', () => { live.connected = true; if (!live.events) status.textContent = 'connected, waiting for samples…'; });
  es.addEventListener('samples', (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    if (addSamples(buf, data).length) fresh = true;
    live.events++;
    live.points = buf.points;
    live.lastT = buf.lastT;
    say();
    schedule();
  });
  es.addEventListener('phase', (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    if (addPhase(buf, data)) schedule();
  });
  es.addEventListener('end', (e) => {
    let data = {};
    try { data = JSON.parse(e.data); } catch { /* the status stays unknown */ }
    es.close();
    live.connected = false;
    live.closed = true;
    live.ended = data.status || 'ended';
    say();
    schedule();
  });
  es.addEventListener('error', (e) => {
    // the server's own `event: error` (it could not read the store) carries a message: said,
    // and the stream closed, or EventSource would reconnect to the same error forever
    const msg = streamError(e);
    if (msg !== null) {
      es.close();
      Object.assign(live, { connected: false, closed: true, error: msg });
      say();
      return;
    }
    // the server closes each stream after a while: EventSource reconnects by itself; CLOSED
    // means it gave up (not a stream: a run without live data, an old server)
    if (es.readyState === EventSource.CLOSED && !live.ended) {
      live.connected = false;
      status.textContent = 'The live stream is not available for this run.';
    }
  });
  drawText();
  return {
    unmount() {
      es.close();
      removeCharts();
    },
  };
}
