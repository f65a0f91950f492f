// The web UI's entry: hash routes to screens, the keyboard shortcut, and where each screen is drawn.
import {h, say} from './dom.js';
import {skillsScreen, skillScreen} from './skills.js';
import {editScreen} from './edit.js';
import {versionsScreen} from './versions.js';
import {jobsScreen, jobScreen} from './jobs.js';
import {previewScreen} from './preview.js';
import {candidatesScreen} from './candidates.js';
import {pruneScreen} from './prune.js';
import {chatScreen} from './chat.js';
import {setToken, token} from './api.js';

const ROUTES = [
  [/^\/skills$/, skillsScreen, 'skills'],
  [/^\/skill\/([^/]+)$/, skillScreen, 'skills'],
  [/^\/skill\/([^/]+)\/edit$/, editScreen, 'skills'],
  [/^\/skill\/([^/]+)\/versions$/, versionsScreen, 'skills'],
  [/^\/jobs$/, jobsScreen, 'jobs'],
  [/^\/job\/([^/]+)$/, jobScreen, 'jobs'],
  [/^\/preview$/, previewScreen, 'preview'],
  [/^\/candidates$/, candidatesScreen, 'candidates'],
  [/^\/prune$/, pruneScreen, 'prune'],
  [/^\/chat$/, chatScreen, 'chat'],
];

let current = null; // the AbortController of the screen on show: aborted when another one replaces it

async function route() {
  const raw = location.hash.replace(/^#/, '') || '/skills';
  const [path, qs] = raw.split('?');
  const params = new URLSearchParams(qs || '');
  const found = ROUTES.map(([re, screen, nav]) => [path.match(re), screen, nav]).find(([m]) => m);
  if (current) current.abort();
  current = new AbortController();
  const view = h('div', {class: 'screen'});
  document.getElementById('view').replaceChildren(view);
  say('');
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (found && a.dataset.nav === found[2]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!found) {
    view.append(h('h1', {}, 'Not found'), h('p', {}, `No screen at ${raw}. `, h('a', {href: '#/skills'}, 'Skills')));
    return;
  }
  const [match, screen] = found;
  const args = match.slice(1).map(decodeURIComponent);
  try {
    await screen(view, {args, params, signal: current.signal});
  } catch (err) {
    view.append(h('p', {class: 'msg error', role: 'alert'}, err.message || String(err)));
  }
  const heading = view.querySelector('h1');
  const search = view.querySelector('[data-autofocus]');
  if (search) search.focus();
  else if (heading && document.activeElement === document.body) {
    heading.tabIndex = -1;
    heading.focus();
  }
  view.dataset.ready = 'true';
}

/** `/` anywhere but in a text field goes to the search box (opening the Skills screen if needed). */
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest('input, textarea, select, [contenteditable]')) return;
  event.preventDefault();
  const box = document.getElementById('search');
  if (box) box.focus();
  else location.hash = '#/skills';
});

/** The token field: kept in sessionStorage (this tab only), sent as a bearer on every request. */
function tokenForm() {
  const form = document.getElementById('token-form');
  const field = document.getElementById('token');
  const state = document.getElementById('token-state');
  const show = () => { state.textContent = token() ? 'token set' : 'no token'; };
  field.value = token();
  show();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(field.value.trim());
    show();
    route();
  });
}

tokenForm();
window.addEventListener('hashchange', route);
route();
