// The report's tables: energy per device, every device's statistics, the phases with their
// bottleneck hints, the workload's records.
import { h, fmt, isNum, energy, carbon, power, duration, withUnit, section, table } from './format.js';

const num = (x, label) => h('td', { class: 'num' }, label ?? fmt(x));

export function energyTable(report) {
  const devs = report.energy?.devices || [];
  if (!devs.length) return null;
  const rows = devs.map((d) => h('tr', { class: d.in_total ? null : 'muted' },
    h('td', {}, d.device), h('td', {}, d.model || d.kind),
    num(null, energy(d.energy_j)),
    num(null, isNum(d.share_pct) ? `${fmt(d.share_pct, 3)} %` : '—'),
    num(null, carbon(d.carbon_g)),
    h('td', {}, h('span', { class: `method ${d.method}` }, d.method)),
    h('td', { class: 'detail' }, d.detail + (d.in_total ? '' : ' (overlaps others: not in the total)'))));
  return section('energy', 'Energy by device',
    table(['Device', 'Model', { label: 'Energy', num: 1 }, { label: 'Share', num: 1 },
      { label: 'Carbon', num: 1 }, 'Method', 'How'], rows));
}

/** Every series' statistics, one table per device (detail series included, shown muted). */
export function statsTables(report) {
  const devices = report.devices || [];
  if (!devices.length) return section('stats', 'Statistics', h('p', { class: 'empty' }, 'No device in this run.'));
  const head = ['Metric', 'Unit', { label: 'Samples', num: 1 }, { label: 'Avg', num: 1, title: 'time-weighted mean' },
    { label: 'Min', num: 1 }, { label: 'Max', num: 1 }, { label: 'Mode', num: 1 },
    { label: 'Std dev', num: 1 }, 'Method'];
  const blocks = devices.map((d) => {
    const rows = (d.metrics || []).map((m) => h('tr', { class: m.detail ? 'muted' : null },
      h('td', { title: m.key }, m.label + (m.instance !== null && m.instance !== undefined ? ` [${m.instance}]` : ''),
        m.counter ? h('span', { class: 'badge', title: 'a counter: values are totals since the start' }, 'counter') : null),
      h('td', {}, m.unit ?? ''),
      num(m.count), num(m.avg), num(m.min), num(m.max),
      num(null, isNum(m.mode) ? fmt(m.mode) + (m.mode_exact === false ? ' ≈' : '') : '—'),
      num(m.stddev),
      h('td', {}, h('span', { class: `method ${m.method}` }, m.method))));
    return h('div', { class: 'device-stats' },
      h('h3', {}, d.name, d.model ? h('span', { class: 'model' }, ` ${d.model}`) : null,
        h('span', { class: 'kind' }, d.kind)),
      rows.length ? table(head, rows, { class: 'stats', 'data-testid': `stats-${d.name}` })
        : h('p', { class: 'empty' }, 'No series.'));
  });
  return section('stats', 'Statistics', h('p', { class: 'note' },
    'Every series of every device over the whole run. Avg is time-weighted; Mode is taken after rounding to the metric\u2019s resolution (≈: approximate). Muted rows are per-instance detail series.'),
  blocks);
}

export function phaseTable(report) {
  const phases = report.workload?.phases || [];
  if (!phases.length) return null;
  // each phase's energy also as a bar (the paper's Figure 3 reads at a glance)
  const most = Math.max(0, ...phases.map((p) => (isNum(p.energy_j) ? p.energy_j : 0)));
  const bar = (j) => h('span', { class: 'inline-bar', 'aria-hidden': 'true' },
    h('i', { style: `width:${isNum(j) && most > 0 ? ((100 * j) / most).toFixed(1) : 0}%` }));
  const rows = phases.map((p) => {
    const recs = Object.entries(p.records || {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    const hints = (p.hints || []).map((x) => h('div', { class: 'hint' },
      h('strong', {}, `${x.device}: ${x.hint}`), ` ${x.evidence}`));
    return h('tr', {},
      h('td', {}, p.name, p.unterminated ? h('span', { class: 'badge warn', title: 'instances still open when the command ended' }, `${p.unterminated} open`) : null),
      num(p.instances), num(p.first_s, withUnit(p.first_s, 's', 3)), num(null, duration(p.duration_s)),
      num(null, isNum(p.share_pct) ? `${fmt(p.share_pct, 3)} %` : '—'),
      h('td', { class: 'num' }, bar(p.energy_j), energy(p.energy_j)),
      num(null, power(p.mean_power_w)), num(null, power(p.peak_power_w)),
      num(null, carbon(p.carbon_g)), h('td', {}, recs || ''),
      h('td', {}, hints.length ? hints : h('span', { class: 'muted' }, '—')));
  });
  return section('phases', 'Phases',
    table(['Phase', { label: 'Runs', num: 1 }, { label: 'First', num: 1 }, { label: 'Time', num: 1 },
      { label: 'Share', num: 1 }, { label: 'Energy', num: 1 }, { label: 'Mean power', num: 1 },
      { label: 'Peak power', num: 1, title: 'an upper bound: the sum of each device\u2019s peak' },
      { label: 'Carbon', num: 1 }, 'Records', 'Hints'], rows, { 'data-testid': 'phase-table' }));
}

export function recordsTable(report) {
  const recs = report.workload?.records || [];
  if (!recs.length) return null;
  const rows = recs.map((r) => h('tr', {},
    h('td', {}, r.key), h('td', {}, r.kind), num(r.count), num(r.total), num(r.mean),
    num(r.min), num(r.max),
    num(null, isNum(r.j_per_unit) ? `${fmt(r.j_per_unit)} J` : '—'),
    num(null, isNum(r.g_per_1000) ? `${fmt(r.g_per_1000)} g` : '—')));
  return section('records', 'Work done',
    table(['Record', 'Kind', { label: 'Count', num: 1 }, { label: 'Total', num: 1 }, { label: 'Mean', num: 1 },
      { label: 'Min', num: 1 }, { label: 'Max', num: 1 }, { label: 'Energy per unit', num: 1 },
      { label: 'CO₂e per 1000', num: 1 }], rows));
}
