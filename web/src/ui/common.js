// Small pieces every view uses: an error shown in place, a loading line, debouncing.
import { h } from '../format.js';

/** The server's message where the content would be (it names the parameter that was wrong). */
export function showError(el, err, ui) {
  if (ui) ui.error = err.message;
  el.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, err.message));
}

export const loading = (what) => h('p', { class: 'muted loading', 'data-testid': 'loading' }, `Loading ${what}…`);

/** fn called once, `ms` after the last of a burst of calls (typing, dragging a zoom). */
export function debounce(fn, ms) {
  let timer = null;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/** A labelled form field: h('label', ..., text, input). */
export const field = (label, input, testid) =>
  h('label', { class: 'ui-field', 'data-testid': testid }, h('span', {}, label), input);
