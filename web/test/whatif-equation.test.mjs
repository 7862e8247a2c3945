// The editable equations (web/src/ui/whatif/equation.js) and the extrapolation's columns
// (forecast.js), without a browser: node --test (meson's unit suite: web-whatif-equation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deviceGroups, evaluate, groupEnergy, parseTerm, parsePue, editsToParam, paramToEdits } from '../src/ui/whatif/equation.js';
import { hardwareArgv, parseSpec } from '../src/ui/whatif/hardware.js';
import { cliCommand } from '../src/ui/cli.js';
import { chartColumns, t975, epochsForHours, fitLine, instanceOf, countInstances, defaultTarget } from '../src/ui/whatif/forecast.js';

const close = (a, b, rel = 1e-12) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} != ${b}`);

// a report like the golden store's train run: two GPUs of one model, a CPU, DRAM
const report = {
  run: { duration_s: 1.2 },
  energy: { devices: [
    { device: 'cpu0', kind: 'cpu', model: 'EPYC', energy_j: 3, in_total: true, method: 'estimated', detail: 'cpu model' },
    { device: 'dram0', kind: 'dram', model: null, energy_j: 0.2, in_total: true },
    { device: 'gpu0', kind: 'gpu', model: 'H100', energy_j: 380, in_total: true, method: 'measured', detail: 'nvml' },
    { device: 'gpu1', kind: 'gpu', model: 'H100', energy_j: 120, in_total: true },
    { device: 'gpu2', kind: 'gpu', model: 'H100', energy_j: 99, in_total: false },
  ] },
  devices: [
    { name: 'host', metrics: [{ key: 'cpu.util', avg: 4, detail: false }] },
    { name: 'gpu0', metrics: [{ key: 'gpu.util', avg: 60, detail: false }] },
    { name: 'gpu1', metrics: [{ key: 'gpu.util', avg: 40, detail: false }] },
  ],
};

test('devices in the total are grouped by kind and model with their mean power', () => {
  const g = deviceGroups(report);
  assert.deepEqual(g.map((x) => [x.kind, x.count]), [['cpu', 1], ['dram', 1], ['gpu', 2]]);
  const gpu = g[2];
  assert.equal(gpu.energy_j, 500);
  close(gpu.power_w, 500 / 2 / 1.2);
  assert.equal(gpu.util, 50);
  assert.equal(g[0].util, 4);
  assert.equal(g[1].util, null); // no utilisation for DRAM: the term is not offered
  close(groupEnergy(gpu), 500);
});

test('at the defaults the carbon equals the whatif answer exactly', () => {
  const groups = deviceGroups(report);
  const base = { energy_j: 503.7758, pue: 1, intensity: 418 };
  const r = evaluate(base, groups, {});
  assert.equal(r.energy_j, base.energy_j);
  assert.equal(r.carbon_g, (503.7758 / 3.6e6) * 1 * 418);
});

test('each term moves the result as the equation says', () => {
  const groups = deviceGroups(report);
  const base = { energy_j: 503.2, pue: 1.0, intensity: 418 };
  const r0 = evaluate(base, groups, {});
  close(evaluate(base, groups, { pue: 1.5 }).carbon_g, r0.carbon_g * 1.5);
  close(evaluate(base, groups, { intensity: 41.8 }).carbon_g, r0.carbon_g / 10);
  const gpuKey = groups[2].key;
  // four GPUs instead of two: the GPUs' 500 J twice
  close(evaluate(base, groups, { groups: { [gpuKey]: { count: 4 } } }).energy_j, 503.2 + 500);
  // twice the hours
  close(evaluate(base, groups, { groups: { [gpuKey]: { hours: 2.4 / 3600 } } }).energy_j, 503.2 + 500);
  // utilisation 25 % where 50 % was measured: half the GPUs' energy
  close(evaluate(base, groups, { groups: { [gpuKey]: { util: 25 } } }).energy_j, 503.2 - 250);
  // an empty edit is no edit
  assert.equal(evaluate(base, groups, { groups: { [gpuKey]: { count: null } } }).energy_j, 503.2);
});

test('typed terms: decimal comma, no negatives, no words', () => {
  assert.equal(parseTerm('1.2'), 1.2);
  assert.equal(parseTerm(' 1,5 '), 1.5);
  assert.equal(parseTerm('3'), 3);
  assert.equal(parseTerm('.5'), 0.5);
  assert.equal(parseTerm('2.'), 2);
  for (const s of ['', 'x', '-1', '1.2.3', null]) assert.equal(parseTerm(s), null, String(s));
});

test('t quantiles as the library tabulates them', () => {
  assert.equal(t975(1), 12.706204736);
  assert.equal(t975(30), 2.042272456);
  close(t975(1000), 1.962339, 1e-5);
  assert.ok(Number.isNaN(t975(0)));
});

// aimeter forecast 20261207-083158-a90897 --epochs 10 --json on the golden store
const fc = JSON.parse(readFileSync(new URL('./whatif-forecast.json', import.meta.url), 'utf8'));

test('the cumulative band ends on the answer\'s instances_total', () => {
  const c = chartColumns(fc);
  assert.deepEqual(c.x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(c.measured.slice(0, 3), fc.instances.map((i) => i.energy_j));
  assert.equal(c.measured[3], null);
  const tot = fc.instances_total.energy_j;
  close(c.cum.at(-1), tot.value, 1e-9);
  close(c.cumLow.at(-1), tot.low, 1e-9);
  close(c.cumHigh.at(-1), tot.high, 1e-9);
  // the forecast starts where the measured cumulative ends
  close(c.cum[2], c.cumMeasured[2]);
  assert.equal(c.cum[1], null);
  // the one-epoch interval holds the line and widens away from the data
  for (let i = 0; i < c.x.length; i++) assert.ok(c.low[i] <= c.fitted[i] && c.fitted[i] <= c.high[i]);
  assert.ok(c.high[9] - c.fitted[9] > c.high[1] - c.fitted[1]);
  const f = fitLine(fc);
  assert.equal(f.xbar, 2);
  assert.equal(f.sxx, 2);
});

test('no line, no columns; hours become epochs through the time line', () => {
  const bad = { ...fc, forecast: { ...fc.forecast, energy_j: { ok: false, verdict: 'too_few', reason: 'x' } } };
  assert.equal(chartColumns(bad), null);
  const per = fc.fit.time_s;
  // hours for exactly epochs 4 and 5 after the run so far
  const t5 = fc.completed_totals.run_time_s + (per.intercept + per.slope * 4) + (per.intercept + per.slope * 5);
  assert.equal(epochsForHours(fc, (t5 + 1e-9) / 3600), 5);
  assert.equal(epochsForHours(fc, (t5 - 1e-6) / 3600), 4);
  assert.equal(epochsForHours(fc, 0), null);
  // a count (what --epochs takes), not the last epoch's index: with epochs numbered from 0,
  // the same instances shifted down by one, the same hours are one epoch more than the index
  assert.equal(fc.first_index, 1);
  const zero = { ...fc, first_index: 0, instances: fc.instances.map((i) => ({ ...i, index: i.index - 1 })),
    fit: { ...fc.fit, time_s: { ...per, intercept: per.intercept + per.slope } } };
  assert.equal(epochsForHours(zero, (t5 + 1e-9) / 3600), 5); // epochs 0..4: five, index 4
  assert.equal(epochsForHours(zero, (t5 - 1e-6) / 3600), 4);
});

test('phase names read as the library reads them', () => {
  assert.equal(instanceOf('epoch', 'epoch 3'), 3);
  assert.equal(instanceOf('epoch', 'epoch_12'), 12);
  assert.equal(instanceOf('epoch', 'epoch#2'), 2);
  assert.equal(instanceOf('epoch', 'epoch'), 'same');
  assert.equal(instanceOf('epoch', 'epochs'), null);
  assert.equal(instanceOf('epoch', 'epoch 1234567890'), null);
  assert.equal(instanceOf('epoch', 'prefill'), null);
  const phases = [{ name: 'epoch 1', instances: 1 }, { name: 'epoch 2', instances: 1 }, { name: 'step', instances: 2 }];
  assert.equal(countInstances(phases, 'epoch'), 2);
  assert.equal(countInstances(phases, 'step'), 2);
  assert.equal(countInstances([{ name: 'prefill', instances: 1 }], 'epoch'), 0);
  assert.equal(countInstances(undefined, 'epoch'), 0);
});

test('the first target is past every epoch done, so the server never refuses it', () => {
  const three = [1, 2, 3].map((i) => ({ name: `epoch ${i}`, instances: 1 }));
  assert.equal(defaultTarget(three, 'epoch'), 6);
  // numbered with a gap: past the highest number, not just the count
  assert.equal(defaultTarget([{ name: 'epoch 1', instances: 1 }, { name: 'epoch 9', instances: 1 }], 'epoch'), 10);
  assert.equal(defaultTarget([{ name: 'epoch', instances: 4 }], 'epoch'), 8);
  assert.equal(defaultTarget([], 'epoch'), 2);
});

test('a PUE is taken from 1.0 to 5.0, as --pue takes it', () => {
  for (const [t, v] of [['1', 1], ['1.2', 1.2], ['1,5', 1.5], [' 5 ', 5], ['5.0', 5]]) assert.equal(parsePue(t), v, t);
  for (const t of ['0.9', '0', '5.01', '7', '-1.2', 'x', '', null, undefined]) assert.equal(parsePue(t), null, String(t));
});

test('the hardware command needs a device: none chosen, no command', () => {
  assert.equal(hardwareArgv('R1', { names: [] }), null);
  assert.equal(hardwareArgv('R1', { names: [], zone: 'FR', pue: 1.2 }), null);
  assert.equal(cliCommand(hardwareArgv('R1', { names: ['A100', 'my gpu'], spec: 'my gpu:tdp=300,tflops=100', zone: 'FR', pue: 1.2 })),
    "aimeter whatif R1 --hardware 'A100,my gpu' --gpu-spec 'my gpu:tdp=300,tflops=100' --zones FR --pue 1.2");
});

test("a typed device's figures go into the permalink as --gpu-spec writes them", () => {
  assert.deepEqual(parseSpec('My GPU:tdp=350,tflops=200'), { name: 'My GPU', tdp: 350, tflops: 200 });
  assert.deepEqual(parseSpec('X1:tdp=0.5,tflops=1e3'), { name: 'X1', tdp: 0.5, tflops: 1000 });
  for (const t of ['', null, 'X1', 'X1:tdp=0,tflops=2', 'X1:tdp=3,tflops=-2', ':tdp=1,tflops=2',
    'a:b:tdp=1,tflops=2', 'X1:tflops=2,tdp=3', 'X1:tdp=1,tflops=2,x=3']) assert.equal(parseSpec(t), null, String(t));
});

test('the edited terms go into the permalink and come back as the same result', () => {
  const groups = deviceGroups(report);
  const [cpu, dram, gpu] = groups;
  const edits = { pue: null, intensity: 350, groups: { [gpu.key]: { count: 4, util: 80 }, [dram.key]: { hours: 2 } } };
  const text = editsToParam(groups, edits);
  assert.equal(text, 'intensity:350,g1.hours:2,g2.count:4,g2.util:80');
  const back = paramToEdits(groups, text);
  assert.equal(back.ignored, 0);
  const base = { energy_j: 503.7758, pue: 1.2, intensity: 418 };
  assert.equal(evaluate(base, groups, back).carbon_g, evaluate(base, groups, edits).carbon_g);
  assert.equal(editsToParam(groups, { intensity: null, groups: { [cpu.key]: { count: null } } }), null);
  // what a group cannot take, or a bad number, is left out and counted
  const bad = paramToEdits(groups, 'g1.util:5,g9.count:1,intensity:-3,g0.power:x,nonsense,g0.count:2');
  assert.equal(bad.ignored, 5);
  assert.deepEqual(bad.groups, { [cpu.key]: { count: 2 } });
  assert.equal(bad.intensity, null);
});
