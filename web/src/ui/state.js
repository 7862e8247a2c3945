// The permalink state: everything a view shows lives in location.hash as a path and query,
// '#/run/ID?tab=whatif&zone=FR', so that a reload or a shared link restores it.
//   #/runs?q=..&tag=..   #/run/ID?tab=..   #/compare?runs=a,b   #/profiles
// setParams() rewrites only the query (history.replaceState/pushState fire no hashchange, so
// the router does not mount the view again) and tells the view through onParams().

const listeners = new Set();

/** '#/run/ABC?tab=live' -> {path: '/run/ABC', query: URLSearchParams}. */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const i = raw.indexOf('?');
  const path = (i < 0 ? raw : raw.slice(0, i)) || '/runs';
  return { path: path.startsWith('/') ? path : `/${path}`,
    query: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}

/** {path, params} -> '#/path?k=v' (null, undefined and '' left out; keys in the given order). */
export function makeHash(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === '') continue;
    qs.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = qs.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

/** The current path: '/runs', '/run/ID', ... */
export function path() {
  return parseHash(location.hash).path;
}

/** The current view's parameters as a plain object of strings. */
export function params() {
  return Object.fromEntries(parseHash(location.hash).query);
}

/** Changes some parameters of the current view (null or '' removes one). With replace
 * (the default) the history entry is rewritten; else a new one is pushed (Back returns). */
export function setParams(patch, { replace = true } = {}) {
  const cur = parseHash(location.hash);
  const next = Object.fromEntries(cur.query);
  for (const [k, v] of Object.entries(patch || {})) {
    if (v === null || v === undefined || v === '') delete next[k];
    else next[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  const hash = makeHash(cur.path, next);
  if (hash === (location.hash || '#/runs')) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', hash);
  notify();
}

/** Goes to another view (a new history entry; the router mounts it). */
export function navigate(to, params = {}) {
  location.hash = makeHash(to, params);
}

/** fn(params) after every change of the current view's parameters; returns the unsubscriber. */
export function onParams(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Tells the listeners (the router calls it when Back/Forward changed only the parameters). */
export function notify() {
  const p = params();
  for (const fn of [...listeners]) fn(p);
}
