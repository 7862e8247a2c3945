// Zoom on demand: when the report's time window narrows, its time-series charts get the
// window's samples again from the store (/api/runs/{id}/series?from=&to=&points=),
// decimated server-side to the charts' resolution, so an hour at 1 kHz shows every peak at
// any zoom. The whole run shows the view's own points again (no request).
import { charts, currentRange } from '../chartkit.js';
import { groups, aligned } from '../timeseries.js';
import { getJSON, runPath } from './api.js';
import { debounce } from './common.js';

/** The series of a /series answer by name, each as the report's drawing code takes it. */
export function byName(answer) {
  const out = new Map();
  for (const s of answer?.series || []) {
    const t = Array.isArray(s.t) ? s.t : [];
    const v = Array.isArray(s.v) ? s.v : [];
    const n = Math.min(t.length, v.length);
    out.set(s.name, { t: t.slice(0, n), v: v.slice(0, n) });
  }
  return out;
}

/** The window rounded for the URL and the request (1 ms; a window is never 0 wide). */
export function roundWindow(a, b) {
  const r = (x) => Math.round(x * 1000) / 1000;
  return [r(a), Math.max(r(b), r(a) + 0.001)];
}

/**
 * Hooks the drawn report's charts: onWindow(from, to) (null, null: the whole run) after each
 * settled zoom or pan, and the time series re-fetched. Returns {apply(from, to), stop()}.
 * tl: the normalised timeline; ui: window.aimeterUI (seriesRequests, zoom for the tests).
 */
export function zoomOnDemand(id, tl, ui, onWindow, status) {
  const gs = groups(tl.series);
  const points = Math.min(100000, Math.max(200, 2 * (tl.buckets || 1000)));
  let ctrl = null;
  let stopped = false;
  const chartOf = (gi) => charts().find((c) => c.id === `ts-${gi}`);
  const draw = (pick) => gs.forEach((g, gi) => {
    const c = chartOf(gi);
    if (c) c.uplot.setData(aligned(g.series.map(pick)));
  });
  const whole = () => {
    const [a, b] = currentRange();
    return a <= tl.x0 + 1e-9 && b >= tl.x1 - 1e-9;
  };
  const fetchWindow = async (a, b) => {
    ctrl?.abort();
    ctrl = new AbortController();
    const [from, to] = roundWindow(a, b);
    const req = { from, to, points };
    ui.seriesRequests.push(req);
    ui.zoom = { from, to, loaded: false };
    status.textContent = `loading the samples of ${from} s – ${to} s…`;
    try {
      const ans = await getJSON(runPath(id, '/series'), req, { signal: ctrl.signal });
      if (stopped) return;
      const got = byName(ans);
      draw((s) => got.get(s.name) || { t: [], v: [] });
      const reduced = (ans.series || []).some((s) => s.per_point > 1);
      status.textContent = `${from} s – ${to} s: ${reduced
        ? `decimated by the server to at most ${ans.points} points per series` : 'every stored sample'}.`;
      ui.zoom = { from, to, loaded: true, points: ans.points };
    } catch (err) {
      if (err.name === 'AbortError' || stopped) return;
      status.textContent = `the samples of this window could not be loaded: ${err.message}`;
      ui.zoom = { from, to, loaded: false, error: err.message };
    }
  };
  const settled = debounce(() => {
    if (stopped) return;
    if (whole()) {
      ctrl?.abort();
      draw((s) => s);
      status.textContent = '';
      ui.zoom = null;
      onWindow(null, null);
      return;
    }
    const [a, b] = currentRange();
    onWindow(...roundWindow(a, b));
    fetchWindow(a, b);
  }, 200);
  const hook = () => { for (const c of charts()) if (c.kind === 'timeseries') c.onRange = settled; };
  hook();
  return {
    rehook: hook,
    stop() { stopped = true; settled.cancel(); ctrl?.abort(); },
  };
}
