// The Preview screen: what the proxy would inject for a prompt (POST /retrieval/preview; no upstream call).
import {api} from './api.js';
import {fill, h, link, num, say, seg} from './dom.js';

export async function previewScreen(view) {
  const prompt = h('textarea', {id: 'prompt', rows: 4, 'data-autofocus': true,
    placeholder: 'e.g. How do I write pytest fixtures with tmp_path?'});
  const out = h('section', {id: 'preview', 'aria-live': 'polite'});
  const form = h('form', {class: 'stack', onsubmit: async (e) => {
    e.preventDefault();
    if (!prompt.value.trim()) return say('Write a prompt first.', 'error');
    try {
      const {body} = await api('POST', '/retrieval/preview', {json: {query: prompt.value}});
      fill(out, result(body));
    } catch (err) {
      say(err.message, 'error');
    }
  }},
  h('label', {for: 'prompt'}, 'Prompt (the latest user message of a chat)'), prompt,
  h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'run-preview', class: 'primary'}, 'Preview')));
  view.append(h('h1', {}, 'Retrieval preview'),
    h('p', {class: 'note'}, 'The skills and the system message the proxy would add to a chat with this prompt.'), form, out);
}

function result(body) {
  return [
    h('p', {}, `Searched: “${body.query}” (${body.query_source}) · ${body.tokens} token(s)`, body.note ? ` · ${body.note}` : ''),
    body.skills.length
      ? h('table', {class: 'preview-skills'},
        h('thead', {}, h('tr', {}, ['Skill', 'Score', 'Level'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, body.skills.map((s) => h('tr', {},
          h('td', {}, link(`/skill/${seg(s.name)}`, s.name)), h('td', {}, num(s.score)), h('td', {}, s.level)))))
      : h('p', {id: 'no-injection'}, 'Nothing would be injected.'),
    h('h2', {}, 'System message that would be injected'),
    h('pre', {id: 'system-message', class: 'system'}, body.system_message || '(none)'),
  ];
}
