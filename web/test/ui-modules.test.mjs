// The UI's pure modules (web/src/ui/: permalinks, CLI commands, the runs query, the compare
// cells, the live buffer, profile epochs), without a browser: node --test (meson's unit
// suite runs it as web-ui).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, makeHash, params, setParams, onParams, path } from '../src/ui/state.js';
import { cliCommand, shellQuote } from '../src/ui/cli.js';
import { url } from '../src/ui/api.js';
import { apiParams, selection, toggle, offsetOf, filterProblem, PAGE } from '../src/ui/runsquery.js';
import { columns, cellText, cellValue, cellCount, ratioText, compareArgv } from '../src/ui/comparefmt.js';
import { createBuffer, addSamples, addPhase, sortPhases, liveWindow, streamError } from '../src/ui/livebuf.js';
import { epochRows } from '../src/ui/profilecmp.js';
import { byName, roundWindow } from '../src/ui/zoom.js';
import { route } from '../src/ui/route.js';
import { contentType } from '../src/ui/profiles.js';

test('a permalink is a path and a query, and makes the same hash again', () => {
  const { path, query } = parseHash('#/run/20261207-083158-a90897?tab=whatif&zone=FR&pue=1.2');
  assert.equal(path, '/run/20261207-083158-a90897');
  assert.deepEqual(Object.fromEntries(query), { tab: 'whatif', zone: 'FR', pue: '1.2' });
  assert.equal(makeHash(path, Object.fromEntries(query)), '#/run/20261207-083158-a90897?tab=whatif&zone=FR&pue=1.2');
  assert.equal(parseHash('').path, '/runs');
  assert.equal(parseHash('#').path, '/runs');
  assert.equal(makeHash('/runs', { q: '', tag: null, host: undefined }), '#/runs');
  // a tag's '=' and a space survive the round trip
  const h = makeHash('/runs', { tag: 'batch=64', q: 'my run' });
  assert.deepEqual(Object.fromEntries(parseHash(h).query), { tag: 'batch=64', q: 'my run' });
  assert.equal(makeHash('/compare', { runs: ['a', 'b'] }), '#/compare?runs=a%2Cb');
});

test('routes: the four views, an unknown path is none', () => {
  assert.deepEqual(route('/runs'), { view: 'runs' });
  assert.deepEqual(route('/'), { view: 'runs' });
  assert.deepEqual(route('/run/abc-1'), { view: 'run', id: 'abc-1' });
  assert.deepEqual(route('/compare'), { view: 'compare' });
  assert.deepEqual(route('/profiles'), { view: 'profiles' });
  assert.equal(route('/run'), null);
  assert.equal(route('/nothing'), null);
  assert.equal(route('/run/%E0%A4%A'), null); // a broken escape
});

test('a CLI command is shell-quoted and starts with aimeter', () => {
  assert.equal(cliCommand(['whatif', '20261207-083158-a90897', '--zones', 'FR', '--pue', '1.2']),
    'aimeter whatif 20261207-083158-a90897 --zones FR --pue 1.2');
  assert.equal(cliCommand(['aimeter', 'compare', 'a', 'b']), 'aimeter compare a b');
  assert.equal(cliCommand(['compare', 'a', null, undefined, false, 'b']), 'aimeter compare a b');
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote('$(rm -rf /)'), "'$(rm -rf /)'");
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('CA-SK@marginal,FR@2020'), 'CA-SK@marginal,FR@2020');
});

test('api urls leave out empty parameters and join lists', () => {
  assert.equal(url('/api/runs', { q: 'train', tag: '', host: null, limit: 5 }), '/api/runs?q=train&limit=5');
  assert.equal(url('/api/compare', { runs: ['a', 'b'] }), '/api/compare?runs=a%2Cb');
  assert.equal(url('/api/runs'), '/api/runs');
  assert.equal(url('/api/runs', { tag: 'batch=64' }), '/api/runs?tag=batch%3D64');
});

test('the runs query: filters trimmed, a page and one more, the selection', () => {
  assert.deepEqual(apiParams({ q: ' train ', tag: 'batch=64', host: '', offset: '100', sel: 'a' }),
    { q: 'train', tag: 'batch=64', offset: 100, limit: PAGE + 1 });
  assert.deepEqual(apiParams({}), { limit: PAGE + 1 });
  assert.equal(offsetOf({ offset: '-3' }), 0);
  assert.equal(offsetOf({ offset: 'x' }), 0);
  assert.equal(offsetOf({ offset: '2.5' }), 0);
  assert.deepEqual(selection({ sel: 'a, b,,a' }), ['a', 'b']);
  assert.deepEqual(selection({}), []);
  assert.deepEqual(toggle(['a', 'b'], 'a'), ['b']);
  assert.deepEqual(toggle(['a'], 'c'), ['a', 'c']);
  // a tag being typed is not sent (the server would answer 400)
  assert.match(filterProblem({ tag: 'batch' }), /KEY=VALUE/);
  assert.equal(filterProblem({ tag: 'batch=' }), null);
  assert.equal(filterProblem({ tag: 'batch=64' }), null);
  assert.equal(filterProblem({}), null);
  assert.match(filterProblem({ tag: '=64' }), /KEY=VALUE/);
});

const RUNS = {
  schema: 'aimeter.compare/1', baseline: 'r1', by: null, baseline_column: 0, stddev: null,
  runs: [{ column: 'A', id: 'r1', name: 'train' }, { column: 'B', id: 'r2', name: 'infer' }],
  rows: [{ key: 'energy', label: 'Energy, total', unit: 'J', better: 'lower', values: [200, 100],
    ratios: [1, 0.5], best: 1 }, { key: 'record.loss', label: 'loss', unit: '', better: null,
    values: [null, 2], ratios: [null, null], best: null }],
};
const GROUPS = {
  schema: 'aimeter.compare/1', baseline: 'r1', by: 'batch', baseline_column: 0, stddev: 'sample (n - 1)',
  groups: [{ label: 'batch=32', value: '32', n: 3, baseline: true, runs: ['r1', 'r2', 'r3'] },
    { label: 'batch=64', value: '64', n: 1, baseline: false, runs: ['r4'] }],
  rows: [{ key: 'time', label: 'Time', unit: 's', better: 'lower',
    mean: [61.2, 33.9], stddev: [0.41, null], n: [2, 1], ratios: [1, 0.554], best: 1 }],
};

test('compare cells: values, ratios, best; groups as mean ± sd with [n=k]', () => {
  assert.deepEqual(columns(RUNS).map((c) => [c.label, c.sub, c.baseline]), [['A train', 'r1', true], ['B infer', 'r2', false]]);
  const [e, loss] = RUNS.rows;
  assert.equal(cellText(e, 0), '200');
  assert.equal(cellValue(e, 1), 100);
  assert.equal(ratioText(RUNS, e, 0), '');
  assert.equal(ratioText(RUNS, e, 1), '×0.5');
  assert.equal(cellText(loss, 0), '—');
  assert.equal(cellValue(loss, 0), null);
  assert.equal(ratioText(RUNS, loss, 1), '');
  assert.deepEqual(columns(GROUPS).map((c) => [c.label, c.sub]), [['batch=32', 'n=3'], ['batch=64', 'n=1']]);
  const [t] = GROUPS.rows;
  assert.equal(cellText(t, 0), '61.2 ± 0.41');
  assert.equal(cellText(t, 1), '33.9'); // a group of one: no spread
  assert.equal(cellValue(t, 0), 61.2);
  assert.equal(cellCount(t, 0, GROUPS.groups[0]), '[n=2]');
  assert.equal(cellCount(t, 1, GROUPS.groups[1]), '');
  assert.equal(ratioText(GROUPS, t, 1), '×0.554');
  assert.deepEqual(compareArgv({ runs: 'a,b', by: 'batch' }), ['compare', 'a', 'b', null, null, '--by', 'batch']);
  assert.equal(cliCommand(compareArgv({ runs: 'a,b', baseline: 'b' })), 'aimeter compare a b --baseline b');
});

test('the live buffer appends only new points, trims to the window, follows phases', () => {
  const buf = createBuffer([{ name: 'warmup', depth: 0, t0: 0, t1: 5, closed: true }]);
  let fresh = addSamples(buf, { from_s: 0, to_s: 2, series: [{ name: 'gpu0.power', unit: 'W', t: [1, 2], v: [10, 20] }] });
  assert.deepEqual(fresh, ['gpu0.power']);
  // a reconnect sends t=2 again: kept once; a non-number value is a gap
  fresh = addSamples(buf, { from_s: 2, to_s: 4, series: [{ name: 'gpu0.power', unit: 'W', t: [2, 3, 4], v: [20, 'x', 40] }] });
  assert.deepEqual(fresh, []);
  const s = buf.series.get('gpu0.power');
  assert.deepEqual(s.t, [1, 2, 3, 4]);
  assert.deepEqual(s.v, [10, 20, null, 40]);
  assert.equal(buf.lastT, 4);
  assert.deepEqual(liveWindow(buf), [1, 4]);
  addSamples(buf, { series: [{ name: 'gpu0.power', t: [100], v: [1] }] }, 50);
  assert.deepEqual(s.t, [100]); // older than 50 s before the newest: dropped
  assert.deepEqual(liveWindow(buf), [100, 101]);
  const p = addPhase(buf, { name: 'epoch 1', start_s: 6, end_s: null });
  assert.equal(p.closed, false);
  assert.equal(buf.phases.length, 2);
  addPhase(buf, { name: 'epoch 1', start_s: 6, end_s: 9 });
  assert.equal(buf.phases.length, 2);
  assert.deepEqual([buf.phases[1].t1, buf.phases[1].closed], [9, true]);
  assert.equal(addPhase(buf, { name: 'x' }), null);
  assert.deepEqual(liveWindow(createBuffer()), [0, 1]);
});

test('live phases: found by name and start in a Map, sorted once per redraw, a resumed stream adds none twice', () => {
  const buf = createBuffer([{ name: 'step', depth: 1, t0: 2, t1: 3, closed: true }, { name: 'epoch 1', depth: 0, t0: 1, closed: false }]);
  assert.deepEqual(buf.phases.map((p) => p.t0), [1, 2]); // the seed is sorted
  const held = buf.phases;
  // 20,000 steps, each begun then ended: one Map entry per instance, no sort per event
  for (let i = 0; i < 20000; i++) {
    addPhase(buf, { name: 'step', start_s: 10 + i, end_s: null });
    addPhase(buf, { name: 'step', start_s: 10 + i, end_s: 10.5 + i });
  }
  assert.equal(buf.phases.length, 20002);
  assert.equal(buf.phaseIndex.size, 20002);
  assert.equal(buf.phasesSorted, true); // they came in order: nothing to sort
  // a resumed stream sends the open epoch again (start as the report rounds it) and an
  // instance that began before the last one seen: found, or appended and sorted lazily
  const v = buf.phaseVersion;
  addPhase(buf, { name: 'epoch 1', start_s: 1.0000001, end_s: null });
  assert.equal(buf.phases.length, 20002);
  assert.equal(buf.phaseVersion, v); // nothing changed: the list is not redrawn
  addPhase(buf, { name: 'eval', start_s: 5, end_s: 6 });
  assert.equal(buf.phases[buf.phases.length - 1].name, 'eval'); // appended, not sorted yet
  assert.equal(buf.phasesSorted, false);
  addPhase(buf, { name: 'epoch 1', start_s: 1, end_s: 20010 });
  assert.equal(sortPhases(buf), held); // the same array (the charts hold it), sorted in place
  assert.deepEqual(held.slice(0, 4).map((p) => [p.name, p.t0]), [['epoch 1', 1], ['step', 2], ['eval', 5], ['step', 10]]);
  assert.deepEqual([held[0].t1, held[0].closed], [20010, true]);
  // the same name at another start is another instance
  addPhase(buf, { name: 'step', start_s: 10.5, end_s: null });
  assert.equal(buf.phases.length, 20004);
});

test("the server's event: error is told apart from the browser's own error event", () => {
  assert.equal(streamError({ type: 'error' }), null); // a stream that ended: EventSource reconnects
  assert.equal(streamError({ type: 'error', data: '{"error":"database is locked"}' }), 'database is locked');
  assert.equal(streamError({ type: 'error', data: 'not json' }), 'not json');
  assert.equal(streamError({ type: 'error', data: '{}' }), '{}');
  assert.equal(streamError(null), null);
});

test('profile epochs side by side: every index of either, ratio of the second to the first', () => {
  const rows = epochRows({ epochs: [{ index: 1, energy_j: 100 }, { index: 2, energy_j: 0 }] },
    { epochs: [{ index: 2, energy_j: 50 }, { index: 1, energy_j: 150 }, { index: 3, energy_j: 7 }] });
  assert.deepEqual(rows, [{ index: 1, a: 100, b: 150, ratio: 1.5 }, { index: 2, a: 0, b: 50, ratio: null },
    { index: 3, a: null, b: 7, ratio: null }]);
  assert.deepEqual(epochRows({}, { epochs: 'no' }), []);
});

test('a zoomed series answer by name; the window rounded to 1 ms, never empty', () => {
  const m = byName({ series: [{ name: 'a', t: [1, 2, 3], v: [4, 5] }] });
  assert.deepEqual(m.get('a'), { t: [1, 2], v: [4, 5] });
  assert.deepEqual(roundWindow(1.23456, 2.0004), [1.235, 2]);
  assert.deepEqual(roundWindow(1, 1), [1, 1.001]);
});

test('setParams rewrites the query of the current view and tells the listeners', () => {
  // a location and a history as the browser's: pushState/replaceState change the hash
  // without a hashchange event (the router does not mount the view again)
  const entries = ['#/run/R1?tab=whatif&zone=FR'];
  globalThis.location = { get hash() { return entries[entries.length - 1]; } };
  globalThis.history = {
    replaceState(s, t, h) { entries[entries.length - 1] = h; },
    pushState(s, t, h) { entries.push(h); },
  };
  try {
    const seen = [];
    const off = onParams((p) => seen.push(p));
    setParams({ pue: 1.2, zone: null });
    assert.equal(location.hash, '#/run/R1?tab=whatif&pue=1.2');
    assert.equal(entries.length, 1);
    assert.equal(path(), '/run/R1');
    setParams({ tab: 'live' }, { replace: false });
    assert.equal(entries.length, 2);
    assert.deepEqual(params(), { tab: 'live', pue: '1.2' });
    setParams({ tab: 'live' }); // no change: nobody is told
    assert.deepEqual(seen, [{ tab: 'whatif', pue: '1.2' }, { tab: 'live', pue: '1.2' }]);
    off();
    setParams({ pue: 2 });
    assert.equal(seen.length, 2);
  } finally {
    delete globalThis.location;
    delete globalThis.history;
  }
});

test('an imported file is sent as JSON or CSV by its name, else by its first character', () => {
  assert.equal(contentType('epochs.csv', '{'), 'text/csv');
  assert.equal(contentType('p.JSON', 'epoch,energy_j'), 'application/json');
  assert.equal(contentType('profile', '  {"schema": 1}'), 'application/json');
  assert.equal(contentType('data.txt', 'epoch,energy_j\n1,2\n'), 'text/csv');
});
