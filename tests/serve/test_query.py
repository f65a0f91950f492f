"""Query rewriting and LLM selection in `autoskill serve`: offline rules, and the configured LLM over real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from autoskill_mcp.serve.query import needs_rewrite, search_query
from tests.mcp_server.helpers import PYTHON, REPO, USER, server_env
from tests.serve.conftest import ProxyProcess, seed, write_config
from tests.serve.fake_upstream import FakeUpstream

FIRST = "Write pytest fixtures for the database layer, with tmp_path and monkeypatch."
ANSWER = "Here are fixtures for the database layer: a tmp_path SQLite file and a monkeypatched clock."
FOLLOW_UP = "same for the cache module"


def conversation(*turns: str) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(turns):
        if i:
            messages.append({"role": "assistant", "content": ANSWER})
        messages.append({"role": "user", "content": turn})
    return messages


def chat(proxy: ProxyProcess, messages: list[dict[str, str]]) -> httpx.Response:
    response = httpx.post(proxy.base + "/v1/chat/completions", json={"model": "fake-model", "messages": messages},
                          timeout=30)
    assert response.status_code == 200, response.text
    return response


def start(tmp_path: Path, upstream: FakeUpstream, proxy_table: str, *, llm: bool) -> ProxyProcess:
    home = tmp_path / "home"
    seed(home)
    llm_table = f'\n[llm]\nprovider = "openai"\nbase_url = "{upstream.url}"\nmodel = "llm"\n' if llm else ""
    write_config(home, upstream.url, "min_score = 0.05\n" + proxy_table + llm_table)
    srv = ProxyProcess(home, tmp_path / "serve.log")
    srv.wait_ready()
    return srv


@pytest.fixture
def served(tmp_path: Path, upstream: FakeUpstream, request: pytest.FixtureRequest) -> Iterator[ProxyProcess]:
    table, llm = request.param
    srv = start(tmp_path, upstream, table, llm=llm)
    yield srv
    assert srv.stop() == 0, srv.stderr()


def test_auto_rewrites_only_what_needs_it() -> None:
    assert needs_rewrite("same for the cache module")  # points back
    assert needs_rewrite("now shorter")  # too short to search alone
    assert needs_rewrite("再来一个一样的")
    assert not needs_rewrite("Write pytest fixtures for the payments service with tmp_path")
    messages = conversation(FIRST, FOLLOW_UP)
    assert search_query(messages, "never", None).text == FOLLOW_UP
    offline = search_query(messages, "auto", None)
    assert offline.how == "recent turns" and offline.text == f"{FIRST}\n{FOLLOW_UP}"
    standalone = conversation(FIRST, "Write release notes for version 2 from the changelog entries.")
    assert search_query(standalone, "auto", None).how == "latest"
    assert search_query(standalone, "always", None).how == "recent turns"
    assert search_query(conversation(FOLLOW_UP), "always", None).how == "latest"  # nothing earlier to use


@pytest.mark.parametrize("served", [('rewrite_mode = "never"\n', False)], indirect=True)
def test_without_rewriting_a_follow_up_finds_nothing(served: ProxyProcess) -> None:
    assert chat(served, conversation(FIRST, FOLLOW_UP)).headers["x-autoskill-skills"] == ""
    assert chat(served, conversation(FIRST)).headers["x-autoskill-skills"] == "pytest-fixtures"


@pytest.mark.parametrize("served", [("", False)], indirect=True)
def test_offline_the_previous_turn_carries_the_follow_up(served: ProxyProcess, upstream: FakeUpstream) -> None:
    before = len(upstream.chats())
    assert chat(served, conversation(FIRST, FOLLOW_UP)).headers["x-autoskill-skills"] == "pytest-fixtures"
    sent = upstream.chats()[before:]
    assert len(sent) == 1 and upstream.llm_answer(sent[0].json()) is None  # no LLM configured: the chat alone
    assert "Prefer tmp_path over tempfile" in sent[0].json()["messages"][0]["content"]


@pytest.mark.parametrize("served", [('rewrite_mode = "always"\nselect_mode = "llm"\n', True)], indirect=True)
def test_the_llm_rewrites_the_query_and_picks_the_skills(served: ProxyProcess, upstream: FakeUpstream) -> None:
    upstream.rewrite = "pytest fixtures with tmp_path, then a release: changelog, tag, publish"
    upstream.select = ["pytest-fixtures"]
    before = len(upstream.chats())
    response = chat(served, conversation("hi, I have a small python project", "release it, and its fixtures"))
    assert response.headers["x-autoskill-skills"] == "pytest-fixtures"
    calls = upstream.chats()[before:]
    prompts = [c.json()["messages"] for c in calls[:-1]]
    assert len(prompts) == 2  # one rewrite, one selection, then the chat itself
    assert "release it, and its fixtures" in prompts[0][-1]["content"]
    assert "then a release: changelog, tag, publish" in prompts[1][-1]["content"]  # judged: the rewritten query
    assert "- pytest-fixtures:" in prompts[1][-1]["content"] and "- release-checklist:" in prompts[1][-1]["content"]
    forwarded = calls[-1].json()["messages"]
    assert forwarded[-1]["content"] == "release it, and its fixtures"  # the conversation itself is untouched
    assert "Prefer tmp_path" in forwarded[0]["content"] and "CHANGELOG" not in forwarded[0]["content"]

    upstream.select = []  # the LLM says nothing fits: nothing is injected
    response = chat(served, conversation("hi", "release it, and its fixtures"))
    assert response.headers["x-autoskill-skills"] == ""
    assert [m["role"] for m in upstream.forwarded()[-1].json()["messages"]] == ["user", "assistant", "user"]


@pytest.mark.parametrize("served", [('rewrite_mode = "always"\nselect_mode = "llm"\n', True)], indirect=True)
def test_a_failing_llm_falls_back_to_the_offline_rules(served: ProxyProcess, upstream: FakeUpstream) -> None:
    upstream.llm_status = 500
    try:
        response = chat(served, conversation(FIRST, FOLLOW_UP))
    finally:
        upstream.llm_status = 200
    assert response.headers["x-autoskill-skills"] == "pytest-fixtures"  # offline rewrite, every hit kept
    assert "query rewrite failed" in served.stderr() and "skill selection failed" in served.stderr()


def test_a_bad_mode_in_config_stops_the_start(tmp_path: Path, upstream: FakeUpstream) -> None:
    home = tmp_path / "home"
    home.mkdir()
    write_config(home, upstream.url, 'rewrite_mode = "sometimes"\n')
    done = subprocess.run([PYTHON, "-m", "autoskill_mcp", "serve", "--port", "0"], env=server_env(home, USER),
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "rewrite_mode must be one of never, auto, always" in done.stderr
