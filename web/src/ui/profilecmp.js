// Two profiles' epochs side by side (no DOM: node tests it): one row per epoch index either
// has, in order, with the second's energy as a ratio of the first's.
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

export function epochRows(a, b) {
  const by = (p) => new Map((Array.isArray(p?.epochs) ? p.epochs : [])
    .filter((e) => e && Number.isInteger(e.index)).map((e) => [e.index, e]));
  const ea = by(a);
  const eb = by(b);
  const idx = [...new Set([...ea.keys(), ...eb.keys()])].sort((x, y) => x - y);
  return idx.map((index) => {
    const x = ea.get(index)?.energy_j;
    const y = eb.get(index)?.energy_j;
    const va = isNum(x) ? x : null;
    const vb = isNum(y) ? y : null;
    return { index, a: va, b: vb, ratio: va !== null && vb !== null && va > 0 ? vb / va : null };
  });
}
