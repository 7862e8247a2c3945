// The Runs view's permalink parameters <-> the /api/runs query (no DOM: node tests it).

export const PAGE = 50;
export const FILTERS = ['q', 'tag', 'host', 'job', 'from', 'to'];

/** The page's offset from the parameters: a whole number >= 0, else 0. */
export function offsetOf(p) {
  const n = Number(p.offset);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** /api/runs's parameters for the view's: the filters as given, one run more than a page
 * (to know whether there is a next page). */
export function apiParams(p, page = PAGE) {
  const out = {};
  for (const k of FILTERS) if (typeof p[k] === 'string' && p[k].trim() !== '') out[k] = p[k].trim();
  const off = offsetOf(p);
  if (off) out.offset = off;
  out.limit = page + 1;
  return out;
}

/** Why the filters cannot be asked yet (a tag being typed, without its '='), or null: the
 * view says so instead of sending a request the server would refuse with 400. */
export function filterProblem(p) {
  const tag = typeof p.tag === 'string' ? p.tag.trim() : '';
  if (tag && !/^[^=]+=/.test(tag)) return `A tag filter is KEY=VALUE ("${tag}" has no "=").`;
  return null;
}

/** The selected run ids from 'sel=a,b' (each once, order kept). */
export function selection(p) {
  return [...new Set((p.sel || '').split(',').map((s) => s.trim()).filter(Boolean))];
}

/** Toggles id in the list (added at the end, or removed). */
export function toggle(list, id) {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}
