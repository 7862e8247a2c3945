// The time until an HTML report is interactive in headless Chromium, for bench/plot.py:
// milliseconds from the start of navigation to the first frame painted after the front end
// says its charts are drawn, printed on one line. The front end (web/src/main.js) sets
// window.aimeterReport.ready = true once render() has drawn every chart (uPlot draws when
// it is made); the next animation frame is when they are on screen. A page error, a console
// error or a report that never gets ready (60 s) fails.
// usage: node bench/report_interactive.mjs CHROMIUM REPORT.html   (playwright-core from web/node_modules)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core');
const [executablePath, report] = process.argv.slice(2);

const browser = await chromium.launch({ executablePath, headless: true,
                                        args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: 'commit' });
  // ready, or the front end's own failure message (main.js's show())
  await page.waitForFunction(() => window.aimeterReport?.ready === true ||
                                   !!document.querySelector('#aimeter-report .error'),
                             null, { polling: 'raf', timeout: 60000 });
  const ms = await page.evaluate(() => new Promise((done) =>
    requestAnimationFrame(() => done(performance.now()))));
  const drawn = await page.evaluate(() =>
    window.aimeterReport.ready === true && window.aimeterReport.charts.length);
  if (!drawn)
    errors.push('the report drew no chart');
  if (errors.length)
    throw new Error(`page errors: ${errors.join('; ')}`);
  console.log(ms.toFixed(1));
} finally {
  await browser.close();
}
