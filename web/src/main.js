// The report's entry point: reads the embedded data (data.js) and draws it into
// #aimeter-report. render() is the drawing half alone, for a page that fetches its data
// (loadUrl) instead: window.aimeter = {render, loadUrl, loadEmbedded}.
import 'uplot/dist/uPlot.min.css';
import './report.css';
import { loadEmbedded, loadUrl } from './data.js';
import { h } from './format.js';
import { header, cards, warnings } from './summary.js';
import { energyTable, statsTables, phaseTable, recordsTable } from './tables.js';
import { timeSection } from './timeseries.js';
import { cumulativeSection } from './cumulative.js';
import { corrSection } from './corr.js';
import { whatifSection } from './whatif.js';
import { charts, setWindow, installPrintSizes, removeCharts } from './chartkit.js';

const NAV = [['timeline', 'Time series'], ['cumulative', 'Cumulative'], ['energy', 'Energy'],
  ['phases', 'Phases'], ['records', 'Work'], ['whatif', 'What if'], ['correlation', 'Correlation'],
  ['stats', 'Statistics']];

export function render(root, data) {
  const { report, timeline } = data;
  removeCharts(); // drawn again: the previous charts go first
  setWindow(timeline.x0, timeline.x1);
  const ts = timeSection(timeline);
  const cum = cumulativeSection(timeline);
  const parts = [
    header(report), cards(report), warnings(report),
    ts.el, cum.el, energyTable(report), phaseTable(report), recordsTable(report),
    whatifSection(data.whatif), corrSection(report, data.correlation), statsTables(report),
  ].filter(Boolean);
  const present = new Set(parts.map((p) => p.id).filter(Boolean));
  const nav = h('nav', { class: 'controls toc' },
    NAV.filter(([id]) => present.has(id)).map(([id, label]) => h('a', { href: `#${id}` }, label)));
  root.replaceChildren(parts[0], nav, ...parts.slice(1),
    h('footer', {}, `aimeter ${report.run?.aimeter_version ?? ''} · ${data.schema} · `,
      'charts: uPlot; colours: Okabe–Ito (colour-blind safe)'));
  ts.mount();
  cum.mount();
  installPrintSizes();
  return charts();
}

function show(root, err) {
  console.error('aimeter report:', err);
  root.replaceChildren(h('p', { class: 'error' }, `This report could not be drawn: ${err.message}`));
}

// test and UI hooks: the charts drawn (each {id, kind, title, uplot}) and the loaders
window.aimeter = { render, loadUrl, loadEmbedded };
window.aimeterReport = { charts: charts(), ready: false };

function start() {
  const root = document.getElementById('aimeter-report');
  if (!root || !document.getElementById('aimeter-data')) return; // a page that fetches instead
  try {
    render(root, loadEmbedded());
    window.aimeterReport.ready = true;
  } catch (err) {
    show(root, err);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
