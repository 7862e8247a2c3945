// The editable equations (EnergyVis's colour-coded equations), evaluated apart from the DOM
// (web/test/whatif-equation):
//   carbon [g] = energy [kWh] × PUE × intensity [g/kWh]
//   energy     = Σ device groups: count × mean power per device × hours × (utilisation / measured)
// Defaults come from the run: the device groups from its report (energy.devices in the
// total, grouped by kind and model), the energy, PUE and intensity from `aimeter whatif`'s
// answer for the zone chosen. At the defaults the carbon equals that answer's carbon_g: the
// energy term is the replayed energy plus what the edits change (the report's per-device
// energies and the replay may differ by the samples' resolution; that difference is kept as
// is rather than shown as a device's).
// Utilisation is a scaling assumption, said so in the page: a group's energy is taken to be
// proportional to its mean utilisation (the measured power already holds the measured one).

export const J_PER_KWH = 3.6e6;
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** Mean of a metric's avg over the devices named (report.devices[].metrics[]), or null. */
function meanMetric(report, deviceNames, key) {
  const vals = [];
  for (const d of Array.isArray(report?.devices) ? report.devices : []) {
    if (!deviceNames.includes(d.name)) continue;
    const m = (d.metrics || []).find((x) => x.key === key && !x.detail && isNum(x.avg));
    if (m) vals.push(m.avg);
  }
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

/** The device groups of a report (aimeter.report/1): [{key, kind, model, label, devices,
 * count, energy_j, hours, power_w, util, util_key, method, source}]. */
export function deviceGroups(report) {
  const duration = report?.run?.duration_s;
  const hours = isNum(duration) && duration > 0 ? duration / 3600 : null;
  const groups = new Map();
  for (const d of Array.isArray(report?.energy?.devices) ? report.energy.devices : []) {
    if (!d || d.in_total === false || !isNum(d.energy_j)) continue;
    const key = `${d.kind}\u0000${d.model ?? ''}`;
    if (!groups.has(key)) {
      groups.set(key, { key, kind: d.kind, model: d.model ?? null, devices: [], energy_j: 0,
        method: d.method ?? null, source: d.detail ?? null });
    }
    const g = groups.get(key);
    g.devices.push(d.device);
    g.energy_j += d.energy_j;
  }
  return [...groups.values()].map((g) => {
    const count = g.devices.length;
    // a CPU package's utilisation is the host's; a GPU's its own
    const utilKey = g.kind === 'gpu' ? 'gpu.util' : g.kind === 'cpu' ? 'cpu.util' : null;
    const names = g.kind === 'cpu' ? ['host'] : g.devices;
    const util = utilKey ? meanMetric(report, names, utilKey) : null;
    return {
      ...g,
      label: `${g.kind}${g.model ? ` (${g.model})` : ''}`,
      count,
      hours,
      power_w: hours ? g.energy_j / (count * hours * 3600) : null,
      util: isNum(util) && util > 0 ? util : null,
      util_key: isNum(util) && util > 0 ? utilKey : null,
    };
  });
}

/** A group's energy [J] with the terms edited (absent edits: the measured figures). */
export function groupEnergy(g, edit = {}) {
  const count = isNum(edit.count) ? edit.count : g.count;
  const hours = isNum(edit.hours) ? edit.hours : g.hours;
  const power = isNum(edit.power_w) ? edit.power_w : g.power_w;
  if (!isNum(power) || !isNum(hours)) return g.energy_j; // no duration: nothing to scale
  const utilRatio = g.util && isNum(edit.util) ? edit.util / g.util : 1;
  return count * power * hours * 3600 * utilRatio;
}

/**
 * Evaluates both equations.
 * base: {energy_j (the replay's), pue, intensity (g/kWh)}; groups: deviceGroups();
 * edits: {pue, intensity, groups: {key: {count, hours, power_w, util}}}.
 * -> {groups: [{key, energy_j}], devices_j, energy_j, energy_kwh, pue, intensity, carbon_g}
 */
export function evaluate(base, groups, edits = {}) {
  const ge = edits.groups || {};
  const rows = groups.map((g) => ({ key: g.key, energy_j: groupEnergy(g, ge[g.key]) }));
  const measured = groups.reduce((a, g) => a + g.energy_j, 0);
  const edited = rows.reduce((a, r) => a + r.energy_j, 0);
  // the replayed energy, moved by exactly what the edits changed
  const changed = groups.some((g) => ge[g.key] && Object.values(ge[g.key]).some(isNum));
  const energy = changed ? base.energy_j + (edited - measured) : base.energy_j;
  const pue = isNum(edits.pue) ? edits.pue : base.pue;
  const intensity = isNum(edits.intensity) ? edits.intensity : base.intensity;
  const kwh = energy / J_PER_KWH;
  return {
    groups: rows,
    devices_j: edited,
    energy_j: energy,
    energy_kwh: kwh,
    pue,
    intensity,
    carbon_g: isNum(pue) && isNum(intensity) ? kwh * pue * intensity : null,
  };
}

/** A typed number: "1.2", "1,2" (a decimal comma), " 3 " -> number; "", "x", "-1" -> null
 * (no term of these equations is negative). */
export function parseTerm(text) {
  const s = String(text ?? '').trim().replace(',', '.');
  if (!/^\d*\.?\d+(e[+-]?\d+)?$/i.test(s) && !/^\d+\.$/.test(s)) return null;
  const x = Number(s);
  return Number.isFinite(x) && x >= 0 ? x : null;
}

/** The PUE range aimeter accepts (--pue, the server's ?pue=): 1.0 to 5.0. */
export const PUE_MIN = 1;
export const PUE_MAX = 5;

/** A typed or linked PUE: parseTerm's number within PUE_MIN..PUE_MAX, else null (a value the
 * server would refuse is never asked: the browser logs every 400 as a console error). */
export function parsePue(text) {
  const x = parseTerm(text);
  return x !== null && x >= PUE_MIN && x <= PUE_MAX ? x : null;
}

// The equation's edited terms in the permalink (eq=): `intensity:350,g1.count:4,g1.util:80`,
// a device group by its position in deviceGroups() (the report's order, stable for a run).
const EQ_FIELDS = { count: 'count', power: 'power_w', hours: 'hours', util: 'util' };

/** edits ({intensity, groups: {key: {count, power_w, hours, util}}}) -> the eq= text, null
 * when nothing is edited. */
export function editsToParam(groups, edits) {
  const out = [];
  if (isNum(edits?.intensity)) out.push(`intensity:${edits.intensity}`);
  groups.forEach((g, i) => {
    const e = edits?.groups?.[g.key] || {};
    for (const [name, field] of Object.entries(EQ_FIELDS))
      if (isNum(e[field]) && (field !== 'util' || g.util)) out.push(`g${i}.${name}:${e[field]}`);
  });
  return out.length ? out.join(',') : null;
}

/** The eq= text back to edits for these groups: {intensity, groups} with only what it names;
 * a term it cannot take (unknown, out of range, a utilisation the group has not) is left out
 * and counted in `ignored`. */
export function paramToEdits(groups, text) {
  const edits = { intensity: null, groups: {}, ignored: 0 };
  for (const item of String(text ?? '').split(',').filter(Boolean)) {
    const m = /^(intensity|g(\d{1,3})\.(count|power|hours|util)):(.+)$/.exec(item);
    const v = m ? parseTerm(m[4]) : null;
    if (!m || v === null) { edits.ignored++; continue; }
    if (m[1] === 'intensity') { edits.intensity = v; continue; }
    const g = groups[Number(m[2])];
    if (!g || (m[3] === 'util' && !g.util)) { edits.ignored++; continue; }
    (edits.groups[g.key] ||= {})[EQ_FIELDS[m[3]]] = v;
  }
  return edits;
}
