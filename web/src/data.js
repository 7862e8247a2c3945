// Data loading, apart from drawing: the report embeds its data as JSON in a
// <script type="application/json" id="aimeter-data"> element; the live UI of a later issue
// fetches the same object from a URL. Both paths end in normalise(), which gives the drawing
// code one shape to rely on (arrays always arrays, absent parts null), whatever an older or
// partial document left out.

export const SCHEMA = 'aimeter.html/1';

/** The data embedded in the page (the element's text is JSON: <, >, & are \u-escaped). */
export function loadEmbedded(doc = document, id = 'aimeter-data') {
  const el = doc.getElementById(id);
  if (!el) throw new Error(`no #${id} element in the page`);
  return normalise(JSON.parse(el.textContent));
}

/** The same object served by a web server (a later issue's live UI). */
export async function loadUrl(url, fetchImpl = globalThis.fetch) {
  const r = await fetchImpl(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return normalise(await r.json());
}

const arr = (x) => (Array.isArray(x) ? x : []);
const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function normaliseSeries(s, i) {
  const t = arr(s.t);
  const v = arr(s.v);
  // t and v must pair up: a shorter one cuts both (never a crash on a broken document)
  const n = Math.min(t.length, v.length);
  const name = typeof s.name === 'string' && s.name ? s.name : `series ${i + 1}`;
  return {
    name,
    device: s.device ?? name.split('.')[0],
    metric: s.metric ?? name,
    label: s.label ?? name,
    unit: s.unit ?? '',
    category: s.category || 'Other',
    method: s.method ?? 'measured',
    samples: num(s.samples) ?? n,
    perBucket: num(s.per_bucket) ?? 0,
    t: n === t.length ? t : t.slice(0, n),
    v: (n === v.length ? v : v.slice(0, n)).map(num),
  };
}

/** The drawing code's view of an aimeter.html/1 object. */
export function normalise(raw) {
  if (!raw || typeof raw !== 'object') throw new Error('the report data is not a JSON object');
  if (raw.schema !== SCHEMA) throw new Error(`unknown report data schema: ${raw.schema}`);
  const report = raw.report && typeof raw.report === 'object' ? raw.report : {};
  const tl = raw.timeline && typeof raw.timeline === 'object' ? raw.timeline : {};
  const series = arr(tl.series).map(normaliseSeries);
  const en = tl.energy && typeof tl.energy === 'object' ? tl.energy : {};
  const et = arr(en.t);
  const energy = {
    t: et,
    kwh: arr(en.kwh).slice(0, et.length).map(num),
    g: arr(en.g).slice(0, et.length).map(num),
  };
  let x0 = num(tl.x0) ?? 0;
  let x1 = num(tl.x1) ?? num(report.run?.duration_s) ?? 0;
  if (!(x1 > x0)) x1 = x0 + 1; // a zero-length window still needs an axis
  const corr = raw.correlation;
  const correlation = corr && Array.isArray(corr.names) && Array.isArray(corr.r) &&
    corr.names.length > 0 ? { names: corr.names, r: corr.r } : null;
  const wi = raw.whatif;
  const whatif = wi && Array.isArray(wi.zones) && wi.zones.length > 0
    ? { energyKwh: num(wi.energy_kwh), zones: wi.zones } : null;
  return {
    schema: raw.schema,
    report,
    timeline: {
      startTime: tl.start_time ?? report.run?.start_time ?? null,
      x0, x1,
      buckets: num(tl.buckets) ?? 0,
      series,
      phases: arr(tl.phases).filter((p) => num(p.t0) !== null),
      marks: arr(tl.marks).filter((m) => num(m.t) !== null),
      energy,
    },
    correlation,
    whatif,
  };
}
