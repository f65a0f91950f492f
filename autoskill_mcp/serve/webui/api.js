// The skill API of the same server (/v1/autoskill): the UI's only backend. Every request carries the
// bearer token when one was given (a --require-token or non-loopback server), from sessionStorage.

export const BASE = '/v1/autoskill';
const TOKEN_KEY = 'autoskill.token';

/** A failed request: the API's JSON error (message, code, and for a 422 the diagnostics). */
export class ApiError extends Error {
  constructor(status, body) {
    const error = body && typeof body === 'object' && body.error ? body.error : {message: String(body || status)};
    super(status === 401 ? `${error.message || 'a token is required'} (enter your token at the top right)`
      : error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || null;
    this.diagnostics = error.diagnostics || null;
  }
}

/** The token of this tab's session ('' for none). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

/** Keep (or, given '', forget) the token for this tab's session. */
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** `headers` with the Authorization header added when there is a token. */
export function withAuth(headers = {}) {
  const t = token();
  return t ? {...headers, Authorization: `Bearer ${t}`} : {...headers};
}

/** A fetch of any URL of this server, with the token; throws ApiError on an error status. */
export async function request(url, init = {}) {
  const response = await fetch(url, {...init, headers: withAuth(init.headers || {})});
  if (!response.ok) {
    const type = response.headers.get('content-type') || '';
    throw new ApiError(response.status, type.includes('json') ? await response.json() : await response.text());
  }
  return response;
}

/** One request; resolves to {body, headers}, or throws ApiError. */
export async function api(method, path, {json, text, headers = {}, query, signal} = {}) {
  const init = {method, headers: {...headers}, signal};
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
  const response = await request(url, init);
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  return {body, headers: response.headers};
}

/** Save what `path` answers as a file called `name` (a plain link could not send the token). */
export async function download(path, name) {
  const blob = await (await request(BASE + path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Read a Server-Sent Events body with fetch (EventSource cannot send the token): `onEvent(name, data)`
 * for each event; resolves when the stream ends.
 */
export async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(name, data.join('\n'));
    }
  }
}
