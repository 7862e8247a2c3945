// The extrapolation chart's lines from an aimeter.forecast/1 answer, apart from the DOM
// (web/test/whatif-forecast): the fitted energy of each epoch with its 95 % prediction
// interval, and the cumulative energy with the interval of the sum, computed the way the
// library does (src/lib/processing/forecast.c: the same t quantiles, the same bracket, bounded
// at zero), so that the chart's last point equals the answer's instances_total.

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

const T975 = [12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851,
  2.364624252, 2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830,
  2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.100922040,
  2.093024054, 2.085963447, 2.079613845, 2.073873068, 2.068657610, 2.063898562,
  2.059538553, 2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456];

/** t(0.975, df): the table to 30, then Cornish-Fisher around z(0.975), as the library. */
export function t975(df) {
  if (!(df >= 1)) return NaN;
  if (df <= 30) return T975[df - 1];
  const z = 1.959963984540054;
  const v = df;
  const z2 = z * z; const z3 = z2 * z; const z5 = z3 * z2; const z7 = z5 * z2; const z9 = z7 * z2;
  const g1 = (z3 + z) / 4;
  const g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  const g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

/** The fit's line with what the intervals need: {n, a, b, s, xbar, sxx} from the fitted
 * instances' indices and the answer's fit (null when the line does not forecast). */
export function fitLine(fc, line = 'energy_j') {
  const f = fc?.fit?.[line];
  if (!f || !fc.forecast?.[line]?.ok) return null;
  const xs = (fc.instances || []).filter((i) => i.fitted).map((i) => i.index);
  if (xs.length !== f.n || xs.length < 2) return null;
  const xbar = xs.reduce((p, x) => p + x, 0) / xs.length;
  const sxx = xs.reduce((p, x) => p + (x - xbar) * (x - xbar), 0);
  return { n: f.n, a: f.intercept, b: f.slope, s: isNum(f.residual_se) ? f.residual_se : NaN,
    xbar, sxx };
}

/** Half-width of the 95 % interval of the sum of m new values at xs (library's linfit_sum). */
export function sumHalf(fit, xs) {
  if (!xs.length) return 0;
  const m = xs.length;
  const dev = xs.reduce((p, x) => p + (x - fit.xbar), 0);
  const bracket = m + (m * m) / fit.n + (dev * dev) / fit.sxx;
  return fit.n >= 3 ? t975(fit.n - 2) * fit.s * Math.sqrt(bracket) : NaN;
}

const bound = (sum, half) => ({
  value: sum > 0 ? sum : 0,
  low: Number.isNaN(half) ? null : Math.max(0, sum - half),
  high: Number.isNaN(half) ? null : Math.max(0, sum + half),
});

/**
 * The chart's columns over the epochs first_index..target:
 * {x, measured (energy per completed epoch, null after), fitted (a + b x), low, high (the
 * prediction interval of one epoch), cumMeasured, cum, cumLow, cumHigh (the cumulative
 * forecast from the last completed epoch on)}; null when there is no line to draw.
 */
export function chartColumns(fc, line = 'energy_j') {
  const fit = fitLine(fc, line);
  if (!fit) return null;
  const key = line === 'time_s' ? 'duration_s' : 'energy_j';
  const inst = new Map((fc.instances || []).map((i) => [i.index, i[key]]));
  const toCome = Array.isArray(fc.to_come) ? fc.to_come : [];
  const first = Math.min(fc.first_index ?? 1, ...inst.keys());
  const last = Math.max(fc.target ?? 0, ...inst.keys(), ...toCome);
  const t = fit.n >= 3 ? t975(fit.n - 2) : NaN;
  const out = { x: [], measured: [], fitted: [], low: [], high: [], cumMeasured: [], cum: [],
    cumLow: [], cumHigh: [] };
  const spent = [...inst.values()].reduce((p, v) => p + (isNum(v) ? v : 0), 0);
  let cumSoFar = 0;
  const lastDone = Math.max(...inst.keys());
  for (let x = first; x <= last; x++) {
    const yhat = fit.a + fit.b * x;
    const half = t * fit.s * Math.sqrt(1 + 1 / fit.n + ((x - fit.xbar) ** 2) / fit.sxx);
    out.x.push(x);
    out.measured.push(inst.has(x) ? inst.get(x) : null);
    out.fitted.push(yhat);
    out.low.push(Number.isNaN(half) ? null : Math.max(0, yhat - half));
    out.high.push(Number.isNaN(half) ? null : yhat + half);
    if (inst.has(x)) cumSoFar += inst.get(x);
    out.cumMeasured.push(x <= lastDone ? cumSoFar : null);
    const upTo = toCome.filter((k) => k <= x);
    if (x < lastDone) {
      out.cum.push(null); out.cumLow.push(null); out.cumHigh.push(null);
    } else {
      const sum = upTo.reduce((p, k) => p + fit.a + fit.b * k, 0);
      const b = bound(sum, sumHalf(fit, upTo));
      out.cum.push(spent + b.value);
      out.cumLow.push(b.low === null ? null : spent + b.low);
      out.cumHigh.push(b.high === null ? null : spent + b.high);
    }
  }
  return out;
}

/** Epochs to forecast so that the run lasts about `hours` in all: from the time line
 * (intercept + slope × index per epoch, summed on from the latest completed epoch), how many
 * epochs end within the hours: a count, as --epochs takes it (epochs numbered from 0 or from
 * 1: the last one's index - first_index + 1); null when the time line does not forecast. */
export function epochsForHours(fc, hours) {
  const f = fc?.fit?.time_s;
  if (!f || !fc.forecast?.time_s?.ok || !(hours > 0)) return null;
  const done = fc.completed_totals?.run_time_s;
  const lastDone = Math.max(0, ...(fc.instances || []).map((i) => i.index));
  let t = isNum(done) ? done : 0;
  const budget = hours * 3600;
  let k = lastDone;
  for (let i = 0; i < 1e6; i++) {
    const next = f.intercept + f.slope * (k + 1);
    if (!(next > 0) || t + next > budget) break;
    t += next;
    k++;
  }
  const first = isNum(fc.first_index) ? fc.first_index : 1;
  return k - first + 1;
}

/** Which instance of `phase` a phase called `name` is, as the library reads names
 * (forecast.c, aim__forecast_instance): its number ("epoch 3", "epoch_3", "epoch#3" -> 3),
 * 'same' (every instance called "epoch"), or null (another phase). */
export function instanceOf(phase, name) {
  if (typeof name !== 'string' || !name.startsWith(phase)) return null;
  let rest = name.slice(phase.length);
  if (rest === '') return 'same';
  if (' _-:#'.includes(rest[0])) rest = rest.slice(1);
  return /^\d{1,9}$/.test(rest) ? Number(rest) : null;
}

/** Completed instances of `phase` among a report's phases (workload.phases: name,
 * instances): what decides, before asking, whether a line can be fitted at all. */
export function countInstances(phases, phase) {
  let n = 0;
  for (const p of Array.isArray(phases) ? phases : []) {
    if (instanceOf(phase, p?.name) !== null) n += typeof p.instances === 'number' ? p.instances : 1;
  }
  return n;
}

/** A first target the server accepts, from the report's phases alone: past the highest
 * numbered instance and twice the instances done (a target below what is completed is a 400,
 * which the browser would log as a console error). At least 2. */
export function defaultTarget(phases, phase) {
  const count = countInstances(phases, phase);
  let last = count;
  for (const p of Array.isArray(phases) ? phases : []) {
    const i = instanceOf(phase, p?.name);
    if (typeof i === 'number' && i > last) last = i;
  }
  return Math.max(2, last + 1, 2 * count);
}
