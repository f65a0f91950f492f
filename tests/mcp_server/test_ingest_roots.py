"""`ingest_transcript(path=...)` reads only inside allowed roots, and never another user's files.

Before, any file the server could read (the password database included) was queued from stdio
or loopback, and with alice's token so was bob's transcript. The rule (docs/mcp.md):

* over stdio: the agents' transcript folders `discover` knows, plus `ingest_roots`;
* over HTTP: only `ingest_roots` entries holding `{user}`, with the caller's verified user put in;
* checked on the real path (links and `..` resolved); `content` is always accepted.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client

from autoskill_mcp.learning.queue import JobQueue
from autoskill_mcp.mcp_server.server import AutoSkillServer
from autoskill_mcp.store.tokens import FileTokenStore

from .helpers import TRANSCRIPT, USER, settings
from .test_transports import HttpServer, client

pytestmark = pytest.mark.anyio


def jobs(home: Path) -> int:
    with JobQueue(home) as q:
        return sum(q.counts().values())


def config_roots(home: Path, *roots: str) -> None:
    listed = ", ".join(f'"{r}"' for r in roots)
    (home / "config.toml").write_text(f'ingest_roots = [{listed}]\n[embeddings]\nprovider = "hashing"\ndims = 256\n',
                                      encoding="utf-8")


@pytest.fixture
def agent_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Claude Code config folder holding one session, as `discover` finds it."""
    claude = tmp_path / "claude"
    session = claude / "projects" / "-work-app" / "session-1.jsonl"
    session.parent.mkdir(parents=True)
    shutil.copyfile(TRANSCRIPT, session)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(claude))
    return claude


async def call(c: Client, path: str) -> tuple[bool, str]:
    r = await c.call_tool("ingest_transcript", {"path": path})
    return r.is_error, r.content[0].text if r.is_error else r.structured_content["state"]


async def test_stdio_reads_the_agents_folders_and_nothing_else(home: Path, tmp_path: Path, agent_home: Path) -> None:
    session = agent_home / "projects" / "-work-app" / "session-1.jsonl"
    (agent_home / "projects" / "-work-app" / "passwd.jsonl").symlink_to("/etc/passwd")
    (agent_home / "settings.json").write_text("{}")
    outside = tmp_path / "elsewhere.jsonl"
    shutil.copyfile(TRANSCRIPT, outside)
    async with Client(AutoSkillServer(settings(home, ingest_roots=[])), raise_exceptions=True) as c:
        refused = ["/etc/passwd", str(outside), str(agent_home / "projects" / "-work-app" / "passwd.jsonl"),
                   str(agent_home / "settings.json"),
                   str(agent_home / "projects" / ".." / ".." / "elsewhere.jsonl"),
                   "../../etc/passwd", "projects/-work-app/session-1.jsonl",
                   str(session) + "\x00.txt", str(session).replace("session", "\u202esession")]
        for path in refused:
            failed, message = await call(c, path)
            assert failed, path
            assert "/etc/passwd" not in message or path == "/etc/passwd"
            assert "root:" not in message
        assert jobs(home) == 0
        failed, state = await call(c, str(session))
        assert not failed, state
    assert jobs(home) == 1


async def test_configured_roots_are_read_over_stdio_with_the_servers_user(home: Path, tmp_path: Path) -> None:
    mine = tmp_path / "exports" / USER
    mine.mkdir(parents=True)
    shutil.copyfile(TRANSCRIPT, mine / "chat.jsonl")
    shared = tmp_path / "shared-exports"
    shared.mkdir()
    shutil.copyfile(TRANSCRIPT, shared / "chat.jsonl")
    bobs = tmp_path / "exports" / "bob"
    bobs.mkdir()
    shutil.copyfile(TRANSCRIPT, bobs / "chat.jsonl")
    config_roots(home, str(tmp_path / "exports" / "{user}"))
    server = AutoSkillServer(settings(home, ingest_roots=[str(shared)]))
    async with Client(server, raise_exceptions=True) as c:
        assert not (await call(c, str(mine / "chat.jsonl")))[0]
        assert not (await call(c, str(shared / "chat.jsonl")))[0]
        failed, message = await call(c, str(bobs / "chat.jsonl"))
        assert failed and "outside" in message
        failed, message = await call(c, str(mine / "missing.jsonl"))
        assert failed and "no transcript file" in message


@pytest.fixture
def http(home: Path, tmp_path: Path, agent_home: Path) -> Iterator[HttpServer]:
    for user in ("alice", "bob"):
        folder = tmp_path / "transcripts" / user
        folder.mkdir(parents=True)
        shutil.copyfile(TRANSCRIPT, folder / "chat.jsonl")
    (tmp_path / "transcripts" / "alice" / "bobs.jsonl").symlink_to(tmp_path / "transcripts" / "bob" / "chat.jsonl")
    config_roots(home, str(tmp_path / "transcripts" / "{user}"), str(tmp_path / "transcripts"))
    srv = HttpServer(home, "--no-worker", env={"CLAUDE_CONFIG_DIR": str(agent_home)})
    yield srv
    srv.stop()


async def test_over_http_each_user_reads_only_their_own_root(home: Path, tmp_path: Path, agent_home: Path,
                                                             http: HttpServer) -> None:
    alice, bob = FileTokenStore(home).issue("alice"), FileTokenStore(home).issue("bob")
    t = tmp_path / "transcripts"
    async with client(http.url, "auto", alice) as as_alice, client(http.url, "auto", bob) as as_bob:
        assert not (await call(as_alice, str(t / "alice" / "chat.jsonl")))[0]
        assert not (await call(as_bob, str(t / "bob" / "chat.jsonl")))[0]
        for path in (str(t / "bob" / "chat.jsonl"), str(t / "alice" / "bobs.jsonl"),
                     str(t / "alice" / ".." / "bob" / "chat.jsonl"), "/etc/passwd",
                     str(agent_home / "projects" / "-work-app" / "session-1.jsonl")):
            failed, message = await call(as_alice, path)
            assert failed and "outside" in message, (path, message)
        r = await as_alice.call_tool("ingest_transcript", {"content": TRANSCRIPT.read_text()})
        assert not r.is_error
    with JobQueue(home) as q:
        assert {j.user_id for j in q.list()} == {"alice", "bob"} and len(q.list()) == 3
        assert all("bob" not in j.source for j in q.list(user_id="alice"))


async def test_over_http_without_user_roots_a_path_is_refused_and_content_accepted(home: Path,
                                                                                   agent_home: Path) -> None:
    srv = HttpServer(home, "--no-worker", env={"CLAUDE_CONFIG_DIR": str(agent_home)})
    try:
        async with client(srv.url, "auto") as anon:
            failed, message = await call(anon, str(agent_home / "projects" / "-work-app" / "session-1.jsonl"))
            assert failed and "content" in message and "{user}" in message
            r = await anon.call_tool("ingest_transcript", {"content": TRANSCRIPT.read_text()})
            assert not r.is_error
    finally:
        srv.stop()
    assert jobs(home) == 1


async def test_a_malformed_ingest_roots_setting_is_a_clear_tool_error(home: Path) -> None:
    (home / "config.toml").write_text('ingest_roots = "/tmp"\n', encoding="utf-8")
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        failed, message = await call(c, str(TRANSCRIPT))
        assert failed and "ingest_roots must be a list" in message
    assert jobs(home) == 0
