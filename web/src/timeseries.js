// The time series: one chart per category and unit (Energy in W, Compute in %, ...), every
// series of the run in one of them, drawn by uPlot over the decimated points the report
// carries.
import uPlot from 'uplot';
import { h, fmt, withUnit, section } from './format.js';
import { colour, dash } from './palette.js';
import { makeChart, toolbar } from './chartkit.js';

const CATEGORY_ORDER = ['Energy', 'Compute', 'Memory', 'Communication', 'System', 'App'];
const QUANTITY = { W: 'power', J: 'energy (running total)', '°C': 'temperature', '%': 'utilisation',
  MHz: 'clock', GHz: 'clock', GiB: 'memory', MiB: 'memory', 'GB/s': 'bandwidth', 'MB/s': 'bandwidth',
  s: 'time (running total)', '': 'count' };
// series drawn at first in one chart; the rest start hidden (the legend shows them all)
export const SHOWN_AT_FIRST = 8;

/** Series grouped by (category, unit), the categories in the paper's order (Figure 6). */
export function groups(series) {
  const map = new Map();
  for (const s of series) {
    const key = `${s.category}\u0000${s.unit}`;
    if (!map.has(key)) map.set(key, { category: s.category, unit: s.unit, series: [] });
    map.get(key).series.push(s);
  }
  const rank = (c) => { const i = CATEGORY_ORDER.indexOf(c); return i < 0 ? CATEGORY_ORDER.length : i; };
  return [...map.values()].sort((a, b) => rank(a.category) - rank(b.category));
}

function title(g) {
  const q = QUANTITY[g.unit];
  const labels = [...new Set(g.series.map((s) => s.label))];
  const what = labels.length <= 2 ? labels.join(', ') : q || labels.slice(0, 2).join(', ') + ', …';
  return `${g.category}: ${what}${g.unit ? ` [${g.unit}]` : ''}`;
}

/** uPlot's aligned data: one x array, every series' values on it (null: a gap; a point
 * another series has but this one not: undefined, which the line spans). */
export function aligned(list) {
  if (!list.length) return [[]];
  return uPlot.join(list.map((s) => [s.t, s.v]));
}

/** What the shading, strips and ticks on the charts mean (only those the run has). */
function legendKey(tl) {
  const top = [...new Set(tl.phases.filter((p) => !p.depth).map((p) => p.name))];
  const nested = [...new Set(tl.phases.filter((p) => p.depth).map((p) => p.name))];
  const list = (names) => (names.length > 4 ? `${names.slice(0, 3).join(', ')}, … (${names.length})` : names.join(', '));
  const items = [
    top.length ? h('span', {}, h('i', { class: 'key-band' }), ` phases: ${list(top)}`) : null,
    nested.length ? h('span', {}, h('i', { class: 'key-strip' }), ` nested phases: ${list(nested)}`) : null,
    tl.marks.length ? h('span', {}, h('i', { class: 'key-mark' }, '▼'), ` marks (${tl.marks.length}): the name under the cursor is read out below a chart`) : null,
  ].filter(Boolean);
  return items.length ? h('p', { class: 'key', 'data-testid': 'chart-key' }, items) : null;
}

export function timeSection(tl) {
  const sec = section('timeline', 'Time series');
  if (!tl.series.length) {
    sec.append(h('p', { class: 'empty' }, 'No time series stored for this run.'));
    return { el: sec, mount() {} };
  }
  const gs = groups(tl.series);
  const decimated = tl.series.filter((s) => s.perBucket > 0);
  sec.append(toolbar());
  const key = legendKey(tl);
  if (key) sec.append(key);
  if (decimated.length) {
    const most = Math.max(...decimated.map((s) => s.perBucket));
    sec.append(h('p', { class: 'note', 'data-testid': 'decimation-note' },
      `Long series are decimated to ${fmt(tl.buckets, 6)} buckets over the run, each drawn as its minimum and maximum (up to ${fmt(most, 6)} samples per bucket), so peaks survive; zooming in shows the same points larger, not more of them.`));
  }
  const hosts = gs.map((g, i) => {
    const host = h('div', { class: 'chart', 'data-testid': `chart-ts-${i}` });
    const shown = Math.min(g.series.length, SHOWN_AT_FIRST);
    const empty = g.series.every((s) => !s.v.some((v) => v !== null));
    return h('figure', { class: 'chart-box' },
      h('figcaption', {}, title(g),
        g.series.length > shown ? h('span', { class: 'muted' }, ` — ${shown} of ${g.series.length} series shown; click the legend to show others`) : null,
        empty ? h('span', { class: 'muted', 'data-testid': 'no-values' }, ' — no value recorded in this window') : null),
      host);
  });
  sec.append(...hosts);
  return {
    el: sec,
    mount() {
      gs.forEach((g, gi) => {
        const host = hosts[gi].querySelector('.chart');
        makeChart(host, {
          id: `ts-${gi}`,
          kind: 'timeseries',
          title: title(g),
          yLabel: g.unit ? `${QUANTITY[g.unit] || g.series[0].label} [${g.unit}]` : (QUANTITY[''] || ''),
          phases: tl.phases,
          marks: tl.marks,
          yFromZero: g.unit === '%' || g.unit === 'W',
          yMax100: g.unit === '%',
          data: aligned(g.series),
          series: g.series.map((s, i) => ({
            label: s.name + (s.method !== 'measured' ? ` (${s.method})` : ''),
            stroke: colour(i),
            dash: dash(i),
            width: 1.5,
            show: i < SHOWN_AT_FIRST,
            spanGaps: false,
            points: { show: s.t.length === 1 || s.t.length < 40 },
            // the legend reads out the value under the cursor; away from the chart, nothing
            value: (u, v, si, idx) => (idx === null || idx === undefined ? ''
              : v === null || v === undefined ? '—' : withUnit(v, g.unit, 4)),
          })),
        });
      });
    },
  };
}
