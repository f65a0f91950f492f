// The Prune screen: your skills retrieved often and never used, as `autoskill prune` reports them
// (GET /prune: a dry run, nothing is deleted here).
import {api} from './api.js';
import {h, link, seg, when} from './dom.js';

const FIELDS = [['min_retrieved', 'Retrieved at least', '1'], ['max_used', 'Used at most', '1'],
  ['min_age_days', 'Older than (days)', 'any']];

export async function pruneScreen(view, {params}) {
  const query = Object.fromEntries(FIELDS.map(([k]) => [k, params.get(k)]).filter(([, v]) => v !== null && v !== ''));
  const {body} = await api('GET', '/prune', {query});
  const inputs = FIELDS.map(([k, label, step]) => [k, label,
    h('input', {id: `prune-${k}`, name: k, type: 'number', min: 0, step, value: String(body.policy[k])})]);
  const form = h('form', {class: 'searchbar', onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams(inputs.map(([k, , input]) => [k, input.value]));
    location.hash = `#/prune?${p}`;
  }}, inputs.map(([k, label, input]) => [h('label', {for: `prune-${k}`}, label), input]),
  h('button', {type: 'submit', id: 'run-prune'}, 'Report'));
  view.append(h('h1', {}, 'Prune candidates'),
    h('p', {class: 'note'}, 'Skills of yours retrieved often and (almost) never used. This is a report only: ' +
      'nothing is deleted here (`autoskill prune --apply` does that).'), form);
  if (body.note) view.append(h('p', {class: 'msg', id: 'prune-note'}, body.note));
  view.append(body.candidates.length
    ? h('table', {class: 'prune', id: 'prune'},
      h('thead', {}, h('tr', {}, ['Skill', 'Version', 'Retrieved', 'Used', 'Last retrieved', 'Why'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, body.candidates.map((c) => h('tr', {},
        h('td', {}, link(`/skill/${seg(c.name)}`, c.name)), h('td', {}, c.version), h('td', {}, c.retrieved),
        h('td', {}, c.used), h('td', {}, when(c.last_retrieved_at)),
        h('td', {class: 'why'}, `retrieved ${c.retrieved} time(s) (≥ ${body.policy.min_retrieved}), used ${c.used} ` +
          `(≤ ${body.policy.max_used}), older than ${body.policy.min_age_days} day(s)`)))))
    : h('p', {id: 'no-prune'}, 'No skill would be pruned with these thresholds.'));
  if (body.kept_for_missing_signal) {
    view.append(h('p', {class: 'note'}, `${body.kept_for_missing_signal} skill(s) kept: no "used" reports come in.`));
  }
}
