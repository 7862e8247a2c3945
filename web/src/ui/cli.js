// "Copy as CLI command": every view can show the aimeter command that prints the same
// figures (`aimeter whatif ID --zones FR --pue 1.2`), shell-quoted so that it pastes as is.
import { h } from '../format.js';
import { onParams } from './state.js';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for a POSIX shell: as is when it is safe, else in single quotes. */
export function shellQuote(word) {
  const s = String(word);
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** ['whatif', ID, '--zones', 'FR'] (or with 'aimeter' first) -> 'aimeter whatif ID --zones FR'.
 * null, undefined and false words are left out, so optional flags can be written inline. */
export function cliCommand(argv) {
  const words = argv.filter((w) => w !== null && w !== undefined && w !== false);
  if (words[0] !== 'aimeter') words.unshift('aimeter');
  return words.map(shellQuote).join(' ');
}

/** A "Copy as CLI command" button with the command shown beside it in a selectable <code>
 * (the fallback where the clipboard is refused; the tests read it: data-testid=cli-command).
 * getArgv() is asked again on every click and every permalink change; null: no command yet
 * (nothing chosen that the command needs): the text is empty and the button disabled. */
export function cliButton(getArgv) {
  const code = h('code', { class: 'cli-command', 'data-testid': 'cli-command' });
  let button = null;
  const refresh = () => {
    try {
      const argv = getArgv();
      code.textContent = argv ? cliCommand(argv) : '';
    } catch {
      code.textContent = '';
    }
    if (button) button.disabled = code.textContent === '';
    return code.textContent;
  };
  const note = h('span', { class: 'cli-note', 'aria-live': 'polite' });
  button = h('button', {
    type: 'button', class: 'cli-copy', 'data-testid': 'cli-copy',
    onclick: async () => {
      const text = refresh();
      try {
        await navigator.clipboard.writeText(text);
        note.textContent = 'copied';
      } catch {
        // no clipboard (permission, insecure origin): select the text for Ctrl+C
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        note.textContent = 'selected: press Ctrl+C';
      }
    },
  }, 'Copy as CLI command');
  const el = h('span', { class: 'cli' }, button, ' ', code, ' ', note);
  // follows the permalink while on the page; once taken off it, it stops listening
  let shown = false;
  const off = onParams(() => {
    if (el.isConnected) {
      shown = true;
      refresh();
    } else if (shown) off();
  });
  el.refresh = refresh;
  refresh();
  return el;
}
