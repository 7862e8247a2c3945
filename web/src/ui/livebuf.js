// The Live tab's memory of a running run (no DOM: node tests it): the samples the event
// stream sent, appended per series and trimmed to the last `keep` seconds, and the phases
// as they begin and end.

// A phase instance is known by its name and start, rounded to the millisecond (the report's
// t0 and the stream's start_s may differ in the last digits): a Map finds it in O(1), where a
// run of tens of thousands of steps made a search per event quadratic.
const phaseKey = (name, t0) => `${Math.round(t0 * 1000)}\u0000${name}`;

/** An empty buffer; phases: the run's phases so far ({name, depth, t0, t1, closed}), in the
 * order they began once sortPhases() ran (addPhase appends; the view sorts once per redraw). */
export function createBuffer(phases = []) {
  const buf = { series: new Map(), order: [], lastT: null, firstT: null, points: 0, phases: [],
    phaseIndex: new Map(), phasesSorted: true, phaseVersion: 0 };
  for (const p of phases) addPhase(buf, { name: p.name, start_s: p.t0, end_s: p.closed === false ? null : p.t1, depth: p.depth });
  sortPhases(buf);
  return buf;
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

/** A `phase` event ({name, start_s, end_s | null}): a new phase, or one that ended. A resumed
 * stream sends again the instances still open and those that began or ended since: found by
 * name and start, not added twice. O(1) per event; the order is restored by sortPhases(). */
export function addPhase(buf, ev) {
  if (!ev || typeof ev.name !== 'string' || typeof ev.start_s !== 'number' || !Number.isFinite(ev.start_s)) return null;
  const ended = typeof ev.end_s === 'number';
  const key = phaseKey(ev.name, ev.start_s);
  let p = buf.phaseIndex.get(key);
  if (!p) {
    p = { name: ev.name, depth: typeof ev.depth === 'number' ? ev.depth : 0, t0: ev.start_s, t1: undefined, closed: false };
    const last = buf.phases[buf.phases.length - 1];
    if (last && last.t0 > p.t0) buf.phasesSorted = false;
    buf.phases.push(p);
    buf.phaseIndex.set(key, p);
    buf.phaseVersion++;
  }
  if (ended && !(p.closed && p.t1 === ev.end_s)) { p.t1 = ev.end_s; p.closed = true; buf.phaseVersion++; }
  return p;
}

/** Puts buf.phases (the same array: the charts hold it) in the order they began; a no-op
 * while nothing came out of order. Returns buf.phases. */
export function sortPhases(buf) {
  if (!buf.phasesSorted) {
    buf.phases.sort((a, b) => a.t0 - b.t0);
    buf.phasesSorted = true;
  }
  return buf.phases;
}

/** The x window to draw: the buffered span, at least one second wide. */
export function liveWindow(buf) {
  if (buf.lastT === null) return [0, 1];
  const x0 = buf.firstT ?? buf.lastT;
  return [x0, Math.max(buf.lastT, x0 + 1)];
}

/** The message of the server's `event: error` ({"error": msg}), or null for the browser's own
 * error event (a stream that ended or failed: no data), after which EventSource reconnects. */
export function streamError(e) {
  if (!e || typeof e.data !== 'string') return null;
  try {
    const d = JSON.parse(e.data);
    if (d && typeof d.error === 'string' && d.error) return d.error;
  } catch { /* not JSON: still the server's error */ }
  return e.data.trim() || 'the server reported an error';
}
