// The UI's paths (no DOM: node tests it): #/runs, #/run/ID, #/compare, #/profiles.

/** '/run/ID' -> {view: 'run', id}; null for a path the UI does not have. */
export function route(path) {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'runs')) return { view: 'runs' };
  if (parts.length === 1 && parts[0] === 'compare') return { view: 'compare' };
  if (parts.length === 1 && parts[0] === 'profiles') return { view: 'profiles' };
  if (parts.length === 2 && parts[0] === 'run') {
    let id;
    try { id = decodeURIComponent(parts[1]); } catch { return null; }
    return { view: 'run', id };
  }
  return null;
}
