// The data half of the front end, without a browser: node --test web/test/
// (meson's unit suite runs it as web-data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalise, loadUrl, SCHEMA } from '../src/data.js';

const minimal = { schema: SCHEMA };

test('a minimal document gets every part, empty', () => {
  const d = normalise(minimal);
  assert.deepEqual(d.report, {});
  assert.deepEqual(d.timeline.series, []);
  assert.deepEqual(d.timeline.phases, []);
  assert.deepEqual(d.timeline.marks, []);
  assert.deepEqual(d.timeline.energy, { t: [], kwh: [], g: [] });
  assert.equal(d.correlation, null);
  assert.equal(d.whatif, null);
  assert.deepEqual([d.timeline.x0, d.timeline.x1], [0, 1]); // an axis even for nothing
});

test('another schema is refused, naming it', () => {
  assert.throws(() => normalise({ schema: 'aimeter.html/2' }), /unknown report data schema: aimeter.html\/2/);
  assert.throws(() => normalise(null), /not a JSON object/);
});

test('a series keeps its gaps and loses what is not a number', () => {
  const d = normalise({ ...minimal, timeline: { x0: 0, x1: 2, series: [
    { name: 'gpu0.power', unit: 'W', category: 'Energy', t: [0, 1, 2], v: [1.5, null, 'x'] },
    { name: 'broken', t: [0, 1, 2], v: [1] },
  ] } });
  const [a, b] = d.timeline.series;
  assert.deepEqual(a.v, [1.5, null, null]);
  assert.equal(a.device, 'gpu0');
  assert.deepEqual([b.t, b.v], [[0], [1]]); // t and v cut to the shorter
  assert.equal(b.category, 'Other');
});

test('the window falls back on the run duration, and a null correlation or what-if stays null', () => {
  const d = normalise({ ...minimal, report: { run: { duration_s: 12 } },
    timeline: { x0: null }, correlation: { names: [], r: [] }, whatif: { zones: [] } });
  assert.deepEqual([d.timeline.x0, d.timeline.x1], [0, 12]);
  assert.equal(d.correlation, null);
  assert.equal(d.whatif, null);
});

test('loadUrl reads the same object through fetch and reports an HTTP error', async () => {
  const ok = async () => ({ ok: true, json: async () => ({ ...minimal, whatif: { energy_kwh: 1, zones: [{ zone: 'FR' }] } }) });
  const d = await loadUrl('/api/runs/x/html-data', ok);
  assert.equal(d.whatif.zones[0].zone, 'FR');
  const notFound = async () => ({ ok: false, status: 404 });
  await assert.rejects(loadUrl('/nope', notFound), /\/nope: HTTP 404/);
});
