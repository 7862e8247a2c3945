// The app shell of `aimeter serve`: the header with its nav (Runs | Compare | Profiles), the
// hash router and the test hook window.aimeterUI. Every view is a module with
// mount(el, ctx) -> {unmount()}; the router mounts one per path and tells it when only its
// parameters changed (Back/Forward, setParams) so that it re-reads them instead of starting
// over.
import { h } from '../format.js';
import { charts } from '../chartkit.js';
import { parseHash, notify } from './state.js';
import { route } from './route.js';
import { mountRuns } from './runs.js';
import { mountRun } from './run.js';
import { mountCompare } from './compare.js';
import { mountProfiles } from './profiles.js';

const NAV = [['runs', 'Runs', '#/runs'], ['compare', 'Compare', '#/compare'],
  ['profiles', 'Profiles', '#/profiles']];

const VIEWS = { runs: mountRuns, run: mountRun, compare: mountCompare, profiles: mountProfiles };

function notFound(el, path) {
  el.replaceChildren(h('div', { class: 'ui-panel' },
    h('h1', {}, 'Not found'),
    h('p', { class: 'error', 'data-testid': 'not-found' }, `This UI has no page ${path}.`),
    h('p', {}, h('a', { href: '#/runs' }, 'Back to the runs'))));
  return { unmount() {} };
}

export function start() {
  const root = document.getElementById('app');
  if (!root) return;
  const ui = {
    ready: false, view: null, path: null, error: null,
    // what the tests read: the series requests zooming made, the live stream's counts
    seriesRequests: [], live: null,
  };
  window.aimeterUI = ui;
  // the report's hook, as its page has it: every chart drawn (the run view's and Live's)
  window.aimeterReport = { charts: charts(), ready: false };

  const links = NAV.map(([view, label, href]) =>
    h('a', { href, 'data-testid': `nav-${view}`, 'data-view': view }, label));
  const main = h('main', { class: 'ui-main', id: 'ui-main' });
  root.replaceChildren(
    h('header', { class: 'ui-head' },
      h('a', { class: 'ui-brand', href: '#/runs' }, 'aimeter'),
      h('nav', { class: 'ui-nav', 'aria-label': 'views' }, links)),
    main);

  let mounted = null; // {path, view, handle}
  const go = () => {
    const { path } = parseHash(location.hash);
    if (mounted && mounted.path === path) { notify(); return; } // same view: parameters only
    if (mounted) {
      try { mounted.handle.unmount(); } catch (err) { console.warn('aimeter ui: unmount', err); }
    }
    const r = route(path);
    ui.ready = false;
    ui.error = null;
    ui.view = r ? r.view : null;
    ui.path = path;
    for (const a of links) a.classList.toggle('active', !!r && a.dataset.view === (r.view === 'run' ? 'runs' : r.view));
    const el = h('div', { class: 'ui-view', 'data-view': r ? r.view : 'none' });
    main.replaceChildren(el);
    window.scrollTo(0, 0);
    const handle = r ? VIEWS[r.view](el, { id: r.id, ui, done: () => { ui.ready = true; } })
      : notFound(el, path);
    if (!r) ui.ready = true;
    mounted = { path, handle };
  };
  window.addEventListener('hashchange', go);
  if (!location.hash) history.replaceState(null, '', '#/runs');
  go();
}
