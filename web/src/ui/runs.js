// The Runs view: the store's runs (/api/runs), filtered by name, tag, host, job and start
// date, a page at a time; several selected go to Compare. Above them, the runs in progress
// (/api/live), refreshed every few seconds, each a link to its Live tab. Every filter, the
// page and the selection are in the permalink (#/runs?q=train&tag=batch%3D64&sel=a,b).
import { h, fmt, energy, carbon, duration, utc, isNum } from '../format.js';
import { getJSON } from './api.js';
import { params, setParams, onParams, navigate, makeHash } from './state.js';
import { apiParams, offsetOf, selection, toggle, filterProblem, PAGE } from './runsquery.js';
import { cliButton } from './cli.js';
import { showError, loading, debounce, field } from './common.js';

const LIVE_EVERY_MS = 5000;

function input(name, attrs) {
  return h('input', { name, 'data-testid': `filter-${name}`, autocomplete: 'off', ...attrs });
}

function liveList(el, ui) {
  let timer = null;
  let stopped = false;
  const draw = (live) => {
    const runs = live?.runs || [];
    ui.liveRuns = runs.map((r) => r.id);
    if (!runs.length) { el.replaceChildren(); el.hidden = true; return; }
    el.hidden = false;
    el.replaceChildren(h('h2', {}, `Live (${runs.length})`),
      h('ul', { class: 'ui-live-list', 'data-testid': 'live-list' }, runs.map((r) => {
        const latest = Object.entries(r.latest || {}).slice(0, 4)
          .map(([k, x]) => `${k} ${fmt(x.v, 4)}${x.unit ? ` ${x.unit}` : ''}`);
        const open = (r.phases || []).map((p) => p.name);
        return h('li', { 'data-run': r.id },
          h('span', { class: 'ui-dot', 'aria-hidden': 'true' }),
          h('a', { href: makeHash(`/run/${encodeURIComponent(r.id)}`, { tab: 'live' }) }, r.name || r.id),
          h('span', { class: 'muted' }, ` ${r.id} · ${r.host || ''} · ${duration(r.duration_s)}`),
          open.length ? h('span', { class: 'tag' }, open.join(' › ')) : null,
          latest.length ? h('span', { class: 'muted' }, ` · ${latest.join(' · ')}`) : null);
      })));
  };
  const poll = async () => {
    try {
      draw(await getJSON('/api/live'));
    } catch {
      draw(null); // a server without the live route: no list
    }
    if (!stopped) timer = setTimeout(poll, LIVE_EVERY_MS);
  };
  poll();
  return () => { stopped = true; clearTimeout(timer); };
}

export function mountRuns(el, { ui, done }) {
  const p0 = params();
  const f = {
    q: input('q', { type: 'search', placeholder: 'name contains', value: p0.q || '' }),
    tag: input('tag', { type: 'text', placeholder: 'KEY=VALUE', value: p0.tag || '' }),
    host: input('host', { type: 'text', placeholder: 'host', value: p0.host || '' }),
    job: input('job', { type: 'text', placeholder: 'job id', value: p0.job || '' }),
    from: input('from', { type: 'date', value: p0.from || '' }),
    to: input('to', { type: 'date', value: p0.to || '' }),
  };
  // typing is debounced; a new filter starts at its first page
  const typed = debounce(() => setParams({
    ...Object.fromEntries(Object.entries(f).map(([k, i]) => [k, i.value.trim()])), offset: null }), 250);
  for (const k of ['q', 'tag', 'host', 'job']) f[k].addEventListener('input', typed);
  for (const k of ['from', 'to']) f[k].addEventListener('change', () => setParams({ [k]: f[k].value, offset: null }));
  const clear = h('button', { type: 'button', 'data-testid': 'filter-clear',
    onclick: () => {
      for (const i of Object.values(f)) i.value = '';
      setParams({ q: null, tag: null, host: null, job: null, from: null, to: null, offset: null });
    } }, 'Clear');

  const compareBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'compare-selected',
    onclick: () => navigate('/compare', { runs: selection(params()).join(',') }) }, 'Compare');
  const selInfo = h('span', { class: 'muted', 'data-testid': 'selection' });
  const live = h('section', { class: 'ui-panel ui-live', hidden: true });
  const body = h('div', { class: 'ui-runs-body' }, loading('runs'));
  const pager = h('div', { class: 'ui-pager controls', 'data-testid': 'pager' });
  el.replaceChildren(
    live,
    h('section', { class: 'ui-panel' },
      h('h1', {}, 'Runs'),
      h('form', { class: 'ui-filters', role: 'search', 'data-testid': 'filters',
        onsubmit: (e) => e.preventDefault() },
      field('Name', f.q), field('Tag', f.tag), field('Host', f.host), field('Job', f.job),
      field('Started from', f.from), field('to', f.to), clear),
      h('div', { class: 'ui-selbar controls' }, compareBtn, ' ', selInfo, ' ',
        cliButton(() => ['compare', ...selection(params())])),
      body, pager));
  const stopLive = liveList(live, ui);

  let seq = 0;
  let rows = [];
  const drawSelection = () => {
    const sel = selection(params());
    selInfo.textContent = sel.length ? `${sel.length} selected: ${sel.join(', ')}` : 'select two or more runs to compare them';
    compareBtn.disabled = sel.length < 2;
    for (const cb of body.querySelectorAll('input[type=checkbox][data-run]')) cb.checked = sel.includes(cb.dataset.run);
  };

  const draw = (p, list) => {
    const off = offsetOf(p);
    const more = list.length > PAGE;
    rows = more ? list.slice(0, PAGE) : list;
    ui.runs = rows.map((r) => r.id);
    if (!rows.length) {
      body.replaceChildren(h('p', { class: 'empty', 'data-testid': 'no-runs' },
        off ? 'No more runs.' : 'No run matches these filters.'));
    } else {
      const tagLink = (k, v) => h('a', { class: 'tag', href: makeHash('/runs', { tag: `${k}=${v}` }),
        title: 'only the runs with this tag' }, `${k}=${v}`);
      body.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'ui-runs', 'data-testid': 'runs-table' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'Name'), h('th', {}, 'Run'),
          h('th', {}, 'Status'), h('th', {}, 'Started'), h('th', { class: 'num' }, 'Duration'),
          h('th', { class: 'num' }, 'Energy'), h('th', { class: 'num' }, 'Carbon'),
          h('th', {}, 'Host'), h('th', {}, 'Tags'))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-run': r.id, 'data-testid': 'run-row' },
          h('td', {}, h('input', { type: 'checkbox', 'data-run': r.id, 'aria-label': `select ${r.id}`,
            onchange: () => setParams({ sel: toggle(selection(params()), r.id).join(',') }) })),
          h('td', {}, h('a', { href: makeHash(`/run/${encodeURIComponent(r.id)}`), 'data-testid': 'run-link' }, r.name || '(no name)')),
          h('td', { class: 'mono' }, r.id),
          h('td', {}, h('span', { class: `status status-${r.stale ? 'incomplete' : r.status}` }, r.stale ? 'incomplete' : r.status)),
          h('td', {}, utc(r.start_time)),
          h('td', { class: 'num' }, duration(r.duration_s)),
          h('td', { class: 'num' }, isNum(r.energy_j) ? energy(r.energy_j) : '—'),
          h('td', { class: 'num' }, isNum(r.carbon_g) ? carbon(r.carbon_g) : '—'),
          h('td', {}, r.host ? h('a', { href: makeHash('/runs', { host: r.host }) }, r.host) : ''),
          h('td', {}, Object.entries(r.tags || {}).map(([k, v]) => tagLink(k, v)))))))));
    }
    const prev = h('button', { type: 'button', 'data-testid': 'page-prev', disabled: off === 0,
      onclick: () => setParams({ offset: Math.max(0, off - PAGE) || null }, { replace: false }) }, '◀ Newer');
    const next = h('button', { type: 'button', 'data-testid': 'page-next', disabled: !more,
      onclick: () => setParams({ offset: off + PAGE }, { replace: false }) }, 'Older ▶');
    pager.replaceChildren(prev, ' ', next, ' ',
      h('span', { class: 'muted' }, rows.length ? `runs ${off + 1}–${off + rows.length}` : ''));
    drawSelection();
  };

  const load = async () => {
    const p = params();
    for (const [k, i] of Object.entries(f)) if (document.activeElement !== i && i.value !== (p[k] || '')) i.value = p[k] || '';
    const my = ++seq;
    ui.ready = false;
    ui.error = null;
    const problem = filterProblem(p);
    if (problem) {
      body.replaceChildren(h('p', { class: 'note', 'data-testid': 'filter-problem' }, problem));
      pager.replaceChildren();
      ui.query = apiParams(p);
      done();
      return;
    }
    try {
      const list = await getJSON('/api/runs', apiParams(p));
      if (my !== seq) return; // a newer filter answered first
      draw(p, list);
    } catch (err) {
      if (my !== seq) return;
      showError(body, err, ui);
      pager.replaceChildren();
    }
    ui.query = apiParams(p);
    done();
  };
  let lastQuery = null;
  const off = onParams((p) => {
    const q = JSON.stringify(apiParams(p));
    if (q === lastQuery) { drawSelection(); return; } // only the selection changed
    lastQuery = q;
    load();
  });
  lastQuery = JSON.stringify(apiParams(p0));
  load();
  return { unmount() { off(); stopLive(); typed.cancel(); } };
}
