// The Chat screen: a small playground through the proxy itself (POST /v1/chat/completions, streamed),
// showing which skills the proxy injected (its X-AutoSkill-Skills header) and the answer as it arrives.
import {readEvents, request} from './api.js';
import {fill, h, say} from './dom.js';

export async function chatScreen(view, {signal}) {
  let models = [];
  try {
    models = (await (await request('/v1/models', {signal})).json()).data.map((m) => m.id);
  } catch (err) {
    if (err.name === 'AbortError') throw err; // (no upstream or no model list: the field stays free text)
  }
  const model = h('input', {id: 'chat-model', type: 'text', value: models[0] || '', list: 'chat-models',
    placeholder: 'the upstream model'});
  const prompt = h('textarea', {id: 'chat-prompt', rows: 3, 'data-autofocus': true,
    placeholder: 'e.g. How do I write pytest fixtures with tmp_path?'});
  const log = h('div', {id: 'chat-log', class: 'chat', 'aria-live': 'polite'});
  const messages = [];
  const send = h('button', {type: 'submit', id: 'chat-send', class: 'primary'}, 'Send');
  const form = h('form', {class: 'stack', onsubmit: async (e) => {
    e.preventDefault();
    const text = prompt.value.trim();
    if (!text) return say('Write a message first.', 'error');
    if (!model.value.trim()) return say('Name the model to use.', 'error');
    messages.push({role: 'user', content: text});
    const answer = h('div', {class: 'answer'});
    const injected = h('p', {class: 'note injected'});
    const turn = h('div', {class: 'turn', 'data-state': 'streaming'},
      h('p', {class: 'user'}, h('strong', {}, 'You: '), text), injected, h('p', {}, h('strong', {}, 'Assistant:')), answer);
    log.append(turn);
    prompt.value = '';
    send.disabled = true;
    try {
      const response = await request('/v1/chat/completions', {method: 'POST', signal,
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({model: model.value.trim(), messages, stream: true})});
      const skills = response.headers.get('X-AutoSkill-Skills');
      fill(injected, 'Skills injected: ', skills ? h('span', {class: 'skills'}, skills.split(',').join(', ')) : 'none');
      let reply = '';
      await readEvents(response, (name, data) => {
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data);
        const piece = chunk.choices?.[0]?.delta?.content;
        if (piece) {
          reply += piece;
          answer.textContent = reply;
        }
      });
      messages.push({role: 'assistant', content: reply});
      turn.dataset.state = 'done';
    } catch (err) {
      messages.pop();
      turn.dataset.state = 'failed';
      fill(answer, h('span', {class: 'msg error'}, err.message));
    } finally {
      send.disabled = false;
    }
  }},
  h('label', {for: 'chat-model'}, 'Model'), model,
  h('datalist', {id: 'chat-models'}, models.map((m) => h('option', {value: m}))),
  h('label', {for: 'chat-prompt'}, 'Message'), prompt,
  h('div', {class: 'actions'}, send,
    h('button', {type: 'button', id: 'chat-clear', onclick: () => { messages.length = 0; log.replaceChildren(); }}, 'New chat')));
  prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  view.append(h('h1', {}, 'Chat'),
    h('p', {class: 'note'}, 'A chat through this proxy: your skills are injected as for any client, and the ' +
      'answer streams from the upstream model.'), log, form);
}
