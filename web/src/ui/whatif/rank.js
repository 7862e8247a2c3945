// Every zone of the tables ranked for this run (GET /api/runs/ID/whatif?rank=1, the same as
// `aimeter whatif ID --rank --json`): carbon ascending; a row click picks the zone.
import { h, fmt, carbon, table } from '../../format.js';
import { getJSON, runPath } from '../api.js';
import { cliButton } from '../cli.js';
import { hook } from './hook.js';

export function makeRank(id, { pick, selected, onError }) {
  let q = {};
  let seq = 0;
  const body = h('div', { class: 'rank-wrap', 'data-testid': 'rank' }, h('p', { class: 'note' }, 'Loading…'));
  const head = h('p', { class: 'note', 'data-testid': 'rank-note' });
  const argv = () => ['whatif', id, '--rank', q.signal === 'marginal' ? '--marginal' : null,
    q.year ? '--year' : null, q.year ? String(q.year) : null,
    q.pue !== null && q.pue !== undefined ? '--pue' : null,
    q.pue !== null && q.pue !== undefined ? String(q.pue) : null];
  const cli = cliButton(argv);
  const el = h('section', { class: 'section', 'data-testid': 'whatif-rank' },
    h('h3', {}, 'Every zone, ranked for this run'), head, cli, body);
  let rows = [];

  function highlight() {
    const cur = selected();
    for (const tr of body.querySelectorAll('tr[data-zone]')) tr.classList.toggle('selected', tr.dataset.zone === cur);
  }

  async function load(st) {
    q = { signal: st.signal, year: st.signal === 'marginal' ? null : st.year, pue: st.pue };
    const n = ++seq;
    cli.refresh();
    try {
      const a = await getJSON(runPath(id, '/whatif'), { rank: 1,
        signal: q.signal === 'marginal' ? 'marginal' : null, year: q.year, pue: q.pue });
      if (n !== seq) return;
      rows = a.rows || [];
      head.textContent = `${rows.length} zones (${a.signal}${a.year ? `, ${a.year}` : ''}): the run\u2019s ${fmt(a.energy_j / 3.6e6, 5)} kWh IT energy \u00d7 PUE ${fmt(a.pue, 4)} \u00d7 each zone\u2019s intensity, cleanest first. Click a row to pick the zone.`;
      body.replaceChildren(table(
        [{ label: '#', num: true }, 'Zone', 'Name', { label: 'g CO₂e/kWh', num: true }, 'Year',
          { label: 'Carbon', num: true }, { label: 'vs run', num: true }],
        rows.map((r) => h('tr', { class: 'pick', 'data-zone': r.code, 'data-carbon': String(r.carbon_g),
          onclick: () => pick(r.code) },
        h('td', { class: 'num' }, String(r.rank)), h('td', {}, r.code), h('td', {}, r.name),
        h('td', { class: 'num' }, fmt(r.g_per_kwh, 4)), h('td', {}, r.year ?? '—'),
        h('td', { class: 'num' }, carbon(r.carbon_g, 4)),
        h('td', { class: 'num' }, r.vs_run === null || r.vs_run === undefined ? '—' : `\u00d7${fmt(r.vs_run, 3)}`))),
        { 'data-testid': 'rank-table' }));
      highlight();
      hook('whatif').set({ rank: rows.map((r) => ({ code: r.code, carbon_g: r.carbon_g })), rank_cli: cli.refresh() });
    } catch (e) {
      if (n !== seq) return;
      body.replaceChildren(h('p', { class: 'error' }, `No ranking: ${e.message}`));
      onError?.(null);
    }
  }

  return { el, load, highlight };
}
