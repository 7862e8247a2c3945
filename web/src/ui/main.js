// The entry of `aimeter serve`'s UI (bundled to /ui/app.js and /ui/app.css): uPlot's CSS,
// the report's CSS (the run view draws the report) and the app's, then the app shell.
import 'uplot/dist/uPlot.min.css';
import '../report.css';
import './app.css';
import { start } from './app.js';

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
