// The Compare view's cells from an aimeter.compare/1 object (no DOM: node tests it): a run's
// value, or with `by` a group's mean ± sample standard deviation, its ratio to the baseline
// column and the best mark, as `aimeter compare` prints them.
import { fmt, isNum } from '../format.js';

/** The columns: one per run, or with `by` one per group. {label, sub, baseline} each. */
export function columns(c) {
  if (c.by) {
    return (c.groups || []).map((g, i) => ({
      label: g.label, sub: `n=${g.n}`, baseline: i === c.baseline_column, ids: g.runs || [] }));
  }
  return (c.runs || []).map((r, i) => ({
    label: `${r.column} ${r.name || ''}`.trim(), sub: r.id, baseline: i === c.baseline_column, ids: [r.id] }));
}

/** A cell: a run's number, or with `by` its group's {mean, stddev, n} (the row carries the
 * arrays `mean`, `stddev` and `n` instead of `values`). */
function cell(row, i) {
  if (Array.isArray(row.mean)) {
    return { mean: row.mean[i], stddev: (row.stddev || [])[i], n: (row.n || [])[i] };
  }
  return (row.values || [])[i];
}

/** The number a cell stands for (a run's value, a group's mean), or null. */
export function cellValue(row, i) {
  const v = cell(row, i);
  if (v && typeof v === 'object') return isNum(v.mean) ? v.mean : null;
  return isNum(v) ? v : null;
}

/** '61.2 ± 0.41', '61.2 [n=2]', '13400', '—'. */
export function cellText(row, i, digits = 4) {
  const v = cell(row, i);
  if (v && typeof v === 'object') {
    if (!isNum(v.mean)) return '—';
    let s = fmt(v.mean, digits);
    if (isNum(v.stddev)) s += ` ± ${fmt(v.stddev, 2)}`;
    return s;
  }
  return isNum(v) ? fmt(v, digits) : '—';
}

/** The note of a group cell with fewer runs having the figure than the group has: '[n=2]'. */
export function cellCount(row, i, group) {
  const v = cell(row, i);
  if (!v || typeof v !== 'object' || !group || !isNum(v.n) || v.n === group.n) return '';
  return `[n=${v.n}]`;
}

/** '×0.554' for a column other than the baseline with a ratio; '' else. */
export function ratioText(c, row, i) {
  if (i === c.baseline_column) return '';
  const r = (row.ratios || [])[i];
  return isNum(r) ? `×${fmt(r, 3)}` : '';
}

export const isBest = (row, i) => row.best === i;

/** The argv of `aimeter compare` for this view's parameters. */
export function compareArgv(p) {
  const runs = (p.runs || '').split(',').map((s) => s.trim()).filter(Boolean);
  return ['compare', ...runs, p.baseline ? '--baseline' : null, p.baseline || null,
    p.by ? '--by' : null, p.by || null];
}
