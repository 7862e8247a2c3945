// The Live tab's memory of a running run (no DOM: node tests it): the samples the event
// stream sent, appended per series and trimmed to the last `keep` seconds, and the phases
// as they begin and end.

/** An empty buffer; phases: the run's phases so far ({name, depth, t0, t1, closed}). */
export function createBuffer(phases = []) {
  return { series: new Map(), order: [], lastT: null, firstT: null, points: 0, phases: phases.map((p) => ({ ...p })) };
}

/**
 * Appends a `samples` event's data ({from_s, to_s, series: [{name, unit, t, v}]}): only the
 * points after the series' last one (a reconnect may send some again), then drops what is
 * older than `keep` seconds before the newest. Returns the names of series seen the first time.
 */
export function addSamples(buf, data, keep = 900) {
  const fresh = [];
  for (const s of data?.series || []) {
    if (!s || typeof s.name !== 'string') continue;
    let cur = buf.series.get(s.name);
    if (!cur) {
      cur = { name: s.name, unit: typeof s.unit === 'string' ? s.unit : '', t: [], v: [] };
      buf.series.set(s.name, cur);
      buf.order.push(s.name);
      fresh.push(s.name);
    }
    const t = Array.isArray(s.t) ? s.t : [];
    const v = Array.isArray(s.v) ? s.v : [];
    const last = cur.t.length ? cur.t[cur.t.length - 1] : -Infinity;
    for (let i = 0; i < Math.min(t.length, v.length); i++) {
      if (typeof t[i] !== 'number' || !(t[i] > last) || (i > 0 && !(t[i] > t[i - 1]))) continue;
      cur.t.push(t[i]);
      cur.v.push(typeof v[i] === 'number' && Number.isFinite(v[i]) ? v[i] : null);
      buf.points++;
      if (buf.lastT === null || t[i] > buf.lastT) buf.lastT = t[i];
    }
  }
  if (typeof data?.to_s === 'number' && (buf.lastT === null || data.to_s > buf.lastT)) buf.lastT = data.to_s;
  if (buf.lastT !== null) {
    const cut = buf.lastT - keep;
    let first = Infinity;
    for (const s of buf.series.values()) {
      let k = 0;
      while (k < s.t.length && s.t[k] < cut) k++;
      if (k) { s.t.splice(0, k); s.v.splice(0, k); }
      if (s.t.length && s.t[0] < first) first = s.t[0];
    }
    buf.firstT = Number.isFinite(first) ? first : buf.lastT;
  }
  return fresh;
}

/** A `phase` event ({name, start_s, end_s | null}): a new phase, or one that ended. */
export function addPhase(buf, ev) {
  if (!ev || typeof ev.name !== 'string' || typeof ev.start_s !== 'number') return null;
  const ended = typeof ev.end_s === 'number';
  let p = buf.phases.find((x) => x.name === ev.name && Math.abs(x.t0 - ev.start_s) < 1e-3);
  if (!p) {
    p = { name: ev.name, depth: 0, t0: ev.start_s, t1: undefined, closed: false };
    buf.phases.push(p);
    buf.phases.sort((a, b) => a.t0 - b.t0);
  }
  if (ended) { p.t1 = ev.end_s; p.closed = true; }
  return p;
}

/** The x window to draw: the buffered span, at least one second wide. */
export function liveWindow(buf) {
  if (buf.lastT === null) return [0, 1];
  const x0 = buf.firstT ?? buf.lastT;
  return [x0, Math.max(buf.lastT, x0 + 1)];
}
