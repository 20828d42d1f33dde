// The JSON API from the browser: one fetch wrapper, so every call sends the same headers and fails the same way.

/** A refused call: `status` is the HTTP status, `detail` the API's detail (a string, or FastAPI's list of field errors). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === 'string' ? detail : 'request refused');
    this.status = status;
    this.detail = detail;
  }
}

// Every state-changing call carries the session's CSRF token (the server refuses it otherwise).
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF header a `method` call needs ({} for safe methods or a page without a session). */
export function csrfHeaders(method = 'POST') {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta && !SAFE.has(method.toUpperCase()) ? { 'X-CSRF-Token': meta.content } : {};
}

/**
 * Calls the API and answers its JSON (null for an empty answer). `payload` is sent as JSON, or as is when
 * it is FormData. A refusal throws ApiError.
 */
export async function api(method, url, payload, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...csrfHeaders(method), ...headers } };
  if (payload instanceof FormData) init.body = payload;
  else if (payload !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(payload);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) throw new ApiError(res.status, data && data.detail !== undefined ? data.detail : data || res.statusText);
  return data;
}

/** An error in words: a 422's field errors as "field: reason; ...", else its message. */
export function message(err) {
  if (err instanceof ApiError && Array.isArray(err.detail)) {
    return err.detail.map((d) => `${(d.loc || []).slice(1).join('.') || 'value'}: ${d.msg}`).join('; ');
  }
  return err.message || String(err);
}
