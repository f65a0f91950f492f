// Building DOM nodes without innerHTML: every text from the store (a skill's name, its instructions,
// a diff) goes in as a text node, so nothing it contains is ever parsed as markup.

/** An element: h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, [more]). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined) continue;
    if (value === false) {
      if (key in el) el[key] = false;
      continue;
    }
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  add(el, children);
  return el;
}

function add(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) add(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  add(el, children);
  return el;
}

/** A message in the page's live status line (read out by screen readers). */
export function say(text, kind = 'info') {
  const status = document.getElementById('status');
  fill(status, text ? h('p', {class: `msg ${kind}`}, text) : null);
}

/** A number as the UI shows scores: three decimals, or a dash for "not computed". */
export function num(value) {
  return value === null || value === undefined ? '—' : Number(value).toFixed(3);
}

/** A link to a route of the UI. */
export function link(route, text, props = {}) {
  return h('a', {href: '#' + route, ...props}, text);
}

/** The encoded path segment for a skill name or id. */
export function seg(value) {
  return encodeURIComponent(value);
}

/** A short local date and time for an ISO timestamp. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
