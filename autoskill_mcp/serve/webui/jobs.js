// The Jobs screens: queue a conversation for extraction, list the jobs, and follow one live (SSE).
import {api, BASE, readEvents, request} from './api.js';
import {fill, h, link, say, seg, when} from './dom.js';

const EVENTS = ['queued', 'running', 'done', 'failed'];
const FINISHED = ['done', 'failed'];

/** "user: ..." / "assistant: ..." lines as chat messages; unprefixed lines continue the message before. */
export function parseConversation(text) {
  const messages = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(user|assistant|system)\s*:\s?(.*)$/i);
    if (m) messages.push({role: m[1].toLowerCase(), content: m[2]});
    else if (messages.length) messages[messages.length - 1].content += '\n' + line;
    else if (line.trim()) messages.push({role: 'user', content: line});
  }
  return messages.map((m) => ({...m, content: m.content.trim()})).filter((m) => m.content);
}

export async function jobsScreen(view) {
  const convo = h('textarea', {id: 'conversation', rows: 8, spellcheck: false,
    placeholder: 'user: From now on, always run ruff check before every commit in this repo.\n' +
      'assistant: Understood.\nuser: Yes. Never commit without running ruff first.'});
  const hint = h('input', {id: 'hint', type: 'text', maxlength: 500, placeholder: 'optional: what is worth learning'});
  const form = h('form', {class: 'stack', onsubmit: async (e) => {
    e.preventDefault();
    const messages = parseConversation(convo.value);
    if (!messages.length) return say('Write at least one "user: ..." line.', 'error');
    try {
      const json = {messages};
      if (hint.value.trim()) json.hint = hint.value.trim();
      const {body} = await api('POST', '/conversations/import', {json});
      location.hash = `#/job/${seg(body.jobs[0].job_id)}`;
    } catch (err) {
      say(err.message, 'error');
    }
  }},
  h('label', {for: 'conversation'}, 'Conversation (one message per line, starting with user: or assistant:)'), convo,
  h('label', {for: 'hint'}, 'Hint'), hint,
  h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'queue', class: 'primary'}, 'Queue for extraction')));

  const rows = h('tbody');
  const more = h('button', {type: 'button', id: 'next-jobs'}, 'Next page');
  let cursor = null;
  async function load() {
    const {body} = await api('GET', '/extractions', {query: {limit: 25, cursor}});
    rows.append(...body.jobs.map((j) => h('tr', {},
      h('td', {}, link(`/job/${seg(j.id)}`, j.id)), h('td', {class: `state state-${j.state}`}, j.state),
      h('td', {}, j.source), h('td', {}, when(j.created_at)), h('td', {}, when(j.finished_at)),
      h('td', {}, (j.result?.skills || []).map((s) => `${s.outcome} ${s.name}`).join(', ') || '—'))));
    cursor = body.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => load().catch((err) => say(err.message, 'error')));
  await load();
  view.append(h('h1', {}, 'Extraction jobs'),
    h('section', {'aria-labelledby': 'try-h'}, h('h2', {id: 'try-h'}, 'Try it: queue a conversation'), form),
    h('section', {'aria-labelledby': 'jobs-h'}, h('h2', {id: 'jobs-h'}, 'Your jobs, newest first'),
      rows.children.length ? h('table', {class: 'jobs'},
        h('thead', {}, h('tr', {}, ['Job', 'State', 'Source', 'Queued', 'Finished', 'Learned'].map((t) => h('th', {scope: 'col'}, t)))),
        rows) : h('p', {}, 'No jobs yet.'),
      more));
}

export async function jobScreen(view, {args: [id], signal}) {
  const state = h('span', {id: 'job-state', class: 'state'});
  const facts = h('dl', {class: 'meta'});
  const log = h('ol', {id: 'events', class: 'events'});
  const learned = h('div', {id: 'learned'}, h('p', {class: 'note'}, 'Nothing yet: the job has not finished.'));

  function render(job) {
    fill(state, job.state);
    state.className = `state state-${job.state}`;
    state.dataset.state = job.state;
    fill(facts, [['Queued', when(job.created_at)], ['Started', when(job.started_at)], ['Finished', when(job.finished_at)],
      ['Attempts', job.attempts], ['Source', job.source], ['Hint', job.hint || '—'], ['Progress', job.progress || '—'],
      ['Error', job.error || '—']].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    if (job.result) fill(learned, outcome(job.result));
  }

  const {body: first} = await api('GET', `/extractions/${seg(id)}`);
  render(first);
  view.append(h('h1', {}, 'Job ', h('code', {}, id)), h('p', {}, 'State: ', state), facts,
    h('h2', {}, 'Events (live)'), log, h('h2', {}, 'What it learned'), learned,
    h('p', {}, link('/jobs', 'All jobs')));

  // The job as it is now first (it may be past `queued` already), then each change the stream reports
  // (read with fetch, which can send the token; the events already shown are not repeated).
  let last = note(first, 'now');
  if (FINISHED.includes(first.state)) return;
  function note(job, how) {
    log.append(h('li', {class: `event state-${job.state}`}, h('strong', {}, job.state),
      ` ${how} ${new Date().toLocaleTimeString()}`, job.progress ? ` · ${job.progress}` : ''));
    return [job.state, job.attempts, job.progress].join('|');
  }
  follow(id, signal, (name, job) => {
    if (name === 'error') return log.append(h('li', {class: 'event state-failed'}, job.message));
    if (!EVENTS.includes(name)) return;
    const key = [job.state, job.attempts, job.progress].join('|');
    if (key !== last) last = note(job, 'at');
    render(job);
  }).catch((err) => {
    if (err.name !== 'AbortError') log.append(h('li', {class: 'event state-failed'}, `stream: ${err.message}`));
  });
}

/** The job's events until the server ends the stream (once the job is finished). */
async function follow(id, signal, onEvent) {
  const response = await request(`${BASE}/extractions/${seg(id)}/events`, {signal, headers: {Accept: 'text/event-stream'}});
  await readEvents(response, (name, data) => onEvent(name, JSON.parse(data)));
}

function outcome(result) {
  const parts = [];
  if (result.skills.length) {
    parts.push(h('ul', {class: 'learned'}, result.skills.map((s) => h('li', {},
      h('strong', {class: 'outcome'}, s.outcome), ' ',
      s.skill_id ? link(`/skill/${seg(s.name)}`, s.name) : h('span', {}, s.name),
      s.version ? ` (version ${s.version})` : '',
      h('div', {class: 'why'}, 'Why: ', s.reason)))));
  } else {
    parts.push(h('p', {}, 'No skill was learned from this conversation.'));
  }
  if (result.kept_aside.length) {
    parts.push(h('h3', {}, 'Kept aside until the requirement recurs'),
      h('ul', {id: 'kept-aside'}, result.kept_aside.map((p) => h('li', {}, h('strong', {}, p.name),
        p.summary ? `: ${p.summary}` : ''))),
      h('p', {}, link('/candidates', 'Accept or reject them on the Candidates screen', {id: 'to-candidates'})));
  }
  if (result.errors.length) parts.push(h('h3', {}, 'Errors'), h('ul', {}, result.errors.map((e) => h('li', {class: 'msg error'}, e))));
  if (result.extractor) parts.push(h('p', {class: 'note'}, `Extractor: ${result.extractor}`));
  return parts;
}
