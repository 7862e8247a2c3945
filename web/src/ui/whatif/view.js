// The What-if tab of a run (mountWhatif): the region map coloured by intensity (average or
// marginal, a year), a zone picker, the run re-priced in the zone chosen (aimeter whatif's
// own figure, from /api/runs/ID/whatif), the editable equations, the rank of every zone and
// alternative hardware. Zone, signal, year, PUE and hardware live in the permalink.
import { h, fmt, carbon } from '../../format.js';
import { getJSON, runPath } from '../api.js';
import { cliButton } from '../cli.js';
import { zoneIndex, rowFor, zoneArg } from './codes.js';
import { parsePue, PUE_MIN, PUE_MAX, deviceGroups, editsToParam, paramToEdits } from './equation.js';
import { makeMap, legend, shapeCodes } from './map.js';
import { makeEquations } from './eqview.js';
import { makeRank } from './rank.js';
import { makeHardware } from './hardware.js';
import { hook } from './hook.js';
import { ctxParams } from './params.js';

const FIRST_YEAR = 2000; // the yearly history's first year (data/zones_history.csv)

export function mountWhatif(el, ctx) {
  const id = ctx.id;
  const report = ctx.view?.report || {};
  const runZone = report.carbon?.zone || null;
  const p = ctxParams(ctx);
  const st = {
    zone: typeof p.zone === 'string' && p.zone ? p.zone.toUpperCase() : null,
    signal: p.signal === 'marginal' ? 'marginal' : 'average',
    year: /^\d{4}$/.test(p.year || '') ? Number(p.year) : null,
    pue: parsePue(p.pue),
  };
  const set = (patch) => ctx.setParams?.(patch);
  let alive = true;
  const seq = { zones: 0, whatif: 0 };
  const zonesCache = new Map();
  let index = new Map();
  const h0 = hook('whatif');

  const error = h('p', { class: 'whatif-error', role: 'alert', 'data-testid': 'whatif-error' });
  const showError = (e) => { error.textContent = e ? String(e.message || e) : ''; };
  // a permalink's pue= outside what --pue takes is not asked (the server would refuse it):
  // the run's own PUE is used, and said so
  const pueNote = h('p', { class: 'note', 'data-testid': 'whatif-pue-note' });
  const notePue = (text) => {
    const bad = typeof text === 'string' && text !== '' && parsePue(text) === null;
    pueNote.textContent = bad ? `The link's PUE '${text}' is ignored (a PUE is ${PUE_MIN} to ${PUE_MAX}): the run's own PUE is used.` : '';
    pueNote.hidden = !bad;
    h0.set({ pue_ignored: bad ? text : null });
  };
  notePue(p.pue);

  // controls
  const signalSel = h('select', { 'data-testid': 'whatif-signal', 'aria-label': 'signal' },
    h('option', { value: 'average' }, 'average (the grid mix)'),
    h('option', { value: 'marginal' }, 'marginal (operating margin)'));
  signalSel.value = st.signal;
  const yearSel = h('select', { 'data-testid': 'whatif-year', 'aria-label': 'year' },
    h('option', { value: '' }, 'latest in the tables'));
  const zoneSel = h('select', { 'data-testid': 'whatif-zone-select', 'aria-label': 'zone' });
  signalSel.addEventListener('change', () => {
    st.signal = signalSel.value;
    yearSel.disabled = st.signal === 'marginal';
    set({ signal: st.signal === 'marginal' ? 'marginal' : null });
    refreshAll();
  });
  yearSel.addEventListener('change', () => {
    st.year = yearSel.value ? Number(yearSel.value) : null;
    set({ year: st.year });
    refreshAll();
  });
  zoneSel.addEventListener('change', () => { if (zoneSel.value) pick(zoneSel.value); });

  // result
  const resultText = h('div', { 'data-testid': 'whatif-result-text' });
  const cli = cliButton(() => ['whatif', id, '--zones', zoneArg(st.zone || runZone || 'WORLD', st),
    st.pue !== null ? '--pue' : null, st.pue !== null ? String(st.pue) : null]);
  const result = h('div', { class: 'whatif-result', 'data-testid': 'whatif-result' }, resultText, cli);

  // maps
  const world = makeMap('world', 'World: countries (Natural Earth 1:110m)', pick);
  const us = makeMap('us', 'United States: states', pick);
  const mapNote = h('p', { class: 'note', 'data-testid': 'map-note' });

  const groups = deviceGroups(report);
  const eq = makeEquations(report, {
    onPue(v) {
      st.pue = v;
      h0.set({ synced: false });
      set({ pue: v });
      debounce(() => { loadWhatif(); rank.load(st); hardware.refresh(); }, 250);
    },
    onChange(r, edits) {
      const localOnly = edits.intensity !== null ||
        Object.values(edits.groups).some((g) => Object.values(g).some((x) => x !== null && x !== undefined));
      h0.set({ carbon_g: r.carbon_g, energy_j: r.energy_j, pue: r.pue, intensity_g_per_kwh: r.intensity,
        local_edits: localOnly });
      // the edited terms in the permalink (no aimeter option takes them, so no command does)
      const text = editsToParam(groups, edits);
      if ((ctxParams(ctx).eq ?? null) !== text) set({ eq: text });
    },
  }, typeof p.eq === 'string' && p.eq ? paramToEdits(groups, p.eq) : null);
  if (st.pue !== null) eq.setPue(st.pue);

  const rank = makeRank(id, { pick, selected: () => st.zone, onError: showError });
  const hardware = makeHardware(id, ctx, { zoneArg: () => (st.zone ? zoneArg(st.zone, st) : null),
    pue: () => st.pue, onError: showError });

  el.replaceChildren(h('div', { class: 'whatif', 'data-testid': 'whatif' },
    h('p', { class: 'note' }, 'The run\u2019s measured energy re-priced as if it had drawn from another grid: click a zone on the map (or pick one below), edit the equation\u2019s terms, rank every zone, or try other hardware. Every figure is the one the printed aimeter command gives.'),
    h('div', { class: 'whatif-bar' },
      h('label', {}, 'Signal ', signalSel), h('label', {}, 'Year ', yearSel), h('label', {}, 'Zone ', zoneSel)),
    error, pueNote, result,
    h('div', { class: 'maps' }, world.el, us.el),
    legend('Click a zone to re-price the run there.'), mapNote,
    eq.el, rank.el, hardware.el));

  let timer = null;
  function debounce(fn, ms) { clearTimeout(timer); timer = setTimeout(() => alive && fn(), ms); }

  async function zonesFor(key, params) {
    if (!zonesCache.has(key)) zonesCache.set(key, getJSON('/api/zones', params));
    return zonesCache.get(key);
  }

  async function loadZones() {
    const n = ++seq.zones;
    const params = st.signal === 'marginal' ? { marginal: 1 } : st.year ? { year: st.year } : {};
    try {
      const [rows, avg] = await Promise.all([zonesFor(JSON.stringify(params), params), zonesFor('{}', {})]);
      if (!alive || n !== seq.zones) return;
      fillYears(avg);
      index = zoneIndex(rows);
      const figureOf = (code) => {
        const { row, used } = rowFor(code, index, st.signal);
        return row ? { g: row.g_per_kwh, label: `${used !== code ? `${used}'s, ` : ''}${row.signal}, ${row.year ?? ''}` } : null;
      };
      world.paint(figureOf);
      us.paint(figureOf);
      fillPicker(rows);
      mapNote.textContent = `${rows.length} zones with a figure (${st.signal}${st.year ? `, ${st.year}` : ''}); grey: no figure in the tables` +
        (st.signal === 'marginal' ? '; a state or province without a marginal factor of its own is priced with its country\u2019s, as aimeter whatif does.' : '.') +
        ' Sub-national grids without a shape here (Canadian provinces, Australian states, eGRID subregions, China\u2019s grids, …) are in the zone list.';
      h0.set({ zones_shown: rows.length, signal: st.signal, year: st.year });
    } catch (e) {
      if (alive) showError(e);
    }
  }

  let yearsFilled = false;
  function fillYears(avgRows) {
    if (yearsFilled) return;
    yearsFilled = true;
    const last = Math.max(FIRST_YEAR, ...avgRows.map((r) => r.year).filter((y) => typeof y === 'number'));
    for (let y = last; y >= FIRST_YEAR; y--) yearSel.append(h('option', { value: String(y) }, String(y)));
    yearSel.value = st.year ? String(st.year) : '';
    yearSel.disabled = st.signal === 'marginal';
  }

  function fillPicker(rows) {
    const shaped = shapeCodes();
    const opt = (r) => h('option', { value: r.code },
      `${r.code} \u2014 ${r.name} (${fmt(r.g_per_kwh, 4)} g/kWh)`);
    const sorted = [...rows].sort((a, b) => a.code.localeCompare(b.code));
    const cur = st.zone || runZone;
    const groups = [
      h('option', { value: '' }, cur ? `${cur}${cur === runZone ? " (the run's zone)" : ''}` : 'choose a zone'),
      h('optgroup', { label: 'on the map' }, sorted.filter((r) => shaped.has(r.code)).map(opt)),
      h('optgroup', { label: 'no shape on the map (sub-national grids, small territories)' },
        sorted.filter((r) => !shaped.has(r.code)).map(opt)),
    ];
    zoneSel.replaceChildren(...groups);
    zoneSel.value = cur && index.has(cur) ? cur : '';
  }

  async function loadWhatif() {
    const n = ++seq.whatif;
    const zone = st.zone || runZone || 'WORLD';
    const q = { zones: zoneArg(zone, st), pue: st.pue };
    h0.set({ synced: false });
    // a zone the tables have no figure for (grey on the map) is said here, not asked: the
    // server's 400 would be logged by the browser as a console error
    await zonesReady;
    if (!alive || n !== seq.whatif) return;
    if (index.size && !rowFor(zone, index, st.signal).row) {
      showError(`No ${st.signal} figure for ${zone}${st.year && st.signal !== 'marginal' ? ` in ${st.year}` : ''} in aimeter's tables: pick another zone${st.year ? ' or year' : ''}.`);
      h0.set({ synced: true, missing: zone });
      return;
    }
    try {
      const a = await getJSON(runPath(id, '/whatif'), q);
      if (!alive || n !== seq.whatif) return;
      showError(null);
      h0.set({ missing: null });
      const sc = a.scenarios.find((s) => !s.baseline) || a.scenarios[0];
      const own = a.scenarios.find((s) => s.baseline);
      eq.setBase({ energy_j: a.energy_j, samples: a.samples, pue: a.pue, pue_is_runs: a.pue_is_runs,
        pue_source: report.energy?.pue_source, intensity: sc.intensity_g_per_kwh,
        intensity_label: `${sc.label}${sc.name ? `, ${sc.name}` : ''} (${sc.signal}, ${sc.basis}${sc.year ? `, ${sc.year}` : ''})`,
        intensity_source: sc.source });
      resultText.replaceChildren(
        h('div', {}, `Run re-priced in ${sc.label} (${sc.name}): `,
          h('span', { class: 'big', 'data-testid': 'whatif-carbon' }, carbon(sc.carbon_g, 5)),
          sc.baseline ? '' : ` \u2014 \u00d7${fmt(sc.ratio, 3)} the run\u2019s own ${carbon(own?.carbon_g, 4)} (${own?.label})`),
        h('div', { class: 'muted' }, `${fmt(a.energy_kwh, 5)} kWh IT energy \u00d7 PUE ${fmt(a.pue, 4)} \u00d7 ${fmt(sc.intensity_g_per_kwh, 5)} g/kWh; ${sc.source}`));
      world.select(st.zone || runZone);
      us.select(st.zone || runZone);
      const r = eq.result();
      h0.set({ server_carbon_g: sc.carbon_g, zone: sc.zone, zone_used: sc.zone_used, requested: q.zones,
        ratio: sc.ratio, carbon_g: r ? r.carbon_g : sc.carbon_g, pue: a.pue, energy_j: a.energy_j,
        cli: cli.refresh(), synced: true });
    } catch (e) {
      if (alive && n === seq.whatif) showError(e);
    }
  }

  function pick(code) {
    st.zone = code;
    h0.set({ synced: false });
    set({ zone: code });
    if (index.has(code)) zoneSel.value = code;
    loadWhatif();
    rank.highlight();
    hardware.refresh();
  }

  let zonesReady = Promise.resolve();
  function refreshAll() {
    zonesReady = loadZones();
    loadWhatif();
    rank.load(st);
    hardware?.refresh();
  }

  refreshAll();
  return {
    /** The permalink changed (Back, Forward, a pasted link): follow it where it differs. */
    onParams(q) {
      const zone = typeof q.zone === 'string' && q.zone ? q.zone.toUpperCase() : null;
      const signal = q.signal === 'marginal' ? 'marginal' : 'average';
      const year = /^\d{4}$/.test(q.year || '') ? Number(q.year) : null;
      const pue = parsePue(q.pue);
      notePue(q.pue);
      if (signal !== st.signal || year !== st.year || pue !== st.pue) {
        Object.assign(st, { zone, signal, year, pue });
        signalSel.value = signal;
        yearSel.value = year ? String(year) : '';
        yearSel.disabled = signal === 'marginal';
        eq.setPue(pue);
        refreshAll();
      } else if (zone !== st.zone) {
        pick(zone);
      }
    },
    unmount() {
      alive = false;
      clearTimeout(timer);
      hardware.unmount?.();
      el.replaceChildren();
    },
  };
}
