// SPDX-License-Identifier: Apache-2.0
// api.js: the console's one way to call levee serve (docs/openapi.yaml).
// Same origin only, the session cookie sent by the browser; every call that
// changes something carries the session's CSRF token (X-CSRF-Token). An
// error answer becomes an ApiError with the server's reason ("error"). A 401
// outside the sign-in calls means the session ended: the app is told
// (event "levee:signedout") and shows the sign-in page.

export class ApiError extends Error {
  constructor(status, message, body, retryAfter) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

let csrfToken = '';

export function setCsrf(token) {
  csrfToken = token || '';
}

// A query string from an object; empty values are left out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// api('GET', '/v1/alerts', {query: {...}}) or api('POST', path, {json: {...}})
// or api('PUT', path, {body: text, type: 'application/yaml'}). Resolves the
// parsed JSON answer (null for 204).
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = opts.type || 'text/plain';
    body = opts.body;
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path + query(opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', null);
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && type.includes('application/json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const reason = (data && data.error) || res.statusText || `HTTP ${res.status}`;
    if (res.status === 401 && !path.startsWith('/v1/session'))
      window.dispatchEvent(new CustomEvent('levee:signedout'));
    throw new ApiError(res.status, reason, data, res.headers.get('Retry-After'));
  }
  return data;
}

export const get = (path, q, signal) => api('GET', path, { query: q, signal });
export const post = (path, json) => api('POST', path, { json });

// Pages through a listing (alerts, search) with "before", up to max items.
// Resolves {items, more}: more is true when the listing went on.
export async function collect(path, params, key, max, signal) {
  const items = [];
  let before = null;
  for (;;) {
    const limit = Math.min(200, max - items.length);
    const page = await get(path, { ...params, limit, before }, signal);
    items.push(...(page[key] || []));
    before = page.next_before;
    if (before === null || before === undefined) return { items, more: false };
    if (items.length >= max) return { items, more: true };
  }
}
