// The Skills screen (server-side hybrid search, and the paged list by scope) and one skill's screen.
import {api, download} from './api.js';
import {fill, h, link, num, say, seg, when} from './dom.js';

const SCOPES = ['all', 'user', 'shared', 'library', 'common'];
const PAGE = 50;

export async function skillsScreen(view, {params}) {
  const query = params.get('search') || '';
  const scope = SCOPES.includes(params.get('scope')) ? params.get('scope') : 'all';
  const box = h('input', {id: 'search', type: 'search', name: 'search', value: query, autocomplete: 'off',
    placeholder: 'what you want to do, e.g. write pytest fixtures', 'data-autofocus': true});
  const scopes = h('select', {id: 'scope', name: 'scope'},
    SCOPES.map((s) => h('option', {value: s, selected: s === scope}, s)));
  const form = h('form', {class: 'searchbar', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (box.value.trim()) p.set('search', box.value.trim());
    if (scopes.value !== 'all') p.set('scope', scopes.value);
    const next = '#/skills' + (p.toString() ? '?' + p : '');
    if (location.hash === next) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = next;
  }},
  h('label', {for: 'search'}, 'Search skills'), box,
  h('label', {for: 'scope'}, 'Scope'), scopes,
  h('button', {type: 'submit'}, 'Search'));
  scopes.addEventListener('change', () => form.requestSubmit());
  view.append(h('h1', {}, 'Skills'), form);
  if (query) view.append(await searchResults(query, scope));
  view.append(await skillList(scope));
}

async function searchResults(query, scope) {
  const {body} = await api('POST', '/skills/search', {json: {query, scope, top_k: 10}});
  const section = h('section', {id: 'results', 'aria-labelledby': 'results-h'},
    h('h2', {id: 'results-h'}, `Search results for “${query}”`));
  if (body.note) section.append(h('p', {class: 'note'}, body.note));
  if (!body.hits.length) {
    section.append(h('p', {}, 'No skill matches.'));
    return section;
  }
  section.append(h('p', {class: 'note'}, 'Score: the hybrid of the keyword (BM25) part and the vector ' +
    '(embedding) part; “why” says how they were combined.'));
  section.append(h('table', {class: 'hits'},
    h('thead', {}, h('tr', {}, ['Skill', 'Score', 'Keyword', 'Vector', 'Scope', 'Why'].map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, body.hits.map((hit) => h('tr', {class: 'hit'},
      h('td', {}, link(`/skill/${seg(hit.name)}`, hit.name), h('div', {class: 'desc'}, hit.description)),
      h('td', {class: 'score'}, num(hit.score)),
      h('td', {class: 'keyword'}, num(hit.keyword)),
      h('td', {class: 'vector'}, num(hit.vector)),
      h('td', {}, hit.scope),
      h('td', {class: 'why'}, hit.why, hit.note ? h('div', {class: 'note'}, hit.note) : null))))));
  return section;
}

async function skillList(scope) {
  const rows = h('tbody');
  const count = h('span', {class: 'count'});
  const more = h('button', {type: 'button', id: 'next-page'}, 'Next page');
  let cursor = null;
  async function load() {
    more.disabled = true;
    const {body} = await api('GET', '/skills', {query: {scope, limit: PAGE, cursor}});
    rows.append(...body.skills.map((s) => h('tr', {},
      h('td', {}, link(`/skill/${seg(s.name)}`, s.name)),
      h('td', {class: 'desc'}, s.description),
      h('td', {}, s.version), h('td', {}, s.scope), h('td', {}, when(s.updated_at)))));
    cursor = body.next_cursor;
    fill(count, `${rows.children.length} of ${body.total}`);
    more.hidden = !cursor;
    more.disabled = false;
  }
  more.addEventListener('click', () => load().catch((err) => say(err.message, 'error')));
  await load();
  return h('section', {id: 'list', 'aria-labelledby': 'list-h'},
    h('h2', {id: 'list-h'}, `All skills in scope “${scope}” `, count),
    h('table', {class: 'skills'},
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Version', 'Scope', 'Updated'].map((t) => h('th', {scope: 'col'}, t)))),
      rows),
    more);
}

export async function skillScreen(view, {args: [ref]}) {
  const {body: s} = await api('GET', `/skills/${seg(ref)}`);
  const base = `/skill/${seg(s.name)}`;
  const meta = [['Version', s.version], ['Scope', s.scope], ['Tags', s.tags.join(', ') || '—'],
    ['Updated', when(s.updated_at)], ['Id', s.id], ['Triggers', s.triggers.join('; ') || '—'],
    ['Retrieved for you', h('span', {id: 'usage-retrieved'}, String(s.usage.retrieved)),
      s.usage.last_retrieved_at ? ` (last ${when(s.usage.last_retrieved_at)})` : ''],
    ['Used by you', h('span', {id: 'usage-used'}, String(s.usage.used)),
      s.usage.last_used_at ? ` (last ${when(s.usage.last_used_at)})` : ''],
    ...Object.entries(s.metadata).map(([k, v]) => [k, v])];
  const shown = h('section', {id: 'file-view', 'aria-live': 'polite'});
  async function open(f) {
    const path = `/skills/${seg(s.name)}/files/${f.path.split('/').map(seg).join('/')}`;
    try {
      const {body, headers} = await api('GET', path);
      if ((headers.get('content-type') || '').startsWith('text/plain')) {
        fill(shown, h('h3', {}, f.path), h('pre', {class: 'file', id: 'file-text'}, body));
      } else {
        await download(path, f.path.split('/').pop());
        say(`Downloaded ${f.path}.`, 'ok');
      }
    } catch (err) {
      say(err.message, 'error');
    }
  }
  view.append(
    h('h1', {}, s.name),
    h('p', {class: 'lead'}, s.description),
    h('nav', {class: 'actions', 'aria-label': 'Skill'},
      s.scope === 'user' ? link(`${base}/edit`, 'Edit SKILL.md', {class: 'button', id: 'edit-link'})
        : h('span', {class: 'note'}, `read-only here (${s.scope})`),
      link(`${base}/versions`, 'Versions', {class: 'button', id: 'versions-link'}),
      h('button', {type: 'button', id: 'export', onclick: () => download(`/skills/${seg(s.name)}/export`, `${s.name}.zip`)
        .catch((err) => say(err.message, 'error'))}, 'Export zip')),
    h('dl', {class: 'meta'}, meta.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, 'Instructions'),
    h('pre', {class: 'instructions', id: 'instructions'}, s.instructions),
    ...learnedFrom(s.evidence),
    h('h2', {}, 'Files'),
    s.files.length
      ? h('ul', {class: 'files', id: 'files'}, s.files.map((f) => h('li', {},
        h('button', {type: 'button', class: 'link file-open', 'data-path': f.path, onclick: () => open(f)}, f.path),
        ` (${f.size.toLocaleString()} bytes)`)))
      : h('p', {}, 'Only SKILL.md.'),
    shown);
}

/** The user's words each learned version rests on (none for imported or hand-written skills). */
function learnedFrom(evidence) {
  const said = evidence.filter((e) => e.quotes.length);
  if (!said.length) return [];
  return [h('h2', {}, 'Learned from'),
    h('ul', {class: 'evidence', id: 'evidence'}, said.map((e) => h('li', {},
      h('ul', {}, e.quotes.map((q) => h('li', {}, h('q', {}, q)))),
      h('span', {class: 'note'}, [e.agent || e.source, e.session_id ? `session ${e.session_id}` : '',
        e.at ? when(e.at) : ''].filter(Boolean).join(' · ')))))];
}
