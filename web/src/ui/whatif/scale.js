// The map's colour scale: carbon intensity (g CO2e/kWh) in fixed bins, so that a colour
// means the same figure on every run, signal and year (a scale stretched to the data shown
// would paint a clean year's 300 g/kWh like a dirty year's 800). Light green (clean) to dark
// red-brown (coal); a zone without a figure is grey. Pure: no DOM (web/test/whatif-scale).

export const NO_DATA = '#d0d0d0';
export const UNIT = 'g CO₂e/kWh';

// lower bound of each bin; the last is open-ended
export const BREAKS = [0, 50, 100, 200, 300, 400, 500, 600, 700, 800];
export const COLOURS = ['#1a9850', '#66bd63', '#a6d96a', '#d9ef8b', '#fee08b', '#fdae61',
  '#f46d43', '#d73027', '#a50026', '#67001f'];

/** The bin of g (index into BREAKS/COLOURS), or -1 for no figure (null, NaN, negative). */
export function binOf(g) {
  if (typeof g !== 'number' || !Number.isFinite(g) || g < 0) return -1;
  let i = 0;
  while (i + 1 < BREAKS.length && g >= BREAKS[i + 1]) i++;
  return i;
}

/** The fill of a zone whose intensity is g. */
export function colourOf(g) {
  const i = binOf(g);
  return i < 0 ? NO_DATA : COLOURS[i];
}

/** The legend's entries: {colour, label} per bin, then the no-data grey. */
export function legendStops() {
  const stops = BREAKS.map((b, i) => ({
    colour: COLOURS[i],
    label: i + 1 < BREAKS.length ? `${b}–${BREAKS[i + 1]}` : `≥ ${b}`,
  }));
  stops.push({ colour: NO_DATA, label: 'no figure' });
  return stops;
}
