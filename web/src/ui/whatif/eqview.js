// The colour-coded, editable equations (EnergyVis, seed 004): carbon = energy × PUE ×
// intensity, and energy = Σ device groups (count × power × hours × utilisation). Each term
// is an input in its colour, with a note in the same colour saying where its default comes
// from; the results follow every keystroke (evaluate() in equation.js).
import { h, fmt, carbon, energy as fmtEnergy } from '../../format.js';
import { deviceGroups, evaluate, parseTerm, parsePue, PUE_MIN, PUE_MAX } from './equation.js';

const term = (cls, ...c) => h('span', { class: `term ${cls}` }, ...c);
const op = (s) => h('span', { class: 'op' }, s);
const num = (x, d = 6) => (typeof x === 'number' && Number.isFinite(x) ? fmt(x, d).replace(/,/g, '') : '');

/**
 * The equations box. report: the run's aimeter.report/1; hooks: {onPue(pue|null),
 * onChange(result, edits)}. Returns {el, setBase(base), setPue(pue), result(), edits}.
 * base: {energy_j, pue, pue_source, intensity, intensity_label, intensity_source, samples}.
 */
export function makeEquations(report, hooks, initial = null) {
  const groups = deviceGroups(report);
  const edits = { pue: null, intensity: null, groups: {} };
  let base = null;
  let last = null;

  // parse: the text to a number, null when it is not one the term takes (the input is marked
  // bad and onvalue is not called: the last good value stays in use)
  const input = (testid, cls, title, onvalue, parse = parseTerm) => {
    const el = h('input', { type: 'text', inputmode: 'decimal', class: cls, 'data-testid': testid,
      'aria-label': title, title, spellcheck: 'false', autocomplete: 'off' });
    el.addEventListener('input', () => {
      const empty = el.value.trim() === '';
      const v = empty ? null : parse(el.value);
      el.classList.toggle('bad', !empty && v === null);
      el.setAttribute('aria-invalid', String(!empty && v === null));
      if (!empty && v === null && parse !== parseTerm) return;
      onvalue(v, empty);
      recompute();
    });
    return el;
  };

  const out = {
    energy: h('span', { 'data-testid': 'eq-energy' }),
    carbon: h('span', { class: 'result', 'data-testid': 'eq-carbon' }),
    devices: h('span', { class: 'result', 'data-testid': 'eq-devices' }),
  };
  const pueIn = input('eq-pue', 'small', `PUE (facility energy / IT energy, ${PUE_MIN} to ${PUE_MAX})`, (v, empty) => {
    edits.pue = empty ? null : v;
    hooks.onPue?.(empty ? null : v);
  }, parsePue);
  const intIn = input('eq-intensity', '', 'carbon intensity in g CO2e/kWh', (v, empty) => {
    edits.intensity = empty ? null : v;
  });
  const notes = {
    energy: h('li', { class: 't-energy' }),
    pue: h('li', { class: 't-pue' }),
    intensity: h('li', { class: 't-intensity' }),
  };

  const groupRows = groups.map((g) => {
    const e = (edits.groups[g.key] = {});
    const field = (k, testid, cls, title) => {
      const el = input(`eq-${testid}-${g.kind}`, 'small', title, (v) => { e[k] = v; });
      el.dataset.group = g.key;
      return term(cls, el);
    };
    const res = h('span', { class: 'result', 'data-testid': `eq-group-${g.kind}` });
    const count = field('count', 'count', 't-count', `${g.label}: devices`);
    const power = field('power_w', 'power', 't-power', `${g.label}: mean power per device [W]`);
    const hours = field('hours', 'hours', 't-hours', `${g.label}: hours`);
    const util = g.util ? field('util', 'util', 't-util', `${g.label}: mean utilisation [%]`) : null;
    const row = h('div', { class: 'eq eq-group' },
      h('span', { class: 'label' }, g.label), op('='),
      count, op('×'), power, h('span', { class: 'muted' }, 'W'), op('×'), hours, h('span', { class: 'muted' }, 'h'),
      util ? [op('×'), op('('), util, op(`% / ${fmt(g.util, 3)} %)`)] : null,
      op('='), res);
    const fill = () => {
      count.firstChild.value = String(g.count);
      power.firstChild.value = num(g.power_w, 5);
      hours.firstChild.value = num(g.hours, 4);
      if (util) util.firstChild.value = num(g.util, 4);
      for (const k of Object.keys(e)) e[k] = null;
    };
    const note = h('li', {}, h('strong', {}, g.label), `: ${g.devices.join(', ')}; `,
      h('span', { class: 't-power' }, `power = the ${g.method || 'measured'} energy ${fmtEnergy(g.energy_j)} / (devices × hours)`),
      g.source ? ` (${g.source})` : '',
      util ? h('span', { class: 't-util' }, `; utilisation: the run's mean ${g.util_key} (energy taken proportional to it)`) : null);
    const inputs = { count: count.firstChild, power_w: power.firstChild, hours: hours.firstChild,
      util: util ? util.firstChild : null };
    return { g, row, res, fill, note, e, inputs };
  });

  function recompute() {
    if (!base) return;
    last = evaluate(base, groups, edits);
    out.energy.textContent = `${fmt(last.energy_kwh, 5)} kWh`;
    out.carbon.textContent = carbon(last.carbon_g, 5);
    out.devices.textContent = fmtEnergy(last.devices_j, 5);
    for (const [i, r] of groupRows.entries()) r.res.textContent = fmtEnergy(last.groups[i].energy_j, 4);
    notes.energy.textContent = `energy: ${fmtEnergy(last.energy_j, 6)}, the run's IT energy replayed from its ${base.samples ?? '?'} stored samples by aimeter whatif` +
      (last.energy_j !== base.energy_j ? ` and changed by the device terms edited below (${fmtEnergy(last.energy_j - base.energy_j, 4)})` : '');
    hooks.onChange?.(last, edits);
  }

  const resetBtn = h('button', { type: 'button', 'data-testid': 'eq-reset', onclick: () => {
    edits.pue = null; edits.intensity = null;
    setBaseInputs(true);
    hooks.onPue?.(null);
    recompute();
  } }, "Reset to the run's figures");

  function setBaseInputs(all) {
    if (all || edits.pue === null) pueIn.value = num(base.pue, 4);
    if (all || edits.intensity === null) intIn.value = num(base.intensity, 6);
    for (const i of [pueIn, intIn]) { i.classList.remove('bad'); i.removeAttribute('aria-invalid'); }
    if (all) for (const r of groupRows) r.fill();
  }

  // the permalink's edited terms (paramToEdits), once the defaults are in the inputs
  function applyInitial() {
    if (initial.intensity !== null) {
      edits.intensity = initial.intensity;
      intIn.value = num(initial.intensity, 6);
    }
    for (const r of groupRows)
      for (const [k, v] of Object.entries(initial.groups[r.g.key] || {}))
        if (r.inputs[k]) {
          r.e[k] = v;
          r.inputs[k].value = num(v, 6);
        }
  }

  const el = h('section', { class: 'eq-box', 'data-testid': 'whatif-equations' },
    h('h3', {}, 'The equations (edit any coloured term)'),
    h('div', { class: 'eq' }, term('t-carbon', 'carbon'), op('='), term('t-energy', out.energy), op('×'),
      term('t-pue', pueIn), op('PUE ×'), term('t-intensity', intIn), op('g/kWh ='), out.carbon),
    h('ul', { class: 'eq-notes' }, notes.energy, notes.pue, notes.intensity),
    groupRows.length ? [
      h('div', { class: 'eq' }, term('t-energy', 'IT energy'), op('= Σ devices'),
        term('t-count', 'count'), op('×'), term('t-power', 'power'), op('×'), term('t-hours', 'hours'),
        op('×'), term('t-util', 'utilisation'), op('='), out.devices),
      ...groupRows.map((r) => r.row),
      h('ul', { class: 'eq-notes' }, groupRows.map((r) => r.note),
        h('li', { class: 'muted' }, 'hours: the run\'s duration; count: the devices of that model the run measured. The report\'s per-device energies may differ from the replay by the samples\' resolution: the carbon equation starts from the replay and adds what these terms change.')),
    ] : h('p', { class: 'note' }, 'The run\'s report lists no device energy: only the carbon equation can be edited.'),
    h('div', { class: 'controls' }, resetBtn));

  return {
    el,
    edits,
    result: () => last,
    /** A new answer from the server (zone, year, signal or PUE changed): its figures become
     * the defaults; a PUE or intensity the user typed stays. */
    setBase(b, { keepIntensity = false } = {}) {
      const first = base === null;
      base = b;
      if (!keepIntensity) edits.intensity = null;
      setBaseInputs(first);
      if (first && initial) applyInitial();
      notes.pue.textContent = `PUE ${num(b.pue, 4)}: ${b.pue_is_runs ? `the run's own (${b.pue_source || 'as stored'})` : 'given (--pue)'}`;
      notes.intensity.textContent = `intensity ${fmt(b.intensity, 5)} g CO₂e/kWh: ${b.intensity_label}; ${b.intensity_source || ''}`;
      recompute();
    },
    /** The PUE from the permalink (before the first answer). */
    setPue(p) { edits.pue = p; if (p !== null) pueIn.value = num(p, 4); },
  };
}
