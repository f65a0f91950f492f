"""What one `search_skills` call costs below the tool: the files it walks through, the write transactions it runs.

In-process through the SDK's own client on a real SQLite store. Every SQLite connection the process opens is
traced (`sqlite3.connect` wrapped before the server opens its store), so a write made on another connection
(the job queue's, a second catalog handle) is counted too.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import anyio
import pytest
from mcp import Client

from autoskill_mcp.mcp_server.server import AutoSkillServer
from autoskill_mcp.sdk import AutoSkill

from .helpers import USER, config, settings

pytestmark = pytest.mark.anyio

PACKAGE = str(Path(__file__).resolve().parents[2] / "autoskill_mcp") + "/"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteTransactions:
    """Counts write transactions per connection: each explicit BEGIN, and each write outside one (autocommit)."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self.recording = False
        self._lock = threading.Lock()

    def callback(self) -> Callable[[str], None]:
        in_transaction = False

        def trace(sql: str) -> None:
            nonlocal in_transaction
            head = sql.lstrip().upper()
            if head.startswith("BEGIN"):
                in_transaction = True
            elif head.startswith(("COMMIT", "ROLLBACK", "END")):
                in_transaction = False
            if not self.recording:
                return
            with self._lock:
                self.statements.append(sql)
                if head.startswith("BEGIN") or (head.startswith(WRITES) and not in_transaction):
                    self.count += 1

        return trace


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> WriteTransactions:
    counter = WriteTransactions()
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(counter.callback())
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return counter


def add_docker_skills(home: Path, n: int) -> None:
    with AutoSkill(config(home)) as sdk:
        for i in range(n):
            sdk.upsert(name=f"docker-build-step-{i}", description=f"Docker image build, step {i} of the release.",
                       instructions=f"# Docker build step {i}\n\nBuild the docker image, tag it, push it.")


async def test_one_search_with_five_hits_runs_one_write_transaction_and_a_repeat_none(
        home: Path, writes: WriteTransactions) -> None:
    add_docker_skills(home, 6)
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:
        await anyio.to_thread.run_sync(server.state.sdk)
        await c.call_tool("search_skills", {"query": "commit message"})  # warm: the index is built, nothing counted
        writes.recording = True
        first = (await c.call_tool("search_skills", {"query": "docker image build step", "top_k": 5}))
        assert len(first.structured_content["hits"]) == 5
        assert writes.count == 1, writes.statements  # the five retrievals counted in one transaction
        assert sum(s.lstrip().upper().startswith("INSERT INTO USER_USAGE") for s in writes.statements) == 5
        again = (await c.call_tool("search_skills", {"query": "docker image build step", "top_k": 5}))
        writes.recording = False
        assert [h["name"] for h in again.structured_content["hits"]] == \
            [h["name"] for h in first.structured_content["hits"]]
        assert writes.count == 1, writes.statements  # the same request again within the window: not counted again
    with AutoSkill(config(home)) as sdk:
        for hit in first.structured_content["hits"]:
            assert sdk.store.usage(hit["id"], user_id=USER)["retrieved"] == 1


class Walk:
    """The chains of this package's files on the call stacks of every thread while recording."""

    def __init__(self) -> None:
        self.recording = False
        self.chains: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    def trace(self, frame: FrameType, event: str, arg: object) -> None:
        if event != "call" or not self.recording or not frame.f_code.co_filename.startswith(PACKAGE):
            return
        chain: list[str] = []
        at: FrameType | None = frame
        while at is not None:
            name = at.f_code.co_filename
            if name.startswith(PACKAGE) and (not chain or chain[-1] != name[len(PACKAGE):]):
                chain.append(name[len(PACKAGE):])
            at = at.f_back
        with self._lock:
            self.chains.add(tuple(reversed(chain)))

    @property
    def longest(self) -> tuple[str, ...]:
        return max(self.chains, key=len)


@pytest.fixture
def walk() -> Iterator[Walk]:
    w = Walk()
    threading.settrace(w.trace)  # type: ignore[arg-type]
    sys.settrace(w.trace)  # type: ignore[arg-type]
    try:
        yield w
    finally:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]


async def test_the_walk_from_the_tool_to_the_store_and_back_crosses_at_most_8_files(home: Path, walk: Walk) -> None:
    add_docker_skills(home, 6)
    server = AutoSkillServer(settings(home))
    async with Client(server, raise_exceptions=True) as c:  # threads start after the trace is set: all traced
        await anyio.to_thread.run_sync(server.state.sdk)
        await c.call_tool("search_skills", {"query": "commit message"})  # warm
        walk.recording = True
        hits = (await c.call_tool("search_skills", {"query": "docker image build step"})).structured_content["hits"]
        walk.recording = False
    assert hits
    below_tool = [chain[chain.index("mcp_server/tools_skills.py"):] for chain in walk.chains
                  if "mcp_server/tools_skills.py" in chain]
    assert any("store/catalog.py" in chain for chain in below_tool)  # the walk was seen down to the catalog
    deepest = max(below_tool, key=len)
    assert len(deepest) <= 8, " -> ".join(deepest)
