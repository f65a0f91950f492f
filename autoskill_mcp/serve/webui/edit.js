// The Edit screen: the SKILL.md in a text area, checked by the server's rule catalogue
// (POST /skills/validate), each diagnostic with its quick fixes, saved with If-Match.
import {api} from './api.js';
import {fill, h, link, say, seg} from './dom.js';

export async function editScreen(view, {args: [ref]}) {
  const got = await api('GET', `/skills/${seg(ref)}/md`);
  const {body: skill} = await api('GET', `/skills/${seg(ref)}`);
  const name = skill.name;
  let version = got.headers.get('X-AutoSkill-Version') || skill.version;
  const area = h('textarea', {id: 'skill-md', name: 'skill-md', rows: 24, spellcheck: false, wrap: 'off',
    'aria-describedby': 'diag-h'});
  area.value = got.body;
  const shown = h('span', {id: 'edit-version'}, version);
  const list = h('ul', {id: 'diagnostics', class: 'diagnostics'});
  const summary = h('p', {id: 'diag-summary', class: 'note'}, 'Not checked yet.');
  const result = h('div', {id: 'save-result', 'aria-live': 'polite'});
  const fixAll = h('button', {type: 'button', id: 'fix-all', hidden: true}, 'Fix all');
  let fixedAll = null;

  function goTo(line) {
    const lines = area.value.split('\n');
    const start = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line] || '').length);
  }

  function apply(text, title) {
    area.value = text;
    say(`Applied: ${title}`);
    return check();
  }

  function show(diagnostics) {
    fill(list, diagnostics.map((d) => {
      const line = d.range.start.line;
      const fixes = (d.fixes || []).filter((f) => typeof f.text === 'string');
      return h('li', {class: `diag sev-${d.severity}`, 'data-code': d.code},
        h('button', {type: 'button', class: 'link where', onclick: () => goTo(line)}, `line ${line + 1}`),
        h('code', {class: 'code'}, d.code), h('span', {class: 'sev'}, d.severity),
        h('span', {class: 'message'}, d.message),
        fixes.map((f) => h('button', {type: 'button', class: 'fix', onclick: () => apply(f.text, f.title)}, `Fix: ${f.title}`)));
    }));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    fill(summary, diagnostics.length ? `${diagnostics.length} finding(s), ${errors} error(s).` : 'No problems found.');
  }

  async function check() {
    const {body} = await api('POST', '/skills/validate', {json: {skill_md: area.value, name}});
    show(body.diagnostics);
    fixedAll = body.fixed;
    fixAll.hidden = !fixedAll;
    return body;
  }

  async function save() {
    fill(result);
    try {
      const {body} = await api('PUT', `/skills/${seg(name)}/md`, {text: area.value, headers: {'If-Match': version}});
      if (body.version) version = body.version;
      fill(shown, version);
      fill(result, h('p', {class: 'msg ok', id: 'saved'}, `Saved: ${body.outcome}, version ${body.version ?? '—'}. `,
        link(`/skill/${seg(name)}/versions`, 'See the versions')));
      show([]);
      fill(summary, 'Saved.');
    } catch (err) {
      if (err.status === 422) {
        fill(result, h('p', {class: 'msg error', role: 'alert'}, err.message));
        await check();
      } else if (err.status === 409) {
        fill(result, h('p', {class: 'msg error', role: 'alert'}, `${err.message}. `,
          h('button', {type: 'button', id: 'reload', onclick: async () => {
            const again = await api('GET', `/skills/${seg(name)}/md`);
            area.value = again.body;
            version = again.headers.get('X-AutoSkill-Version') || version;
            fill(shown, version);
            fill(result, h('p', {class: 'msg'}, 'Reloaded the stored version; your edits were discarded.'));
          }}, 'Reload the stored SKILL.md (discards your edits)')));
      } else {
        fill(result, h('p', {class: 'msg error', role: 'alert'}, err.message));
      }
    }
  }

  const fail = (err) => say(err.message, 'error');
  fixAll.addEventListener('click', () => fixedAll && apply(fixedAll, 'every fix').catch(fail));
  area.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 's') {
      e.preventDefault();
      save();
    }
  });
  view.append(
    h('h1', {}, `Edit ${name}`),
    h('p', {}, 'Version ', shown, ' · ', link(`/skill/${seg(name)}`, 'Back to the skill')),
    h('label', {for: 'skill-md'}, 'SKILL.md'),
    area,
    h('div', {class: 'actions'},
      h('button', {type: 'button', id: 'check', onclick: () => check().catch(fail)}, 'Check'),
      fixAll,
      h('button', {type: 'button', id: 'save', class: 'primary', onclick: save}, 'Save'),
      h('span', {class: 'note'}, 'Ctrl+S saves; a save is checked first and makes a new version.')),
    result,
    h('section', {'aria-labelledby': 'diag-h'}, h('h2', {id: 'diag-h'}, 'Diagnostics'), summary, list));
}
