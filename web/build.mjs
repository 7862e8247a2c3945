// Bundles the front ends: node web/build.mjs OUTDIR writes OUTDIR/report.js (one minified
// IIFE, no import left) and OUTDIR/report.css (uPlot's CSS and ours) of the HTML report, and
// OUTDIR/app.js + OUTDIR/app.css of `aimeter serve`'s UI (entry src/ui/main.js, served as
// /ui/app.js and /ui/app.css), plus OUTDIR/report.d, the inputs of both as one Makefile
// depfile so that meson rebuilds on any change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node web/build.mjs OUTDIR');
  process.exit(2);
}
if (!existsSync(join(here, 'node_modules', 'esbuild'))) {
  console.error('web/node_modules is missing: run `npm ci --prefix web` (bootstrap.sh does it)');
  process.exit(1);
}
const { build } = await import('esbuild');
const outdir = resolve(out);
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: { report: join(here, 'src', 'main.js'), app: join(here, 'src', 'ui', 'main.js') },
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020',
  outdir,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: here,
});

// both files are inlined into the page (<script>, <style>): a closing tag inside would end
// the element early
for (const [file, tag] of [['report.js', 'script'], ['report.css', 'style']]) {
  if (new RegExp(`</${tag}`, 'i').test(readFileSync(join(outdir, file), 'utf8'))) {
    console.error(`${join(outdir, file)}: contains "</${tag}": it cannot be inlined`);
    process.exit(1);
  }
}
// the UI's entry may import no CSS: the build still declares app.css
if (!existsSync(join(outdir, 'app.css'))) writeFileSync(join(outdir, 'app.css'), '');
const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(here, p));
const esc = (p) => p.replace(/ /g, '\\ ');
const outputs = ['report.js', 'report.css', 'app.js', 'app.css'].map((f) => esc(join(outdir, f)));
writeFileSync(join(outdir, 'report.d'), `${outputs.join(' ')}: ${inputs.map(esc).join(' ')}\n`);
