// Alternative hardware (EnergyVis's component, over aimeter's GPU table): pick rows of
// /api/hardware (as `aimeter estimate --list-gpus`) or type a device's figures (TDP, peak
// TFLOPS), then /api/runs/ID/whatif?hardware=..&specs=.. (= `aimeter whatif ID --hardware
// .. --gpu-spec ..`): the run's GPU energy × TDP ratio × TFLOPS ratio. The choice is kept in
// the permalink (hw=A100,H100; a typed device as spec=NAME:tdp=W,tflops=T, --gpu-spec's form).
import { h, fmt, carbon, energy, table } from '../../format.js';
import { getJSON, runPath } from '../api.js';
import { cliButton } from '../cli.js';
import { parseTerm } from './equation.js';
import { hook } from './hook.js';
import { ctxParams } from './params.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,39}$/;

/** A table row's name as the CLI takes it: its first alias ("A100"), else its name. */
export const hwName = (r) => (Array.isArray(r.aliases) && r.aliases.length ? r.aliases[0] : r.name);

/** A typed device as the permalink keeps it (NAME:tdp=W,tflops=T, as --gpu-spec writes it)
 * -> {name, tdp, tflops}, or null when it is not one (both figures above 0). */
export function parseSpec(text) {
  const m = /^(.+):tdp=([^,]+),tflops=([^,]+)$/.exec(String(text ?? ''));
  if (!m || !NAME.test(m[1])) return null;
  const tdp = parseTerm(m[2]);
  const tflops = parseTerm(m[3]);
  return tdp > 0 && tflops > 0 ? { name: m[1], tdp, tflops } : null;
}

/** `aimeter whatif ID --hardware ..` for the devices chosen (names: ticked rows, then the
 * typed device's name; spec: its --gpu-spec), or null while none is: no command stands for
 * an empty choice (a default device would print figures the page does not show). */
export function hardwareArgv(id, { names, spec = null, zone = null, pue = null }) {
  if (!names.length) return null;
  return ['whatif', id, '--hardware', names.join(','), spec ? '--gpu-spec' : null, spec,
    zone ? '--zones' : null, zone, pue !== null ? '--pue' : null, pue !== null ? String(pue) : null];
}

export function makeHardware(id, ctx, { zoneArg, pue }) {
  const chosen = new Set(String(ctxParams(ctx).hw || '').split(',').map((s) => s.trim()).filter(Boolean));
  const linked = ctxParams(ctx).spec;
  let custom = parseSpec(linked); // {name, tdp, tflops}
  let seq = 0;
  let shown = false; // a comparison is on the page: it follows the zone and the PUE
  const list = h('div', { class: 'hw-wrap', 'data-testid': 'hw-table' }, h('p', { class: 'note' }, 'Loading the GPU table…'));
  const out = h('div', { 'data-testid': 'hw-result' });
  const msg = h('p', { class: 'whatif-error', 'data-testid': 'hw-error' });
  const cName = h('input', { type: 'text', value: 'custom', 'data-testid': 'hw-custom-name', 'aria-label': 'name' });
  const cTdp = h('input', { type: 'text', inputmode: 'decimal', 'data-testid': 'hw-custom-tdp', 'aria-label': 'TDP in W', placeholder: 'W' });
  const cTf = h('input', { type: 'text', inputmode: 'decimal', 'data-testid': 'hw-custom-tflops', 'aria-label': 'peak TFLOPS', placeholder: 'TFLOPS' });
  if (custom) {
    cName.value = custom.name;
    cTdp.value = String(custom.tdp);
    cTf.value = String(custom.tflops);
  } else if (linked) {
    msg.textContent = `The link's device '${linked}' is ignored: a device is NAME:tdp=W,tflops=T, both figures above 0.`;
  }
  const names = () => [...chosen, ...(custom ? [custom.name] : [])];
  const spec = () => (custom ? `${custom.name}:tdp=${custom.tdp},tflops=${custom.tflops}` : null);
  const argv = () => hardwareArgv(id, { names: names(), spec: spec(), zone: zoneArg(), pue: pue() });
  const cli = cliButton(argv);
  const run = h('button', { type: 'button', 'data-testid': 'hw-compare', onclick: () => compare() }, 'Compare');
  const addCustom = h('button', { type: 'button', 'data-testid': 'hw-custom-add', onclick: () => {
    const name = cName.value.trim();
    const tdp = parseTerm(cTdp.value);
    const tflops = parseTerm(cTf.value);
    if (!NAME.test(name) || !(tdp > 0) || !(tflops > 0)) {
      msg.textContent = 'A device needs a name (letters, digits, space . _ + -), a TDP in W and peak TFLOPS, both above 0.';
      return;
    }
    msg.textContent = '';
    custom = { name, tdp, tflops };
    compare();
  } }, 'Use these figures');

  const el = h('section', { class: 'section', 'data-testid': 'whatif-hardware' },
    h('h3', {}, 'Alternative hardware'),
    h('p', { class: 'note' }, 'The run\u2019s GPU energy rescaled to other accelerators: \u00d7 (TDP of the other / TDP of the measured) \u00d7 (peak TFLOPS of the measured / of the other) (docs/methodology.md, \u201cOther hardware\u201d). Tick devices of the table, or type one\u2019s figures.'),
    list,
    h('div', { class: 'hw-custom' }, h('span', {}, 'Your device:'), h('label', {}, 'name ', cName),
      h('label', {}, 'TDP ', cTdp, ' W'), h('label', {}, 'peak ', cTf, ' TFLOPS'), addCustom),
    h('div', { class: 'controls' }, run, ' ', cli), msg, out);

  async function loadTable() {
    try {
      const rows = await getJSON('/api/hardware');
      list.replaceChildren(table(['', 'Device', { label: 'TDP', num: true }, { label: 'peak TFLOPS (tensor / fp16 / fp32)', num: true }, 'Year', 'Source'],
        rows.map((r) => {
          const n = hwName(r);
          const box = h('input', { type: 'checkbox', 'data-hw': n, 'aria-label': n, checked: chosen.has(n) });
          box.addEventListener('change', () => {
            if (box.checked) chosen.add(n); else chosen.delete(n);
            cli.refresh();
          });
          return h('tr', {}, h('td', {}, box), h('td', {}, r.name, h('span', { class: 'muted' }, ` (${n})`)),
            h('td', { class: 'num' }, `${fmt(r.tdp_w, 4)} W`),
            h('td', { class: 'num' }, [r.tensor_tflops, r.fp16_tflops, r.fp32_tflops].map((x) => fmt(x, 4)).join(' / ')),
            h('td', {}, r.year ?? '—'), h('td', { class: 'detail' }, `${r.source || ''} (${r.licence || ''})`));
        })));
    } catch (e) {
      list.replaceChildren(h('p', { class: 'error' }, `No GPU table: ${e.message}`));
    }
  }

  async function compare() {
    const n = names();
    cli.refresh();
    if (!n.length) { msg.textContent = 'Tick at least one device (or type one\u2019s figures).'; return; }
    ctx.setParams?.({ hw: [...chosen].join(',') || null, spec: spec() });
    const mine = ++seq;
    try {
      const a = await getJSON(runPath(id, '/whatif'), { hardware: n.join(','), specs: spec(), zones: zoneArg(), pue: pue() });
      if (mine !== seq) return;
      msg.textContent = '';
      const zl = a.zones.map((z) => z.label);
      out.replaceChildren(
        h('p', { class: 'note' }, `GPU energy measured: ${energy(a.gpu_energy_j, 5)} of ${energy(a.energy_j, 5)} IT energy; PUE ${fmt(a.pue, 4)}.`),
        table(['Hardware', { label: 'TDP', num: true }, { label: 'energy ×', num: true }, { label: 'IT energy', num: true },
          ...zl.map((l) => ({ label: `carbon, ${l}`, num: true })), 'Source'],
        [h('tr', { class: 'own', 'data-hw': 'measured', 'data-carbon': String(a.carbon_g[0]) },
          h('td', {}, `measured: ${a.measured.map((m) => `${m.hardware} (${m.devices})`).join('; ')}`),
          h('td', { class: 'num' }, a.measured.map((m) => `${fmt(m.tdp_w, 4)} W`).join(', ')),
          h('td', { class: 'num' }, '1'), h('td', { class: 'num' }, energy(a.energy_j, 5)),
          a.carbon_g.map((c) => h('td', { class: 'num' }, carbon(c, 4))),
          h('td', { class: 'detail' }, a.measured.map((m) => m.source).join('; '))),
        ...a.alternatives.map((x) => h('tr', { 'data-hw': x.query, 'data-carbon': String(x.carbon_g[x.carbon_g.length - 1]),
          'data-energy': String(x.energy_j) },
          h('td', {}, x.hardware), h('td', { class: 'num' }, `${fmt(x.tdp_w, 4)} W`),
          h('td', { class: 'num' }, x.ratios.map((r) => fmt(r.energy_ratio, 4)).join(', ')),
          h('td', { class: 'num' }, energy(x.energy_j, 5)),
          x.carbon_g.map((c) => h('td', { class: 'num' }, carbon(c, 4))),
          h('td', { class: 'detail' }, x.source)))],
        { 'data-testid': 'hw-result-table' }));
      shown = true;
      hook('whatif').set({ hardware: a, hardware_cli: cli.refresh() });
    } catch (e) {
      if (mine === seq) { msg.textContent = e.message; out.replaceChildren(); }
    }
  }

  loadTable().then(() => { if (chosen.size || custom) compare(); });
  return {
    el,
    /** The zone, signal, year or PUE changed: the comparison shown is asked again. */
    refresh() { cli.refresh(); if (shown) compare(); },
    unmount() { seq++; },
  };
}
