// The skill API of the same server (/v1/autoskill): the UI's only backend.

export const BASE = '/v1/autoskill';

/** A failed request: the API's JSON error (message, code, and for a 422 the diagnostics). */
export class ApiError extends Error {
  constructor(status, body) {
    const error = body && typeof body === 'object' && body.error ? body.error : {message: String(body || status)};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || null;
    this.diagnostics = error.diagnostics || null;
  }
}

/** One request; resolves to {body, headers}, or throws ApiError. */
export async function api(method, path, {json, text, headers = {}, query} = {}) {
  const init = {method, headers: {...headers}};
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (text !== undefined) {
    init.body = text;
    init.headers['Content-Type'] = 'text/markdown; charset=utf-8';
  }
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, v);
    const qs = params.toString();
    if (qs) url += '?' + qs;
  }
  const response = await fetch(url, init);
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, body);
  return {body, headers: response.headers};
}
