// The report's drawing half: render(root, data) draws a normalised aimeter.html/1 object
// (data.js) into root. The report page (main.js) draws its embedded data with it; the UI of
// `aimeter serve` (ui/run.js) the same object fetched from /api/runs/{id}/view.
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
