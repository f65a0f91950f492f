"""Servers shut down cleanly: nothing touches the store after it is closed, no thread is joined before it started."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

import anyio
import pytest
from mcp import Client

from autoskill_mcp.config import AutoSkillConfig
from autoskill_mcp.mcp_server.server import AutoSkillServer
from autoskill_mcp.mcp_server.settings import McpSettings
from autoskill_mcp.sdk import AutoSkill

HASHING = {"provider": "hashing", "dims": 256}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def seeded(home: Path) -> Path:
    """A store with one skill of alice's; the path of its SKILL.md."""
    cfg = AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING, default_user="alice")
    with AutoSkill(cfg) as sdk:
        skill = sdk.upsert(name="release-checklist", description="Cut a release. Use when releasing.",
                           instructions="# Release\n\n1. Tag.")
        return Path(sdk.store.skill_dir(skill.id)) / "SKILL.md"


@pytest.mark.anyio
async def test_the_mcp_server_closes_the_store_only_after_its_watcher_finished_a_rescan(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "home"
    skill_md = seeded(home)
    server = AutoSkillServer(McpSettings(home=home, user="alice", embeddings="hashing", worker=False))
    state = server.state
    rescanning = threading.Event()
    holder = sqlite3.connect(home / "catalog.sqlite3", isolation_level=None, check_same_thread=False)
    caplog.set_level(logging.WARNING)

    def release_when_closing() -> None:
        state.closing.wait(60)
        holder.execute("ROLLBACK")

    async with Client(server, raise_exceptions=True) as c:
        await c.list_tools()
        store = await anyio.to_thread.run_sync(state.sdk)
        store = store.store
        # SQLite tells us when the watcher's rescan asks for the write lock that this test holds.
        store.catalog._conn.set_trace_callback(
            lambda sql: rescanning.set() if sql == "BEGIN IMMEDIATE" and threading.current_thread().name != "MainThread"
            else None)
        holder.execute("BEGIN IMMEDIATE")
        skill_md.write_text(skill_md.read_text().replace("1. Tag.", "1. Tag.\n2. Publish."))
        st = skill_md.stat()
        os.utime(skill_md, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
        assert await anyio.to_thread.run_sync(rescanning.wait, 60), "the watcher never rescanned"
        threading.Thread(target=release_when_closing, daemon=True).start()
    # The client is gone and the lifespan ended: the rescan it was in finished before the store closed.
    holder.close()
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not failures, [r.getMessage() + str(r.exc_info) for r in failures]
    cfg = AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING, default_user="alice")
    with AutoSkill(cfg) as sdk:
        skill = sdk.store.find("release-checklist", user_id="alice")
        assert skill is not None and "2. Publish." in skill.instructions
        assert [v.reason for v in sdk.store.versions(skill.id)][-1] == "edited on disk"


def test_the_language_servers_store_stops_cleanly_when_told_to_while_it_is_still_starting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from autoskill_mcp.lsp.store import StoreService

    home = tmp_path / "home"
    seeded(home)
    monkeypatch.setenv("AUTOSKILL_EMBEDDINGS", "hashing")
    (home / "config.toml").write_text('[embeddings]\nprovider = "hashing"\ndims = 256\n')
    caplog.set_level(logging.WARNING)
    service: StoreService

    def on_change() -> None:
        # Called on the store thread once the store is open, just before the queue worker starts:
        # the editor is closed right then (the shutdown request arrives mid start-up).
        stopper.start()
        started.set()
        assert service.runtime.stopping.wait(60)

    service = StoreService(str(home), "alice", on_change)
    stopper = threading.Thread(target=service.stop, name="lsp-shutdown")
    started = threading.Event()
    service.start()
    assert started.wait(60), "the store never opened"
    stopper.join(60)
    assert not stopper.is_alive()
    alive = [t.name for t in threading.enumerate() if t.name in ("autoskill-worker", "autoskill-store")]
    assert alive == [], f"threads left running after stop(): {alive}"
    assert service.runtime.store is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]
