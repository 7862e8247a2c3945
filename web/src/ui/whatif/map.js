// The region map: the world's countries (Natural Earth 1:110m through world-atlas) and the
// US states (us-atlas, 1:10m) as SVG, each shape a zone coloured by its intensity; shapes
// carry data-zone="FR" (tests click them). The geometry is bundled into app.js (JSON
// imports), so the page loads nothing from outside.
import { geoNaturalEarth1, geoAlbersUsa, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';
import usStates from 'us-atlas/states-10m.json';
import isoCodes from 'i18n-iso-countries/codes.json';
import { h, fmt } from '../../format.js';
import { numericIndex, countryCode, stateCode } from './codes.js';
import { colourOf, legendStops, UNIT } from './scale.js';

const SVG = 'http://www.w3.org/2000/svg';
const svgEl = (tag, attrs = {}) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  return el;
};

let shapes = null; // computed once: [{code, name, d}] per map
function geometry() {
  if (shapes) return shapes;
  const index = numericIndex(isoCodes);
  const countries = feature(world, world.objects.countries).features
    .filter((f) => f.properties?.name !== 'Antarctica');
  const wp = geoPath(geoNaturalEarth1().fitExtent([[4, 4], [956, 496]], { type: 'FeatureCollection', features: countries }));
  const states = feature(usStates, usStates.objects.states).features;
  const up = geoPath(geoAlbersUsa().fitExtent([[4, 4], [596, 366]], { type: 'FeatureCollection', features: states }));
  shapes = {
    world: countries.map((f) => ({ code: countryCode(f, index), name: f.properties?.name || '', d: wp(f) }))
      .filter((s) => s.d),
    us: states.map((f) => ({ code: stateCode(f), name: f.properties?.name || '', d: up(f) }))
      .filter((s) => s.d), // geoAlbersUsa draws the states, DC, Alaska and Hawaii only
  };
  return shapes;
}

/** Every zone code that has a shape (the picker says which ones have none). */
export function shapeCodes() {
  const g = geometry();
  return new Set([...g.world, ...g.us].map((s) => s.code).filter(Boolean));
}

/**
 * A map: {el, paint(figureOf), select(code)}. figureOf(code) -> {g, label} or null;
 * onPick(code) when a zone is clicked (or chosen with Enter on a focused shape).
 */
export function makeMap(kind, title, onPick) {
  const g = geometry()[kind];
  const [w, hgt] = kind === 'world' ? [960, 500] : [600, 370];
  const svg = svgEl('svg', { viewBox: `0 0 ${w} ${hgt}`, class: `zone-map zone-map-${kind}`,
    role: 'group', 'aria-label': title, 'data-testid': `map-${kind}` });
  const paths = [];
  for (const s of g) {
    const p = svgEl('path', { d: s.d, class: s.code ? 'zone' : 'zone zone-none',
      'data-zone': s.code, 'data-name': s.name, tabindex: s.code ? '0' : null,
      role: s.code ? 'button' : null });
    const tip = svgEl('title');
    tip.textContent = s.name;
    p.append(tip);
    if (s.code) {
      p.addEventListener('click', () => onPick(s.code));
      p.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(s.code); } });
    }
    svg.append(p);
    paths.push({ s, p, tip });
  }
  const el = h('figure', { class: `map-figure map-${kind}` }, h('figcaption', {}, title));
  el.append(svg);
  return {
    el,
    paint(figureOf) {
      for (const { s, p, tip } of paths) {
        const f = s.code ? figureOf(s.code) : null;
        p.setAttribute('fill', colourOf(f ? f.g : null));
        p.dataset.g = f && typeof f.g === 'number' ? String(f.g) : '';
        tip.textContent = `${s.name}${s.code ? ` (${s.code})` : ''}: ${f && typeof f.g === 'number'
          ? `${fmt(f.g, 4)} ${UNIT}${f.label ? `, ${f.label}` : ''}` : 'no figure'}`;
      }
    },
    select(code) {
      for (const { s, p } of paths) p.classList.toggle('selected', !!code && s.code === code);
      // the selected shape drawn last, so that its outline is not hidden by neighbours
      const sel = paths.find((x) => x.s.code === code);
      if (sel) svg.append(sel.p);
    },
  };
}

/** The legend: one swatch per bin, the unit, and what grey means. */
export function legend(note) {
  return h('div', { class: 'map-legend', 'data-testid': 'map-legend' },
    h('span', { class: 'legend-unit' }, `Carbon intensity [${UNIT}]: `),
    legendStops().map((s) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = s.colour;
      return h('span', { class: 'legend-stop' }, sw, s.label);
    }),
    note ? h('span', { class: 'legend-note muted' }, note) : null);
}
