// Okabe & Ito's colour-blind-safe palette, as the PNG plots use (report/plot_render.c), in
// the order of the series; black (#000) is left for the axes, so eight series cycle over seven.
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9',
  '#F0E442'];
// dashes added to the second and later turns of the cycle so that series 1 and 8 differ
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

export function colour(i) { return OKABE_ITO[i % OKABE_ITO.length]; }
export function dash(i) { return DASHES[Math.floor(i / OKABE_ITO.length) % DASHES.length]; }

// phases' shading: alternating light tints of grey-blue, readable under every line colour
export const PHASE_FILL = ['rgba(0, 114, 178, 0.07)', 'rgba(0, 0, 0, 0.045)'];
export const MARK = '#444';

/** A diverging scale for r in [-1, 1]: vermillion (-1), white (0), blue (+1). */
export function diverging(r) {
  if (typeof r !== 'number' || !Number.isFinite(r)) return '#e8e8e8';
  const t = Math.max(-1, Math.min(1, r));
  const [to, a] = t >= 0 ? [[0, 114, 178], t] : [[213, 94, 0], -t];
  const c = (i) => Math.round(255 + (to[i] - 255) * a);
  return `rgb(${c(0)}, ${c(1)}, ${c(2)})`;
}
