// The time until an HTML report is interactive in headless Chromium, for bench/plot.py:
// milliseconds from the start of navigation to the moment its charts are drawn, printed on
// one line. "Drawn": the page sets window.aimeterReportReady = true (the hook the front end
// in web/ may set once its charts are drawn), or, without the hook, the page has loaded and
// it has at least one <canvas> and each has non-blank pixels.
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
  await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    if (window.aimeterReportReady !== undefined)
      return window.aimeterReportReady === true;
    if (document.readyState !== 'complete')
      return false;
    const canvases = [...document.querySelectorAll('canvas')];
    return canvases.length > 0 && canvases.every((c) => {
      if (!c.width || !c.height)
        return false;
      const ctx = c.getContext('2d');
      if (!ctx)
        return true;   // a WebGL canvas: its size is all that can be seen cheaply
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < data.length; i += 4 * 97)
        if (data[i] !== 0)
          return true;
      return false;
    });
  }, null, { polling: 'raf', timeout: 60000 });
  const ms = await page.evaluate(() => performance.now());
  if (errors.length)
    throw new Error(`page errors: ${errors.join('; ')}`);
  console.log(ms.toFixed(1));
} finally {
  await browser.close();
}
