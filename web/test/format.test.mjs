// The number and duration formats of the front end (web/src/format.js), without a browser:
// node --test web/test/ (meson's unit suite runs it as web-format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration } from '../src/format.js';

test('a duration is rounded to the unit shown before it is split', () => {
  const cases = [
    [0.27, '0.27 s'], [12.34, '12.3 s'], [59.94, '59.9 s'],
    [59.97, '1 min 00 s'], [60, '1 min 00 s'], [119.4, '1 min 59 s'], [119.6, '2 min 00 s'],
    [245, '4 min 05 s'], [3599.4, '59 min 59 s'], [3599.6, '1 h 00 min'],
    [7380, '2 h 03 min'], [7199.9, '2 h 00 min'], [7170, '2 h 00 min'], [7169, '1 h 59 min'],
  ];
  for (const [s, text] of cases) assert.equal(duration(s), text, `duration(${s})`);
});

test('no number is a dash', () => {
  for (const x of [undefined, null, NaN, Infinity, '12']) assert.equal(duration(x), '—');
});
