// Numbers, units and DOM helpers shared by the drawing modules.

/** An element: h('td', {class: 'num'}, '12 W'); children are nodes or text (never HTML). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    // through the CSSOM: a style="" attribute is inline style, which a strict CSP refuses
    // (aimeter serve's page); the property is not
    else if (k === 'style') el.style.cssText = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** x with about `digits` significant digits, grouped, no exponent below 1e-6 or up to 1e12. */
export function fmt(x, digits = 4) {
  if (!isNum(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e12 || a < 1e-6) return x.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return x.toLocaleString('en-US', {
    maximumFractionDigits: Math.min(decimals, 12),
    minimumFractionDigits: 0,
  });
}

/** A value with its unit ("12.5 W", "45 %", "3 processes" -> "3"). */
export function withUnit(x, unit, digits = 4) {
  if (!isNum(x)) return '—';
  return unit ? `${fmt(x, digits)} ${unit}` : fmt(x, digits);
}

const scaled = (x, steps, digits) => {
  if (!isNum(x)) return '—';
  let [div, unit] = steps[0];
  for (const s of steps) if (Math.abs(x) >= s[0]) [div, unit] = s;
  return `${fmt(x / div, digits)} ${unit}`;
};

export const energy = (j, d = 4) =>
  scaled(j, [[1e-3, 'mJ'], [1, 'J'], [1e3, 'kJ'], [1e6, 'MJ'], [1e9, 'GJ']], d);
export const kwh = (k, d = 4) =>
  scaled(k, [[1e-6, 'mWh'], [1e-3, 'Wh'], [1, 'kWh'], [1e3, 'MWh']], d);
export const carbon = (g, d = 4) =>
  scaled(g, [[1e-3, 'mg CO₂e'], [1, 'g CO₂e'], [1e3, 'kg CO₂e'], [1e6, 't CO₂e']], d);
export const power = (w, d = 4) => scaled(w, [[1e-3, 'mW'], [1, 'W'], [1e3, 'kW'], [1e6, 'MW']], d);

/** 0.27 s, 12.3 s, 4 min 05 s, 2 h 03 min. The total is rounded to the unit shown first,
 * then split: 59.97 s is "1 min 00 s" and 119.6 s "2 min 00 s", never "60 s" or "1 min 60 s". */
export function duration(s) {
  if (!isNum(s)) return '—';
  if (Number(s.toPrecision(3)) < 60) return `${fmt(s, 3)} s`;
  const secs = Math.round(s);
  if (secs < 3600) {
    const m = Math.floor(secs / 60);
    return `${m} min ${String(secs - m * 60).padStart(2, '0')} s`;
  }
  const mins = Math.round(s / 60);
  const hh = Math.floor(mins / 60);
  return `${hh} h ${String(mins - hh * 60).padStart(2, '0')} min`;
}

/** An ISO time as "2026-12-07 08:31:54 UTC". */
export function utc(iso) {
  if (typeof iso !== 'string') return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

export function section(id, title, ...children) {
  return h('section', { class: 'section', id, 'data-testid': id },
    h('h2', {}, title), ...children);
}

export function table(head, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      h('thead', {}, h('tr', {}, head.map((c) =>
        h('th', { class: c.num ? 'num' : null, title: c.title }, c.label ?? c)))),
      h('tbody', {}, rows)));
}
