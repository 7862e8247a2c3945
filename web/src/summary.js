// The report's head: the run's identity, the summary cards (time, energy, carbon, cost,
// J per unit of work) and the warnings.
import { h, fmt, isNum, energy, kwh, carbon, power, duration, utc, withUnit } from './format.js';

function card(label, value, sub, testid) {
  // "8.165 mg CO₂e": the number large, its unit smaller beside it
  const m = /^(\S+) (.+)$/.exec(value);
  return h('div', { class: 'card', 'data-testid': testid },
    h('div', { class: 'card-label' }, label),
    h('div', { class: `card-value${value.length > 12 ? ' long' : ''}` }, m ? [m[1], h('span', { class: 'card-unit' }, ` ${m[2]}`)] : value),
    sub ? h('div', { class: 'card-sub' }, sub) : null);
}

export function header(report) {
  const run = report.run || {};
  const title = run.name ? `${run.name}` : 'aimeter run';
  const status = run.stale ? 'incomplete' : (run.status || 'unknown');
  const facts = [
    ['Run', run.id],
    ['Started', utc(run.start_time)],
    ['Host', run.host],
    ['Status', status + (isNum(run.exit_code) ? ` (exit ${run.exit_code})` : '')],
    ['aimeter', run.aimeter_version],
  ].filter(([, v]) => v);
  const tags = Object.entries(run.tags || {});
  return h('header', { class: 'report-head' },
    h('div', { class: 'brand' }, 'aimeter report'),
    h('h1', {}, title),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      tags.length ? [h('dt', {}, 'Tags'),
        h('dd', {}, tags.map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`)))] : null),
    run.command ? h('pre', { class: 'command', title: run.command }, run.command) : null);
}

export function cards(report) {
  const run = report.run || {};
  const en = report.energy || {};
  const co = report.carbon || {};
  const cost = report.cost;
  const s = report.sampling || {};
  const dur = run.duration_s;
  const meanW = en.mean_power_w;
  const out = [
    card('Duration', duration(dur),
      isNum(s.samples) ? `${fmt(s.samples, 6)} samples every ${withUnit(s.interval_s, 's', 3)}` : null,
      'card-time'),
    card('Energy (IT)', energy(en.total_j),
      isNum(en.total_j) ? `${kwh(en.total_kwh)}; mean ${power(meanW)}` : 'no device measured or estimated energy',
      'card-energy'),
    card('Facility energy', kwh(en.facility_kwh),
      isNum(en.pue) ? `PUE ${fmt(en.pue, 3)}${en.pue_source ? ` (${en.pue_source})` : ''}` : null,
      'card-facility'),
    card('Carbon', carbon(co.g),
      isNum(co.intensity_g_per_kwh)
        ? `${fmt(co.intensity_g_per_kwh, 4)} g CO₂e/kWh${co.zone ? `, ${co.zone}` : ''}`
        : 'no carbon figure', 'card-carbon'),
    card('Cost', cost && isNum(cost.amount) ? `${fmt(cost.amount, 3)} ${cost.currency}` : '—',
      cost ? `${fmt(cost.price_per_kwh, 4)} ${cost.currency}/kWh` : 'no price given', 'card-cost'),
  ];
  // J per unit of work, one card per counted record (tokens, samples, images)
  for (const r of report.workload?.records || []) {
    if (!isNum(r.j_per_unit)) continue;
    // "tokens" counts tokens: the card says "per token"
    const one = r.key.length > 3 && r.key.endsWith('s') && !r.key.endsWith('ss') ? r.key.slice(0, -1) : r.key;
    out.push(card(`Energy per ${one}`, `${fmt(r.j_per_unit, 4)} J`,
      `${fmt(r.total, 6)} ${r.key} in all${isNum(r.g_per_1000) ? `; ${fmt(r.g_per_1000, 3)} g CO₂e per 1000` : ''}`,
      `card-per-${r.key}`));
  }
  return h('div', { class: 'cards', 'data-testid': 'cards' }, out);
}

export function warnings(report) {
  const w = report.warnings || [];
  if (!w.length) return null;
  return h('div', { class: 'warnings', role: 'note', 'data-testid': 'warnings' },
    h('strong', {}, w.length === 1 ? 'Warning' : 'Warnings'),
    h('ul', {}, w.map((x) => h('li', {}, x))));
}
