// What if the run had been elsewhere: its facility energy priced with other zones'
// intensities, one bar per zone, the run's own zone first and highlighted; zones can be
// hidden and shown (the bars rescale to the largest shown).
import { h, fmt, carbon, section, isNum } from './format.js';

export function whatifSection(whatif) {
  if (!whatif) return null;
  const zones = whatif.zones.filter((z) => z && typeof z === 'object');
  const shown = new Set(zones.map((_, i) => i));
  const bars = h('div', { class: 'bars', 'data-testid': 'whatif-bars' });
  const draw = () => {
    const max = Math.max(0, ...zones.filter((_, i) => shown.has(i)).map((z) => (isNum(z.carbon_g) ? z.carbon_g : 0)));
    const own = zones.find((z) => z.own);
    bars.replaceChildren(...zones.map((z, i) => {
      if (!shown.has(i)) return null;
      const pct = isNum(z.carbon_g) && max > 0 ? (100 * z.carbon_g) / max : 0;
      const ratio = own && isNum(own.carbon_g) && own.carbon_g > 0 && isNum(z.carbon_g) && !z.own
        ? ` · ×${fmt(z.carbon_g / own.carbon_g, 3)}` : '';
      return h('div', { class: `bar-row${z.own ? ' own' : ''}`, title: z.source || '' },
        h('div', { class: 'bar-label' }, h('strong', {}, z.zone ?? '—'), ' ', h('span', { class: 'muted' }, z.name || ''),
          z.own ? h('span', { class: 'badge' }, 'this run') : null),
        h('div', { class: 'bar-track' }, h('div', { class: 'bar-fill', style: `width:${pct.toFixed(2)}%` })),
        h('div', { class: 'bar-value' }, carbon(z.carbon_g), h('span', { class: 'muted' },
          ` ${isNum(z.g_per_kwh) ? fmt(z.g_per_kwh, 4) : '—'} g/kWh${ratio}`)));
    }));
  };
  const toggles = h('div', { class: 'controls zone-toggles' }, h('span', {}, 'Zones: '),
    zones.map((z, i) => h('label', { class: 'toggle' }, h('input', { type: 'checkbox', checked: true,
      'data-testid': `zone-${z.zone}`,
      onchange: (e) => { if (e.target.checked) shown.add(i); else shown.delete(i); draw(); } }), ` ${z.zone ?? '?'}`)));
  draw();
  return section('whatif', 'What if it had run elsewhere',
    h('p', { class: 'note' }, `The run\u2019s facility energy (${isNum(whatif.energyKwh) ? `${fmt(whatif.energyKwh, 4)} kWh` : '—'}) priced with each zone\u2019s carbon intensity.`),
    toggles, bars);
}
