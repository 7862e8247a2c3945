// The run's cumulative facility energy and carbon over time, with a kWh / g CO2e toggle.
import { h, section, fmt } from './format.js';
import { makeChart, removeChart } from './chartkit.js';

const UNITS = {
  kwh: { label: 'kWh', yLabel: 'facility energy [kWh]', key: 'kwh' },
  g: { label: 'g CO₂e', yLabel: 'carbon [g CO₂e]', key: 'g' },
};

export function cumulativeSection(tl) {
  const e = tl.energy;
  const sec = section('cumulative', 'Cumulative energy and carbon');
  if (!e.t.length || !e.kwh.some((x) => x !== null)) {
    sec.append(h('p', { class: 'empty' }, 'No energy figure for this run.'));
    return { el: sec, mount() {} };
  }
  const hasG = e.g.some((x) => x !== null);
  let unit = 'kwh';
  let entry = null;
  const host = h('div', { class: 'chart', 'data-testid': 'chart-cumulative', 'data-unit': unit });
  const radios = Object.entries(UNITS).map(([k, u]) => h('label', { class: 'toggle' },
    h('input', { type: 'radio', name: 'cumulative-unit', value: k, checked: k === unit,
      disabled: k === 'g' && !hasG, 'data-testid': `cumulative-${k}`,
      onchange: () => { unit = k; draw(); } }), ` ${u.label}`));
  sec.append(h('div', { class: 'controls' }, h('span', {}, 'Show: '), radios,
    hasG ? null : h('span', { class: 'muted' }, ' (no carbon intensity for this run)')),
  h('figure', { class: 'chart-box' }, host));
  function draw() {
    if (entry) removeChart(entry);
    const u = UNITS[unit];
    host.dataset.unit = unit;
    entry = makeChart(host, {
      id: 'cumulative', kind: 'cumulative', title: 'Cumulative', yLabel: u.yLabel, height: 220,
      phases: tl.phases, marks: tl.marks, yFromZero: true,
      data: [e.t, e[u.key]],
      series: [{ label: unit === 'kwh' ? 'facility energy' : 'carbon', stroke: '#000', width: 2,
        fill: 'rgba(0, 158, 115, 0.12)', spanGaps: false,
        value: (p, v, si, idx) => (idx === null || idx === undefined ? ''
          : v === null || v === undefined ? '—' : `${fmt(v, 4)} ${u.label}`) }],
    });
  }
  return { el: sec, mount: draw };
}
