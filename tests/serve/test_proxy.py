"""`autoskill serve` end to end: a real subprocess between the official OpenAI client and a fake upstream."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import openai
import pytest

from autoskill_mcp.learning.queue import JobQueue
from autoskill_mcp.sdk import AutoSkill
from autoskill_mcp.store.tokens import FileTokenStore
from tests.mcp_server.helpers import config
from tests.serve import fake_upstream
from tests.serve.conftest import UPSTREAM_KEY, ProxyProcess, seed, wait_for, write_config
from tests.serve.fake_upstream import FakeUpstream

QUESTION = "How do I write pytest fixtures with tmp_path?"
DIRECTIVES = [
    {"role": "user", "content": "Add retries to the payment client."},
    {"role": "assistant", "content": "I added a retry loop with print statements."},
    {"role": "user", "content": "No. Never use print for diagnostics. Always use the logging module with a "
                                "module-level logger."},
]


def client(proxy: ProxyProcess, api_key: str = "placeholder-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.base + "/v1", api_key=api_key, max_retries=0, timeout=30)


def systems(messages: list[dict[str, object]]) -> list[str]:
    return [str(m["content"]) for m in messages if m["role"] == "system"]


def test_a_chat_gets_its_skills_in_one_system_message_and_the_answer_unchanged(
        proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    raw = client(proxy).chat.completions.with_raw_response.create(
        model="fake-model", messages=[{"role": "system", "content": "You are terse."},
                                      {"role": "user", "content": QUESTION}])
    assert raw.headers["x-autoskill-skills"] == "pytest-fixtures"
    assert raw.http_response.content == fake_upstream.COMPLETION
    assert raw.parse().choices[0].message.content == "Done:  use logging.getLogger(__name__)."
    sent = upstream.chats()[-1]
    messages = sent.json()["messages"]
    assert messages[0] == {"role": "system", "content": "You are terse."}
    assert len(systems(messages)) == 2 and messages[2] == {"role": "user", "content": QUESTION}
    assert "<autoskill-context>" in messages[1]["content"] and "Prefer tmp_path over tempfile" in messages[1]["content"]
    assert sent.headers["authorization"] == f"Bearer {UPSTREAM_KEY}"  # the upstream's key, not the client's
    assert "placeholder-key" not in json.dumps(sent.headers)


def test_streaming_passes_the_events_back_byte_for_byte(proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    with client(proxy).chat.completions.with_streaming_response.create(
            model="fake-model", stream=True, messages=[{"role": "user", "content": QUESTION}]) as response:
        assert response.headers["x-autoskill-skills"] == "pytest-fixtures"
        pieces = [c.choices[0].delta.content or "" for c in response.parse() if c.choices]
    assert "".join(pieces) == "".join(fake_upstream.STREAM_PIECES)
    with httpx.stream("POST", proxy.base + "/v1/chat/completions", timeout=30,
                      json={"model": "fake-model", "stream": True,
                            "messages": [{"role": "user", "content": QUESTION}]}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert b"".join(r.iter_raw()) == fake_upstream.STREAM
    assert len(systems(upstream.chats()[-1].json()["messages"])) == 1


def test_an_agent_loop_keeps_its_skills_after_tool_results(proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    messages = [{"role": "user", "content": QUESTION},
                {"role": "assistant", "content": None,
                 "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "ls", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "conftest.py"}]
    raw = client(proxy).chat.completions.with_raw_response.create(model="fake-model",
                                                                  messages=messages)  # type: ignore[arg-type]
    assert raw.headers["x-autoskill-skills"] == "pytest-fixtures"
    sent = upstream.chats()[-1].json()["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool"] and sent[1:] == messages


def test_nothing_relevant_means_nothing_injected(proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    raw = client(proxy).chat.completions.with_raw_response.create(
        model="fake-model", messages=[{"role": "user", "content": "zqxj vvkw plorb"}])
    assert raw.headers["x-autoskill-skills"] == ""
    assert upstream.chats()[-1].json()["messages"] == [{"role": "user", "content": "zqxj vvkw plorb"}]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_streams_the_same_bytes(proxy: ProxyProcess) -> None:
    body = json.dumps({"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
    out = subprocess.run(["curl", "-sS", "-N", "-D", "-", "-H", "Content-Type: application/json", "-d", body,
                          proxy.base + "/v1/chat/completions"], capture_output=True, timeout=60, check=True)
    head, _, rest = out.stdout.partition(b"\r\n\r\n")
    assert b"x-autoskill-skills: pytest-fixtures" in head.lower()
    assert rest == fake_upstream.STREAM


def test_the_user_comes_from_the_token(proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    token = FileTokenStore(proxy.home).issue("bob")
    raw = client(proxy, api_key=token).chat.completions.with_raw_response.create(
        model="fake-model", messages=[{"role": "user", "content": "deploy the billing cluster"}])
    assert raw.headers["x-autoskill-skills"] == "bob-deploy-billing"
    # an unknown key on loopback (an OpenAI key the client always sends) is the default user, never bob
    raw = client(proxy, api_key="sk-some-openai-key").chat.completions.with_raw_response.create(
        model="fake-model", messages=[{"role": "user", "content": "deploy the billing cluster"}])
    assert "bob-deploy-billing" not in raw.headers["x-autoskill-skills"]


def test_a_two_turn_conversation_is_queued_and_learned(proxy: ProxyProcess) -> None:
    before = len(JobQueue(proxy.home).list(limit=1000))
    client(proxy).chat.completions.create(model="fake-model", messages=DIRECTIVES)  # type: ignore[arg-type]

    def learned() -> object:
        with JobQueue(proxy.home) as q:
            jobs = [j for j in q.list(limit=1000) if j.source.startswith("serve-")]
            done = [j for j in jobs if j.state == "done"]
        return len(jobs) > 0 and done and done[0]

    job = wait_for(learned, "the conversation to be learned")
    assert len(JobQueue(proxy.home).list(limit=1000)) == before + 1
    assert job.user_id == "alice" and job.result["created"] >= 1
    with AutoSkill(config(proxy.home)) as sdk:
        learned_skills = {s.name: s for s in sdk.list(user_id="alice")}
    assert any("logging" in name for name in learned_skills)
    body = "\n".join(s.instructions for s in learned_skills.values())
    assert "autoskill-context" not in body  # the injected skills are not learned back


def test_a_single_turn_is_not_queued_in_auto_mode(proxy: ProxyProcess) -> None:
    with JobQueue(proxy.home) as q:
        before = {j.id for j in q.list(limit=1000)}
    client(proxy).chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "hello there"}])
    second = [{**m, "content": f"{m['content']} (again)"} for m in DIRECTIVES]
    client(proxy).chat.completions.create(model="fake-model", messages=second)  # type: ignore[arg-type]

    def new_jobs() -> list[object]:
        with JobQueue(proxy.home) as q:
            return [j for j in q.list(limit=1000) if j.id not in before]

    # conversations are queued in order: once the second one is there, the first would have been too
    jobs = wait_for(new_jobs, "the two-turn conversation to be queued")
    assert len(jobs) == 1


def test_extract_now_queues_at_once_and_answers_locally(proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    calls = len(upstream.chats())
    messages = [{"role": "user", "content": "Deploy with blue-green: always drain the old pool first."},
                {"role": "assistant", "content": "Noted."},
                {"role": "user", "content": "/extract_now deployment habits"}]
    raw = client(proxy).chat.completions.with_raw_response.create(model="fake-model",
                                                                  messages=messages)  # type: ignore[arg-type]
    answer = raw.parse().choices[0].message.content or ""
    job_id = raw.headers["x-autoskill-job"]
    assert answer.startswith("Queued this conversation") and job_id in answer and "deployment habits" in answer
    with JobQueue(proxy.home) as q:
        job = q.get(job_id)
    assert job is not None and job.hint == "deployment habits" and job.user_id == "alice"
    with client(proxy).chat.completions.with_streaming_response.create(
            model="fake-model", stream=True, messages=[{"role": "user", "content": "/extract_now"}]) as response:
        text = "".join(c.choices[0].delta.content or "" for c in response.parse() if c.choices)
    assert text.startswith("Nothing to extract yet")
    assert len(upstream.chats()) == calls  # never sent upstream


@pytest.mark.parametrize(("body", "needle"), [
    (b"not json", "not valid JSON"), (b"[]", "JSON object"), (b'{"model": "m"}', "'messages' is required"),
    (b'{"messages": "hi"}', "non-empty array"), (b'{"messages": []}', "non-empty array"),
    (b'{"messages": [1]}', "messages[0]"), (b'{"messages": [{"role": "user", "content": "x"}], "stream": "yes"}',
                                            "'stream'"),
])
def test_bad_requests_get_clear_openai_errors(proxy: ProxyProcess, upstream: FakeUpstream, body: bytes,
                                              needle: str) -> None:
    calls = len(upstream.chats())
    r = httpx.post(proxy.base + "/v1/chat/completions", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert needle in error["message"] and error["type"] == "invalid_request_error"
    assert len(upstream.chats()) == calls


def test_oversized_bodies_foreign_hosts_and_origins_are_refused(proxy: ProxyProcess) -> None:
    url = proxy.base + "/v1/chat/completions"
    r = httpx.post(url, content=b"x" * (50 * 1024 * 1024), headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"  # an OpenAI-shaped error
    r = httpx.post(url, json={"messages": []}, headers={"Host": "evil.example"})
    assert r.status_code == 421 and "Host" in r.json()["error"]["message"]
    r = httpx.post(url, json={"messages": []}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = httpx.post(url, content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "Content-Type" in r.json()["error"]["message"]


def test_upstream_errors_pass_through_with_their_bodies(proxy: ProxyProcess) -> None:
    for model, status, body in (("fail-400", 400, fake_upstream.ERROR_400), ("fail-500", 500, fake_upstream.ERROR_500)):
        r = httpx.post(proxy.base + "/v1/chat/completions", timeout=30,
                       json={"model": model, "messages": [{"role": "user", "content": QUESTION}]})
        assert (r.status_code, r.content) == (status, body)
    with pytest.raises(openai.BadRequestError, match="fake upstream says"):
        client(proxy).chat.completions.create(model="fail-400", messages=[{"role": "user", "content": "x"}])


def test_models_embeddings_and_health(proxy: ProxyProcess, upstream: FakeUpstream) -> None:
    assert [m.id for m in client(proxy).models.list()] == ["fake-model"]
    emb = client(proxy).embeddings.create(model="fake-embed", input="hello")
    assert emb.data[0].embedding == [0.5]
    assert upstream.requests[-1].json()["input"] == "hello"
    health = httpx.get(proxy.base + "/health").json()
    assert health["ok"] and health["store_ready"] and health["upstream_configured"] and health["mcp"] == "/mcp"


def test_the_upstream_key_is_never_returned_logged_or_stored(proxy: ProxyProcess) -> None:
    bodies = []
    for path in ("/health", "/v1/models"):
        r = httpx.get(proxy.base + path)
        bodies.append(r.text + json.dumps(dict(r.headers)))
    r = httpx.post(proxy.base + "/v1/chat/completions",
                   json={"model": "fake-model", "messages": [{"role": "user", "content": QUESTION}]})
    bodies.append(r.text + json.dumps(dict(r.headers)))
    assert not any(UPSTREAM_KEY in b for b in bodies)
    assert UPSTREAM_KEY not in proxy.stderr()
    for path in Path(proxy.home).rglob("*"):
        if path.is_file():
            assert UPSTREAM_KEY.encode() not in path.read_bytes(), path


@pytest.mark.anyio
async def test_mcp_is_served_from_the_same_process(proxy: ProxyProcess) -> None:
    from tests.mcp_server.test_transports import client as mcp_client
    from tests.mcp_server.test_transports import names

    async with mcp_client(proxy.base + "/mcp", "auto") as c:
        assert {"pytest-fixtures", "release-checklist"} <= await names(c)
    r = httpx.post(proxy.base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                   headers={"Accept": "application/json, text/event-stream", "Authorization": "Bearer wrong"})
    assert r.status_code == 401  # /mcp keeps its strict guard: an unknown token is refused there
    r = httpx.post(proxy.base + "/mcp", content=b"{" + b" " * (9 * 1024 * 1024) + b"}", timeout=60,
                   headers={"Accept": "application/json, text/event-stream", "Content-Type": "application/json"})
    assert r.status_code == 413  # /mcp refuses in JSON-RPC, what its clients read (the proxy routes: OpenAI's shape)
    assert r.json()["error"]["code"] == -32600 and "bytes (--max-body)" in r.json()["error"]["message"]
    async with mcp_client(proxy.base + "/mcp", "auto") as c:  # and goes on serving
        assert {"pytest-fixtures", "release-checklist"} <= await names(c)


def test_upstream_down_is_a_502_and_sigint_exits_0(tmp_path: Path) -> None:
    home = tmp_path / "home"
    seed(home)
    dead = httpx.URL("http://127.0.0.1:9/v1")  # the discard port: nothing listens there
    write_config(home, str(dead))
    srv = ProxyProcess(home, tmp_path / "serve.log", "--no-mcp")
    try:
        with pytest.raises(openai.InternalServerError) as caught:
            client(srv).chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert caught.value.status_code == 502
        error = caught.value.response.json()["error"]
        assert "cannot reach the upstream" in error["message"] and error["type"] == "upstream_error"
    finally:
        assert srv.stop(signal.SIGINT) == 0, srv.stderr()
    assert UPSTREAM_KEY not in srv.stderr()
