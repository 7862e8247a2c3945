// The Compare view: /api/compare?runs=a,b[&baseline=a][&by=TAG] as `aimeter compare` prints
// it: one column per run (or per group of runs sharing a tag's value, mean ± sample standard
// deviation), one row per figure, ratios to the baseline column and the best value marked.
// Permalink: #/compare?runs=a,b,c&baseline=b&by=batch.
import { h } from '../format.js';
import { getJSON } from './api.js';
import { params, setParams, onParams, makeHash } from './state.js';
import { cliButton } from './cli.js';
import { showError, loading, field } from './common.js';
import { columns, cellText, cellCount, cellValue, ratioText, isBest, compareArgv } from './comparefmt.js';

function table(c) {
  const cols = columns(c);
  const groups = c.by ? c.groups : null;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'ui-compare', 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Figure'), h('th', {}, 'Unit'),
      cols.map((col, i) => h('th', { class: 'num', 'data-col': i },
        h('div', {}, col.label, col.baseline ? h('span', { class: 'badge' }, 'baseline') : null),
        c.by ? h('div', { class: 'muted' }, col.sub)
          : h('a', { class: 'muted mono', href: makeHash(`/run/${encodeURIComponent(col.sub)}`) }, col.sub))))),
    h('tbody', {}, (c.rows || []).map((row) => h('tr', { 'data-key': row.key },
      h('td', {}, row.label), h('td', { class: 'muted' }, row.unit || ''),
      cols.map((col, i) => {
        const v = cellValue(row, i);
        const ratio = ratioText(c, row, i);
        const n = cellCount(row, i, groups && groups[i]);
        return h('td', { class: `num${isBest(row, i) ? ' best' : ''}`, 'data-col': i,
          'data-value': v === null ? null : String(v) },
        cellText(row, i), n ? h('span', { class: 'muted' }, ` ${n}`) : null,
        ratio ? h('span', { class: 'ratio' }, ` ${ratio}`) : null,
        isBest(row, i) ? h('span', { class: 'best-mark', title: 'lowest' }, ' *') : null);
      }))))));
}

function runsList(c) {
  if (c.by) return null;
  return h('ul', { class: 'ui-compare-runs' }, (c.runs || []).map((r) => h('li', {},
    h('strong', {}, `${r.column} `),
    h('a', { href: makeHash(`/run/${encodeURIComponent(r.id)}`) }, r.name || r.id),
    h('span', { class: 'muted' }, ` ${r.id} · ${r.status} `),
    Object.entries(r.tags || {}).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`)))));
}

export function mountCompare(el, { ui, done }) {
  const p0 = params();
  const runsIn = h('input', { type: 'text', name: 'runs', 'data-testid': 'compare-runs', size: 60,
    placeholder: 'run ids, comma-separated', value: p0.runs || '' });
  const baseIn = h('input', { type: 'text', name: 'baseline', 'data-testid': 'compare-baseline',
    placeholder: 'first run', value: p0.baseline || '' });
  const byIn = h('input', { type: 'text', name: 'by', 'data-testid': 'compare-by',
    placeholder: 'tag key (batch)', value: p0.by || '' });
  const body = h('div', {});
  el.replaceChildren(h('section', { class: 'ui-panel' },
    h('h1', {}, 'Compare'),
    h('form', { class: 'ui-filters', 'data-testid': 'compare-form',
      onsubmit: (e) => {
        e.preventDefault();
        setParams({ runs: runsIn.value.replace(/\s+/g, ''), baseline: baseIn.value.trim(), by: byIn.value.trim() },
          { replace: false });
      } },
    field('Runs', runsIn), field('Baseline', baseIn), field('Group by tag', byIn),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'compare-go' }, 'Compare')),
    h('div', { class: 'controls' }, cliButton(() => compareArgv(params()))),
    body));

  let seq = 0;
  const load = async () => {
    const p = params();
    runsIn.value = p.runs || '';
    baseIn.value = p.baseline || '';
    byIn.value = p.by || '';
    const my = ++seq;
    ui.ready = false;
    ui.error = null;
    ui.compare = null;
    if (!p.runs && !p.by) {
      body.replaceChildren(h('p', { class: 'empty', 'data-testid': 'compare-empty' },
        'Select runs in the Runs view (or type their ids above) to compare them.'));
      done();
      return;
    }
    body.replaceChildren(loading('the comparison'));
    try {
      const c = await getJSON('/api/compare', { runs: p.runs, baseline: p.baseline, by: p.by });
      if (my !== seq) return;
      ui.compare = c;
      body.replaceChildren(runsList(c) || '', table(c),
        h('p', { class: 'note' }, c.by
          ? `Each group's column: mean ± ${c.stddev || 'standard deviation'} over its runs; [n=k] when only k of them have the figure. Ratios are to the baseline group's mean; * marks the lowest where lower is better.`
          : 'Ratios are to the baseline column; * marks the lowest where lower is better.'));
    } catch (err) {
      if (my !== seq) return;
      showError(body, err, ui);
    }
    done();
  };
  const off = onParams(load);
  load();
  return { unmount() { off(); } };
}
