// The Profiles view: the energy profiles imported into the store (/api/profiles), a run's
// own profile exported (a download of /api/runs/{id}/profile, schema aimeter.profile/1), a
// profile imported from a file (JSON, or a CSV of epoch energies: POST /api/profiles, which
// the server takes only when started with --allow-import), and a profile's epochs set
// against a run's. Permalink: #/profiles?profile=PID&run=ID.
import { h, fmt, energy, duration, isNum, utc } from '../format.js';
import { getJSON, postBody, runPath, url } from './api.js';
import { params, setParams, onParams } from './state.js';
import { cliButton } from './cli.js';
import { showError, loading, field } from './common.js';
import { epochRows } from './profilecmp.js';

/** The Content-Type of an imported file: CSV by its name or its first character. */
export function contentType(name, text) {
  if (/\.csv$/i.test(name)) return 'text/csv';
  if (/\.json$/i.test(name)) return 'application/json';
  return /^\s*[{[]/.test(text) ? 'application/json' : 'text/csv';
}

function listTable(list, onPick) {
  if (!list.length) {
    return h('p', { class: 'empty', 'data-testid': 'no-profiles' }, 'No profile imported yet.');
  }
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'profiles-table' },
    h('thead', {}, h('tr', {}, ['Profile', 'Name', 'Imported', 'Epochs', 'Energy', ''].map((c, i) =>
      h('th', { class: i >= 3 && i <= 4 ? 'num' : null }, c)))),
    h('tbody', {}, list.map((p) => h('tr', { 'data-profile': String(p.id) },
      h('td', { class: 'mono' }, String(p.id)), h('td', {}, p.name || ''), h('td', {}, utc(p.imported_at)),
      h('td', { class: 'num' }, isNum(p.epochs) ? String(p.epochs) : '—'),
      h('td', { class: 'num' }, energy(p.energy_j)),
      h('td', {}, h('button', { type: 'button', 'data-testid': 'profile-pick', onclick: () => onPick(p.id) },
        'Compare with a run')))))));
}

function comparison(a, b) {
  const rows = epochRows(a, b);
  const head = (p) => `${p.name || p.run || 'profile'}${p.source === 'import' ? ' (imported)' : ''}`;
  return h('div', { 'data-testid': 'profile-compare' },
    h('div', { class: 'table-wrap' }, h('table', { class: 'ui-compare' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { class: 'num' }, head(a)), h('th', { class: 'num' }, head(b)),
        h('th', { class: 'num' }, 'ratio'))),
      h('tbody', {},
        h('tr', { 'data-key': 'energy' }, h('td', {}, 'Energy (IT)'), h('td', { class: 'num' }, energy(a.energy_j)),
          h('td', { class: 'num' }, energy(b.energy_j)),
          h('td', { class: 'num' }, isNum(a.energy_j) && isNum(b.energy_j) && a.energy_j > 0 ? `×${fmt(b.energy_j / a.energy_j, 3)}` : '')),
        h('tr', { 'data-key': 'duration' }, h('td', {}, 'Duration'), h('td', { class: 'num' }, duration(a.duration_s)),
          h('td', { class: 'num' }, duration(b.duration_s)), h('td', {}, '')),
        rows.map((r) => h('tr', { 'data-epoch': String(r.index) },
          h('td', {}, `epoch ${r.index}`),
          h('td', { class: 'num', 'data-value': isNum(r.a) ? String(r.a) : null }, energy(r.a)),
          h('td', { class: 'num', 'data-value': isNum(r.b) ? String(r.b) : null }, energy(r.b)),
          h('td', { class: 'num' }, isNum(r.ratio) ? `×${fmt(r.ratio, 3)}` : '')))))),
    rows.length ? null : h('p', { class: 'muted' }, 'Neither profile has epochs (phases named epoch 1, epoch 2, …).'));
}

export function mountProfiles(el, { ui, done }) {
  const listBox = h('div', {}, loading('the profiles'));
  const runIn = h('input', { type: 'text', name: 'run', 'data-testid': 'export-run', placeholder: 'run id', value: params().run || '' });
  const exportLink = h('a', { class: 'button', 'data-testid': 'export-link', download: '' }, 'Download profile');
  const fileIn = h('input', { type: 'file', accept: '.json,.csv,application/json,text/csv', 'data-testid': 'import-file' });
  const nameIn = h('input', { type: 'text', name: 'name', 'data-testid': 'import-name', placeholder: 'name (optional)' });
  const importMsg = h('p', { 'data-testid': 'import-message', 'aria-live': 'polite' });
  const pidIn = h('input', { type: 'text', name: 'profile', 'data-testid': 'compare-profile', placeholder: 'profile id', value: params().profile || '' });
  const cmpBox = h('div', {});
  const exportRef = () => {
    const id = runIn.value.trim();
    exportLink.href = id ? url(runPath(id, '/profile')) : '#/profiles';
    exportLink.setAttribute('download', id ? `${id}.profile.json` : '');
    exportLink.classList.toggle('disabled', !id);
  };
  runIn.addEventListener('input', () => { exportRef(); });
  runIn.addEventListener('change', () => setParams({ run: runIn.value.trim() }));
  pidIn.addEventListener('change', () => setParams({ profile: pidIn.value.trim() }));
  exportRef();

  const doImport = async () => {
    const file = fileIn.files && fileIn.files[0];
    if (!file) { importMsg.className = 'error'; importMsg.textContent = 'Choose a JSON or CSV file first.'; return; }
    const text = await file.text();
    importMsg.className = 'muted';
    importMsg.textContent = 'importing…';
    try {
      const p = await postBody('/api/profiles', text, contentType(file.name, text), { name: nameIn.value.trim() });
      importMsg.className = 'ok';
      importMsg.textContent = `Imported as profile ${p.id}${p.name ? ` (${p.name})` : ''}.`;
      ui.imported = p;
      await loadList();
    } catch (err) {
      importMsg.className = 'error';
      importMsg.textContent = err.status === 403
        ? `This server does not accept imports: start it with \`aimeter serve --allow-import\` (${err.message})`
        : `The profile was not imported: ${err.message}`;
      ui.importError = { status: err.status, message: err.message };
    }
  };

  el.replaceChildren(h('section', { class: 'ui-panel' },
    h('h1', {}, 'Profiles'),
    h('p', { class: 'note' }, 'A profile is what a run cost and what each of its epochs cost (schema aimeter.profile/1): small enough to share, and to compare a run against another site\'s.'),
    h('h2', {}, 'Imported profiles'), listBox,
    h('h2', {}, 'Export a run\'s profile'),
    h('div', { class: 'ui-filters' }, field('Run', runIn), exportLink,
      cliButton(() => { const id = runIn.value.trim() || 'RUN'; return ['export', id, '--profile', `${id}.profile.json`]; })),
    h('h2', {}, 'Import a profile'),
    h('form', { class: 'ui-filters', 'data-testid': 'import-form', onsubmit: (e) => { e.preventDefault(); doImport(); } },
      field('File (JSON or CSV: epoch,energy_j[,duration_s])', fileIn), field('Name', nameIn),
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'import-go' }, 'Import')),
    importMsg,
    h('h2', {}, 'Compare a profile\'s epochs with a run\'s'),
    h('form', { class: 'ui-filters', onsubmit: (e) => { e.preventDefault(); setParams({ profile: pidIn.value.trim(), run: runIn.value.trim() }); } },
      field('Profile', pidIn), h('span', { class: 'muted' }, 'against the run above'),
      h('button', { type: 'submit', 'data-testid': 'profile-compare-go' }, 'Compare')),
    cmpBox));

  async function loadList() {
    try {
      const ans = await getJSON('/api/profiles');
      listBox.replaceChildren(listTable(ans.profiles || [], (pid) => {
        pidIn.value = String(pid);
        setParams({ profile: String(pid), run: runIn.value.trim() });
      }));
      ui.profiles = (ans.profiles || []).map((p) => p.id);
    } catch (err) {
      showError(listBox, err, ui);
    }
  }
  let seq = 0;
  const loadCompare = async () => {
    const p = params();
    if (p.run !== undefined && document.activeElement !== runIn) { runIn.value = p.run; exportRef(); }
    if (p.profile !== undefined && document.activeElement !== pidIn) pidIn.value = p.profile;
    const my = ++seq;
    if (!p.profile || !p.run) { cmpBox.replaceChildren(); return; }
    cmpBox.replaceChildren(loading('the profiles'));
    try {
      const [a, b] = await Promise.all([getJSON(`/api/profiles/${encodeURIComponent(p.profile)}`),
        getJSON(runPath(p.run, '/profile'))]);
      if (my !== seq) return;
      cmpBox.replaceChildren(comparison(a, b));
      ui.profileCompare = { profile: a, run: b };
    } catch (err) {
      if (my === seq) showError(cmpBox, err, ui);
    }
  };
  const off = onParams(loadCompare);
  Promise.all([loadList(), loadCompare()]).then(done);
  return { unmount() { off(); } };
}
