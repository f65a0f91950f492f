// The Versions screen: a skill's history, a diff between any two versions, and rollback.
import {api} from './api.js';
import {fill, h, link, say, seg, when} from './dom.js';

export async function versionsScreen(view, {args: [ref]}) {
  const rows = h('tbody');
  const diff = h('pre', {id: 'diff', class: 'diff', hidden: true});
  const head = h('h1', {}, 'Versions');
  let name = ref;
  const fail = (err) => say(err.message, 'error');

  function draw(versions) {
    const n = versions.length;
    fill(rows, versions.map((v, i) => h('tr', {class: v.current ? 'current' : null, 'data-n': v.n},
      h('td', {}, h('input', {type: 'radio', name: 'from', value: v.n, checked: i === n - 2 || n === 1,
        'aria-label': `diff from #${v.n}`})),
      h('td', {}, h('input', {type: 'radio', name: 'to', value: v.n, checked: i === n - 1, 'aria-label': `diff to #${v.n}`})),
      h('td', {}, `#${v.n}`), h('td', {class: 'version'}, v.version), h('td', {}, v.reason), h('td', {}, when(v.created_at)),
      h('td', {}, v.current ? h('strong', {}, 'current')
        : h('button', {type: 'button', class: 'rollback', onclick: () => rollback(v).catch(fail)}, `Roll back to #${v.n}`)))));
  }

  async function load() {
    const {body} = await api('GET', `/skills/${seg(ref)}/versions`);
    name = body.name;
    fill(head, `Versions of ${name}`);
    draw(body.versions);
  }

  async function showDiff() {
    const from = view.querySelector('input[name=from]:checked');
    const to = view.querySelector('input[name=to]:checked');
    if (!from || !to) return say('Choose a version in each column.', 'error');
    const {body} = await api('GET', `/skills/${seg(name)}/versions`, {query: {from: `#${from.value}`, to: `#${to.value}`}});
    const lines = (body.diff || '').split('\n');
    fill(diff, body.diff ? lines.map((l) => h('span', {class: l.startsWith('+++') || l.startsWith('---') ? 'file'
      : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : null}, l + '\n'))
      : `No difference between #${from.value} and #${to.value}.`);
    diff.hidden = false;
    diff.dataset.pair = `${from.value}-${to.value}`;
  }

  async function rollback(v) {
    const {body} = await api('POST', `/skills/${seg(name)}/rollback`, {json: {version: `#${v.n}`}});
    draw(body.versions);
    const now = body.versions[body.versions.length - 1];
    say(`Rolled back to #${v.n}: now version ${now.version} (#${now.n}).`, 'ok');
    diff.hidden = true;
  }

  await load();
  view.append(head,
    h('p', {}, link(`/skill/${seg(name)}`, 'Back to the skill'), ' · ', link(`/skill/${seg(name)}/edit`, 'Edit')),
    h('table', {class: 'versions'},
      h('thead', {}, h('tr', {}, ['From', 'To', '#', 'Version', 'Reason', 'Saved', ''].map((t) => h('th', {scope: 'col'}, t)))),
      rows),
    h('div', {class: 'actions'}, h('button', {type: 'button', id: 'show-diff', onclick: () => showDiff().catch(fail)}, 'Show diff')),
    diff);
}
