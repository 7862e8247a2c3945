// The UI's only way to the server: JSON GETs, one POST (profile import) and the live event
// streams, all to paths of the page's own origin (the CSP's connect-src 'self').

/** '/api/runs' + {q: 'x', limit: 5} -> '/api/runs?q=x&limit=5'. null, undefined and '' are
 * left out (an empty parameter is 400 for the server); an array is joined with commas. */
export function url(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === '') continue;
    qs.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** The body's {"error"} as the message (the server names the parameter), else the status. */
async function failure(res) {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = await res.json();
    if (body && typeof body.error === 'string') message = body.error;
  } catch { /* not JSON: the status line says it */ }
  const err = new Error(message);
  err.status = res.status;
  return err;
}

/** GET path?params as parsed JSON; throws Error(the server's message), with .status. */
export async function getJSON(path, params = {}, { signal } = {}) {
  const res = await fetch(url(path, params), { headers: { Accept: 'application/json' }, signal });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** POST a body (a profile: application/json or text/csv); the parsed answer, or throws as
 * getJSON does (403 says that the server was started without --allow-import). */
export async function postBody(path, body, contentType, params = {}) {
  const res = await fetch(url(path, params), {
    method: 'POST',
    headers: { 'Content-Type': contentType, Accept: 'application/json' },
    body,
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** An EventSource on path?params (Server-Sent Events); the caller closes it. */
export function eventSource(path, params = {}) {
  return new EventSource(url(path, params));
}

/** A run id as a path segment (ids are letters, digits, '-' and '_'; encoded all the same). */
export const runPath = (id, rest = '') => `/api/runs/${encodeURIComponent(id)}${rest}`;
