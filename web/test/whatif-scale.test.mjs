// The what-if map's colour scale and code mapping (web/src/ui/whatif/scale.js, codes.js),
// without a browser: node --test (meson's unit suite: web-whatif-scale).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { binOf, colourOf, legendStops, NO_DATA, COLOURS, BREAKS } from '../src/ui/whatif/scale.js';
import { numericIndex, countryCode, stateCode, zoneIndex, rowFor, zoneArg } from '../src/ui/whatif/codes.js';

const json = (p) => JSON.parse(readFileSync(new URL(p, import.meta.url), 'utf8'));

test('a figure falls in the bin of its lower bound; none is grey', () => {
  assert.equal(binOf(0), 0);
  assert.equal(binOf(49.99), 0);
  assert.equal(binOf(50), 1);
  assert.equal(binOf(44.18), 0);
  assert.equal(binOf(418), 5);
  assert.equal(binOf(5000), BREAKS.length - 1);
  for (const x of [null, undefined, NaN, -1, '300', Infinity]) {
    assert.equal(binOf(x), -1, String(x));
    assert.equal(colourOf(x), NO_DATA);
  }
  assert.equal(colourOf(418), COLOURS[5]);
});

test('the legend has one entry per bin and one for no figure', () => {
  const stops = legendStops();
  assert.equal(stops.length, BREAKS.length + 1);
  assert.equal(stops[0].label, '0–50');
  assert.equal(stops[BREAKS.length - 1].label, '≥ 800');
  assert.equal(stops.at(-1).colour, NO_DATA);
  assert.equal(new Set(stops.map((s) => s.colour)).size, stops.length);
});

test('every world-atlas country with an ISO id maps to an alpha-2 code', () => {
  const index = numericIndex(json('../node_modules/i18n-iso-countries/codes.json'));
  const world = json('../node_modules/world-atlas/countries-110m.json');
  const geoms = world.objects.countries.geometries;
  const byName = Object.fromEntries(geoms.map((g) => [g.properties.name, countryCode(g, index)]));
  assert.equal(byName.France, 'FR');
  assert.equal(byName['United States of America'], 'US');
  assert.equal(byName.Germany, 'DE');
  assert.equal(byName.Kosovo, 'XK');
  assert.equal(byName.Somaliland, null);
  const mapped = geoms.filter((g) => countryCode(g, index));
  assert.equal(mapped.length, geoms.length - 2); // N. Cyprus and Somaliland have no zone
  assert.ok(mapped.every((g) => /^[A-Z]{2}$/.test(countryCode(g, index))));
});

test('us-atlas states map to US-XX and territories to their own codes', () => {
  const us = json('../node_modules/us-atlas/states-10m.json');
  const codes = us.objects.states.geometries.map(stateCode);
  assert.ok(codes.every((c) => c), 'a state without a code');
  assert.equal(new Set(codes).size, codes.length);
  assert.ok(codes.includes('US-CA') && codes.includes('US-DC') && codes.includes('PR'));
  assert.equal(stateCode({ id: '06' }), 'US-CA');
  assert.equal(stateCode({ id: '99' }), null);
});

test('a marginal sub-national zone is priced with its country, as whatif does', () => {
  const index = zoneIndex([{ code: 'US', g_per_kwh: 416 }, { code: 'FR', g_per_kwh: 44 }]);
  assert.deepEqual(rowFor('US-CA', index, 'marginal'), { row: index.get('US'), used: 'US' });
  assert.deepEqual(rowFor('US-CA', index, 'average'), { row: null, used: null });
  assert.equal(rowFor('FR', index).used, 'FR');
  assert.equal(zoneArg('FR'), 'FR');
  assert.equal(zoneArg('FR', { year: 2010 }), 'FR@2010');
  assert.equal(zoneArg('FR', { signal: 'marginal', year: 2010 }), 'FR@marginal');
  assert.equal(zoneArg(null), null);
});
