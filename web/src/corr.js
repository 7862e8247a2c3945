// Correlation: the strongest pairs the report found, and a heat-map of the whole matrix
// (data.correlation) on a canvas, with the pair under the pointer read out.
import { h, fmt, section, table, isNum } from './format.js';
import { diverging } from './palette.js';

const TOP = 8; // pairs per sign shown at first

function pairs(report) {
  const c = report.correlations;
  if (!c) return null;
  const rows = (list, sign) => (list || []).map((p) => h('tr', {},
    h('td', {}, p.a_name), h('td', {}, p.b_name),
    h('td', { class: 'num' }, h('span', { class: 'swatch', style: `background:${diverging(p.r)}` }), ` ${fmt(p.r, 3)}`),
    h('td', { class: 'num' }, fmt(p.n, 6)), h('td', {}, sign)));
  const pos = rows(c.positive, 'positive');
  const neg = rows(c.negative, 'negative');
  if (!pos.length && !neg.length) return h('p', { class: 'empty' }, 'No pair of series correlates strongly.');
  const head = ['Series A', 'Series B', { label: 'r', num: 1 }, { label: 'Grid ticks', num: 1 }, ''];
  const top = [...pos.slice(0, TOP), ...neg.slice(0, TOP)];
  const rest = [...pos.slice(TOP), ...neg.slice(TOP)];
  return h('div', {}, table(head, top, { 'data-testid': 'corr-pairs' }),
    rest.length ? h('details', {}, h('summary', {}, `${rest.length} more pairs`), table(head, rest)) : null);
}

function heatmap(corr) {
  const n = corr.names.length;
  const cell = Math.max(4, Math.min(28, Math.floor(560 / n)));
  const labels = n <= 40;
  const margin = labels ? Math.min(180, 8 + 6.2 * Math.max(...corr.names.map((s) => s.length))) : 4;
  const size = margin + n * cell;
  const dpr = window.devicePixelRatio || 1;
  const canvas = h('canvas', { class: 'heatmap', 'data-testid': 'corr-heatmap',
    role: 'img', 'aria-label': `correlation matrix of ${n} series` });
  canvas.width = Math.ceil(size * dpr);
  canvas.height = Math.ceil(size * dpr);
  canvas.style.width = `${size}px`; // height follows (CSS): a wide matrix shrinks to the page

  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  for (let i = 0; i < n; i++) {
    const row = Array.isArray(corr.r[i]) ? corr.r[i] : [];
    for (let j = 0; j < n; j++) {
      ctx.fillStyle = diverging(row[j]);
      ctx.fillRect(margin + j * cell, margin + i * cell, cell - (cell > 6 ? 1 : 0), cell - (cell > 6 ? 1 : 0));
    }
  }
  if (labels) {
    ctx.fillStyle = '#333';
    ctx.font = `${Math.min(11, cell - 2)}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    corr.names.forEach((s, i) => ctx.fillText(s, margin - 4, margin + i * cell + cell / 2, margin - 6));
    ctx.save();
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left'; // rotated: the text starts just above the grid and runs upwards
    corr.names.forEach((s, j) => ctx.fillText(s, -(margin - 4), margin + j * cell + cell / 2, margin - 6));
    ctx.restore();
  }
  const read = h('div', { class: 'readout' }, '\u00a0');
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const k = size / r.width; // the canvas may be drawn smaller than its size
    const j = Math.floor(((e.clientX - r.left) * k - margin) / cell);
    const i = Math.floor(((e.clientY - r.top) * k - margin) / cell);
    if (i < 0 || j < 0 || i >= n || j >= n) { read.textContent = '\u00a0'; return; }
    const v = corr.r[i]?.[j];
    read.textContent = `${corr.names[i]} × ${corr.names[j]}: r = ${isNum(v) ? fmt(v, 3) : 'n/a'}`;
  });
  const legend = h('div', { class: 'scale' }, h('span', {}, '−1'),
    h('span', { class: 'bar' }, [-1, -0.5, 0, 0.5, 1].map((v) => h('i', { style: `background:${diverging(v)}` }))),
    h('span', {}, '+1'), h('span', { class: 'muted' }, ' grey: no value (constant or too few points)'));
  return h('figure', { class: 'heatmap-box' }, canvas, read, legend);
}

export function corrSection(report, corr) {
  const p = pairs(report);
  if (!p && !corr) return null;
  return section('correlation', 'Correlation',
    h('p', { class: 'note' }, 'Pearson r between the run\u2019s series on their aligned grid (docs/methodology.md, “Correlation”).'),
    h('div', { class: 'corr-grid' }, corr ? heatmap(corr) : null, p ? h('div', {}, h('h3', {}, 'Strongest pairs'), p) : null));
}
