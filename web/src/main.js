// The report's entry point: reads the embedded data (data.js) and draws it into
// #aimeter-report. render() (render.js) is the drawing half alone, for a page that fetches its data
// (loadUrl) instead: window.aimeter = {render, loadUrl, loadEmbedded}.
import 'uplot/dist/uPlot.min.css';
import './report.css';
import { loadEmbedded, loadUrl } from './data.js';
import { h } from './format.js';
import { charts } from './chartkit.js';
import { render } from './render.js';

export { render };

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
