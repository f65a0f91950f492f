// The Candidates screen: what learning kept aside until it recurs, with the words it rests on;
// Accept learns one now (POST /candidates/{id}/accept), Reject drops it.
import {api} from './api.js';
import {fill, h, link, say, seg, when} from './dom.js';

const STATUSES = ['pending', 'accepted', 'rejected', 'promoted', 'all'];

export async function candidatesScreen(view, {params}) {
  const status = STATUSES.includes(params.get('status')) ? params.get('status') : 'pending';
  const pick = h('select', {id: 'candidate-status'}, STATUSES.map((s) => h('option', {value: s, selected: s === status}, s)));
  pick.addEventListener('change', () => { location.hash = `#/candidates?status=${pick.value}`; });
  const {body} = await api('GET', '/candidates', {query: {status}});
  const list = h('ol', {id: 'candidates', class: 'candidates'}, body.candidates.map(candidate));
  view.append(h('h1', {}, 'Kept-aside candidates'),
    h('p', {class: 'note'}, 'A requirement said once waits here until it recurs in a later session; accept one to ' +
      'learn it now, or reject it so it is never learned.'),
    h('p', {}, h('label', {for: 'candidate-status'}, 'Show '), pick),
    body.candidates.length ? list : h('p', {id: 'no-candidates'}, `No ${status === 'all' ? '' : status + ' '}candidates.`));
}

function candidate(c) {
  const result = h('div', {class: 'result', 'aria-live': 'polite'});
  const buttons = h('div', {class: 'actions'});
  const item = h('li', {class: 'candidate', 'data-id': c.id, 'data-status': c.status},
    h('h2', {}, c.name, ' ', h('span', {class: `state state-${c.status}`}, c.status)),
    c.summary ? h('p', {class: 'lead'}, c.summary) : null,
    h('h3', {}, 'The words it rests on'),
    h('ul', {class: 'evidence'}, c.evidence.map((e) => h('li', {}, h('q', {}, e.text),
      h('span', {class: 'note'}, ` — ${e.kind}, turn ${e.turn}${e.agent ? `, ${e.agent}` : ''}, session ${e.session_id}`)))),
    h('p', {class: 'note'}, `Kept since ${when(c.created_at)} · sessions: ${c.sessions.length}`),
    c.skill_id ? h('p', {}, 'Learned as ', link(`/skill/${seg(c.skill_id)}`, 'this skill')) : null,
    buttons, result);
  if (c.status !== 'pending') return item;
  async function act(verb) {
    for (const b of buttons.querySelectorAll('button')) b.disabled = true;
    try {
      const {body} = await api('POST', `/candidates/${seg(c.id)}/${verb}`, {json: {}});
      const now = verb === 'accept' ? body.candidate : body;
      item.dataset.status = now.status;
      if (verb === 'accept') {
        fill(result, body.skills.length ? h('ul', {class: 'learned'}, body.skills.map((s) => h('li', {},
          h('strong', {class: 'outcome'}, s.outcome), ' ',
          s.skill_id ? link(`/skill/${seg(s.name)}`, s.name) : h('span', {}, s.name),
          s.version ? ` (version ${s.version})` : '', h('div', {class: 'why'}, 'Why: ', s.reason))))
          : h('p', {}, 'Nothing was learned from it.'));
        say(`Accepted ${c.name}.`, 'ok');
      } else {
        fill(result, h('p', {}, 'Rejected: it will not be learned when it recurs.'));
        say(`Rejected ${c.name}.`, 'ok');
      }
      buttons.remove();
    } catch (err) {
      for (const b of buttons.querySelectorAll('button')) b.disabled = false;
      say(err.message, 'error');
    }
  }
  buttons.append(h('button', {type: 'button', class: 'primary accept', onclick: () => act('accept')}, 'Accept: learn it now'),
    h('button', {type: 'button', class: 'reject', onclick: () => act('reject')}, 'Reject'));
  return item;
}
